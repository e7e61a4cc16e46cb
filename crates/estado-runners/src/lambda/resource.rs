//! The ways a Task state names a Lambda function.

/// A Lambda resource of a Task state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaResource {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`: the effective input is the
    /// event, the function's result is the task's result.
    Function(FunctionRef),
    /// `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: the parameters are Lambda's Invoke
    /// request (`FunctionName`, `Payload`, ...), the result is its response.
    Invoke { wait_for_task_token: bool },
}

/// A function as named by a resource ARN or a `FunctionName` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub name: String,
    pub qualifier: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl FunctionRef {
    /// The function's ARN, with the region and account it was named with or the execution's.
    pub fn arn(&self, region: &str, account: &str) -> String {
        let mut arn = format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region.as_deref().unwrap_or(region),
            self.account.as_deref().unwrap_or(account),
            self.name
        );
        if let Some(q) = &self.qualifier {
            arn.push(':');
            arn.push_str(q);
        }
        arn
    }
}

pub fn parse_resource(resource: &str) -> Option<LambdaResource> {
    match resource {
        "arn:aws:states:::lambda:invoke" => Some(LambdaResource::Invoke {
            wait_for_task_token: false,
        }),
        "arn:aws:states:::lambda:invoke.waitForTaskToken" => Some(LambdaResource::Invoke {
            wait_for_task_token: true,
        }),
        r if r.starts_with("arn:aws:lambda:") => {
            parse_function_name(r).map(LambdaResource::Function)
        }
        _ => None,
    }
}

/// Lambda's `FunctionName` forms: `NAME`, `NAME:QUALIFIER`, `ACCOUNT:function:NAME[:QUALIFIER]`,
/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
pub fn parse_function_name(s: &str) -> Option<FunctionRef> {
    let parts: Vec<&str> = s.split(':').collect();
    let (region, account, rest) = match parts.as_slice() {
        ["arn", _partition, "lambda", region, account, "function", rest @ ..] => {
            (Some(*region), Some(*account), rest)
        }
        [account, "function", rest @ ..] => (None, Some(*account), rest),
        rest => (None, None, rest),
    };
    let (name, qualifier) = match rest {
        [name] => (*name, None),
        [name, q] if !q.is_empty() => (*name, Some(q.to_string())),
        _ => return None,
    };
    if !estado_functions::spec::is_function_name(name) {
        return None;
    }
    Some(FunctionRef {
        name: name.to_owned(),
        qualifier,
        region: region.filter(|r| !r.is_empty()).map(str::to_owned),
        account: account.filter(|a| !a.is_empty()).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, q: Option<&str>, region: Option<&str>, account: Option<&str>) -> FunctionRef {
        FunctionRef {
            name: name.into(),
            qualifier: q.map(Into::into),
            region: region.map(Into::into),
            account: account.map(Into::into),
        }
    }

    #[test]
    fn every_form_of_function_name() {
        for (text, expected) in [
            ("hello", Some(f("hello", None, None, None))),
            ("hello:prod", Some(f("hello", Some("prod"), None, None))),
            (
                "hello:$LATEST",
                Some(f("hello", Some("$LATEST"), None, None)),
            ),
            (
                "123456789012:function:hello",
                Some(f("hello", None, None, Some("123456789012"))),
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:hello:7",
                Some(f(
                    "hello",
                    Some("7"),
                    Some("eu-west-1"),
                    Some("123456789012"),
                )),
            ),
            ("", None),
            ("a b", None),
            ("hello:", None),
            ("arn:aws:lambda:eu-west-1:1:function:a:b:c", None),
        ] {
            assert_eq!(parse_function_name(text), expected, "{text}");
        }
    }

    #[test]
    fn resources() {
        assert_eq!(
            parse_resource("arn:aws:states:::lambda:invoke"),
            Some(LambdaResource::Invoke {
                wait_for_task_token: false
            })
        );
        assert_eq!(
            parse_resource("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            Some(LambdaResource::Invoke {
                wait_for_task_token: true
            })
        );
        assert_eq!(
            parse_resource("arn:aws:lambda:us-east-1:111111111111:function:f:live"),
            Some(LambdaResource::Function(f(
                "f",
                Some("live"),
                Some("us-east-1"),
                Some("111111111111")
            )))
        );
        for other in [
            "arn:aws:states:::lambda:invoke.sync",
            "arn:aws:states:::sqs:sendMessage",
            "arn:aws:states:us-east-1:1:activity:a",
            "arn:aws:lambda:us-east-1:1:layer:x",
        ] {
            assert_eq!(parse_resource(other), None, "{other}");
        }
    }

    #[test]
    fn arns_keep_what_was_named() {
        assert_eq!(
            f("f", Some("prod"), None, None).arn("us-east-1", "123456789012"),
            "arn:aws:lambda:us-east-1:123456789012:function:f:prod"
        );
        assert_eq!(
            f("f", None, Some("eu-west-1"), Some("111111111111")).arn("us-east-1", "1"),
            "arn:aws:lambda:eu-west-1:111111111111:function:f"
        );
    }
}
