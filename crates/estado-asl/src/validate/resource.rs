//! Task `Resource` ARNs: Lambda functions, activities, optimized service integrations
//! (`arn:aws:states:::sqs:sendMessage.waitForTaskToken`) and AWS SDK integrations
//! (`arn:aws:states:::aws-sdk:s3:listBuckets`), with the integration patterns each allows and
//! the ones an Express state machine refuses.

use super::{Ctx, Loc};

/// An integration pattern: the suffix after the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    RequestResponse,
    /// `.sync`
    Sync,
    /// `.sync:2` (`states:startExecution` only)
    Sync2,
    /// `.waitForTaskToken`
    Callback,
}

const R: u8 = 1;
const S: u8 = 2;
const S2: u8 = 4;
const W: u8 = 8;

impl Pattern {
    fn bit(self) -> u8 {
        match self {
            Pattern::RequestResponse => R,
            Pattern::Sync => S,
            Pattern::Sync2 => S2,
            Pattern::Callback => W,
        }
    }
}

/// The optimized integrations: service, action, and the patterns it supports (AWS's
/// "Optimized integrations for Step Functions" tables).
const OPTIMIZED: &[(&str, &str, u8)] = &[
    ("apigateway", "invoke", R | W),
    ("athena", "startQueryExecution", R | S),
    ("athena", "stopQueryExecution", R),
    ("athena", "getQueryExecution", R),
    ("athena", "getQueryResults", R),
    ("batch", "submitJob", R | S),
    ("bedrock", "invokeModel", R),
    ("bedrock", "createModelCustomizationJob", R | S | W),
    ("codebuild", "startBuild", R | S),
    ("codebuild", "stopBuild", R),
    ("codebuild", "batchDeleteBuilds", R),
    ("codebuild", "batchGetReports", R),
    ("codebuild", "startBuildBatch", R | S),
    ("codebuild", "stopBuildBatch", R),
    ("codebuild", "retryBuild", R | S),
    ("codebuild", "retryBuildBatch", R | S),
    ("codebuild", "deleteBuildBatch", R),
    ("databrew", "startJobRun", R | S),
    ("dynamodb", "getItem", R),
    ("dynamodb", "putItem", R),
    ("dynamodb", "updateItem", R),
    ("dynamodb", "deleteItem", R),
    ("ecs", "runTask", R | S | W),
    ("eks", "createCluster", R | S),
    ("eks", "deleteCluster", R | S),
    ("eks", "createFargateProfile", R | S),
    ("eks", "deleteFargateProfile", R | S),
    ("eks", "createNodegroup", R | S),
    ("eks", "deleteNodegroup", R | S),
    ("eks", "runJob", R | S),
    ("eks", "call", R),
    ("elasticmapreduce", "createCluster", R | S),
    ("elasticmapreduce", "terminateCluster", R | S),
    ("elasticmapreduce", "addStep", R | S),
    ("elasticmapreduce", "cancelStep", R),
    ("elasticmapreduce", "setClusterTerminationProtection", R),
    ("elasticmapreduce", "modifyInstanceFleetByName", R),
    ("elasticmapreduce", "modifyInstanceGroupByName", R),
    ("emr-containers", "createVirtualCluster", R),
    ("emr-containers", "deleteVirtualCluster", R | S),
    ("emr-containers", "startJobRun", R | S),
    ("emr-serverless", "createApplication", R | S),
    ("emr-serverless", "startApplication", R | S),
    ("emr-serverless", "stopApplication", R | S),
    ("emr-serverless", "deleteApplication", R | S),
    ("emr-serverless", "startJobRun", R | S),
    ("emr-serverless", "cancelJobRun", R | S),
    ("events", "putEvents", R | W),
    ("glue", "startJobRun", R | S),
    ("http", "invoke", R),
    ("lambda", "invoke", R | W),
    ("mediaconvert", "createJob", R | S),
    ("sagemaker", "createEndpoint", R),
    ("sagemaker", "createEndpointConfig", R),
    ("sagemaker", "createHyperParameterTuningJob", R | S),
    ("sagemaker", "createLabelingJob", R | S),
    ("sagemaker", "createModel", R),
    ("sagemaker", "createProcessingJob", R | S),
    ("sagemaker", "createTrainingJob", R | S),
    ("sagemaker", "createTransformJob", R | S),
    ("sagemaker", "updateEndpoint", R),
    ("sns", "publish", R | W),
    ("sqs", "sendMessage", R | W),
    ("states", "startExecution", R | S | S2 | W),
];

/// What a Task `Resource` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lambda,
    Activity,
    Integration(Pattern),
    Unrecognized,
}

/// Checks a Task `Resource` at `loc` (`/States/X/Resource`).
pub(crate) fn check_task_resource(ctx: &mut Ctx, resource: &str, loc: &Loc) {
    match classify(resource) {
        Kind::Unrecognized => not_recognized(ctx, resource, loc),
        Kind::Activity if ctx.express() => {
            ctx.schema("Express state machine does not support Activity ARN", loc)
        }
        Kind::Integration(Pattern::Sync | Pattern::Sync2) if ctx.express() => ctx.schema(
            "Express state machine does not support '.sync' service integration",
            loc,
        ),
        // As recorded on AWS, this message (unlike the '.sync' one) ends with a space.
        Kind::Integration(Pattern::Callback) if ctx.express() => ctx.schema(
            "Express state machine does not support '.waitForTaskToken' service integration ",
            loc,
        ),
        _ => {}
    }
}

