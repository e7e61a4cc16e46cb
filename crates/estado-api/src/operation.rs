//! Selecting the operation from the `X-Amz-Target` header.

use std::fmt;

use crate::shapes::Operation;

impl Operation {
    /// The operation an `X-Amz-Target` header value names (`AWSStepFunctions.StartExecution`).
    /// `None` for another prefix or an unknown name, which AWS answers with
    /// `UnknownOperationException`. Case-sensitive, like AWS; the header *name* is matched
    /// case-insensitively by the HTTP layer.
    pub fn from_target(header: &str) -> Option<Operation> {
        header
            .strip_prefix(Operation::TARGET_PREFIX)?
            .strip_prefix('.')
            .and_then(Operation::from_name)
    }

    /// The `X-Amz-Target` header value for this operation.
    pub fn target(self) -> String {
        format!("{}.{}", Operation::TARGET_PREFIX, self.name())
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_operations_exactly() {
        assert_eq!(
            Operation::from_target("AWSStepFunctions.StartExecution"),
            Some(Operation::StartExecution)
        );
        for bad in [
            "",
            "StartExecution",
            "AWSStepFunctions.",
            "AWSStepFunctions.startExecution",
            "AWSStepFunctionsStartExecution",
            "DynamoDB_20120810.StartExecution",
            "AWSStepFunctions.StartExecution ",
        ] {
            assert_eq!(Operation::from_target(bad), None, "{bad:?}");
        }
        for op in Operation::ALL {
            assert_eq!(Operation::from_target(&op.target()), Some(op));
        }
    }
}