/// Checks a Distributed Map `ItemReader` / `ResultWriter` `Resource` against the S3 actions
/// each accepts.
pub(crate) fn check_s3_resource(ctx: &mut Ctx, resource: &str, actions: &[&str], loc: &Loc) {
    let ok = parse_arn(resource).is_some_and(|arn| {
        arn.service == "states"
            && arn.region.is_empty()
            && arn.account.is_empty()
            && arn
                .resource
                .strip_prefix("s3:")
                .is_some_and(|action| actions.contains(&action))
    });
    if !ok {
        not_recognized(ctx, resource, loc);
    }
}

/// AWS's message, with the ARN's partition written `<partition>`.
fn not_recognized(ctx: &mut Ctx, resource: &str, loc: &Loc) {
    let shown = match parse_arn(resource) {
        Some(arn) => format!(
            "arn:<partition>:{}:{}:{}:{}",
            arn.service, arn.region, arn.account, arn.resource
        ),
        None => resource.to_string(),
    };
    ctx.schema(
        format!(
            "The resource provided {shown} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
        ),
        loc,
    );
}

struct Arn<'s> {
    service: &'s str,
    region: &'s str,
    account: &'s str,
    resource: &'s str,
}

/// `arn:partition:service:region:account:resource` (the resource may hold more colons).
fn parse_arn(s: &str) -> Option<Arn<'_>> {
    let mut parts = s.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        service,
        region,
        account,
        resource,
    })
}

fn classify(resource: &str) -> Kind {
    let Some(arn) = parse_arn(resource) else {
        return Kind::Unrecognized;
    };
    match arn.service {
        "lambda" => {
            let named = arn
                .resource
                .strip_prefix("function:")
                .is_some_and(|rest| !rest.is_empty());
            if named && !arn.region.is_empty() && !arn.account.is_empty() {
                Kind::Lambda
            } else {
                Kind::Unrecognized
            }
        }
        "states" if arn.region.is_empty() && arn.account.is_empty() => integration(arn.resource),
        "states" => match arn.resource.strip_prefix("activity:") {
            Some(name) if !name.is_empty() && !name.contains(':') => Kind::Activity,
            _ => Kind::Unrecognized,
        },
        _ => Kind::Unrecognized,
    }
}

/// `service:action[.pattern]` or `aws-sdk:service:action[.waitForTaskToken]`.
fn integration(spec: &str) -> Kind {
    let (base, pattern) = if let Some(base) = spec.strip_suffix(".sync:2") {
        (base, Pattern::Sync2)
    } else if let Some(base) = spec.strip_suffix(".sync") {
        (base, Pattern::Sync)
    } else if let Some(base) = spec.strip_suffix(".waitForTaskToken") {
        (base, Pattern::Callback)
    } else {
        (spec, Pattern::RequestResponse)
    };
    if let Some(sdk) = base.strip_prefix("aws-sdk:") {
        let mut parts = sdk.split(':');
        let well_formed = matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(service), Some(action), None)
                if !service.is_empty() && action.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        );
        let supported = matches!(pattern, Pattern::RequestResponse | Pattern::Callback);
        return if well_formed && supported {
            Kind::Integration(pattern)
        } else {
            Kind::Unrecognized
        };
    }
    let Some((service, action)) = base.split_once(':') else {
        return Kind::Unrecognized;
    };
    let allowed = OPTIMIZED
        .iter()
        .find(|(s, a, _)| *s == service && *a == action)
        .map(|(_, _, patterns)| *patterns);
    match allowed {
        Some(patterns) if patterns & pattern.bit() != 0 => Kind::Integration(pattern),
        _ => Kind::Unrecognized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_resources() {
        assert_eq!(
            classify("arn:aws:lambda:us-east-1:111111111111:function:f"),
            Kind::Lambda
        );
        assert_eq!(
            classify("arn:aws:states:us-east-1:111111111111:activity:a"),
            Kind::Activity
        );
        assert_eq!(
            classify("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            Kind::Integration(Pattern::Callback)
        );
        assert_eq!(
            classify("arn:aws:states:::states:startExecution.sync:2"),
            Kind::Integration(Pattern::Sync2)
        );
        assert_eq!(
            classify("arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken"),
            Kind::Integration(Pattern::Callback)
        );
        for bad in [
            "arn:aws:states:::dynamodb:query",
            "arn:aws:states:::dynamodb:getItem.sync",
            "arn:aws:states:::aws-sdk:s3:listBuckets.sync",
            "${lambdaArn}",
            "create_activity",
            "arn:aws:swf:us-east-1:123456789012:task:X",
        ] {
            assert_eq!(classify(bad), Kind::Unrecognized, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = classify(&s);
        }
    }
}
