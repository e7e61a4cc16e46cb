//! Step Functions ARNs as typed values: parsing with AWS's `InvalidArn` errors, and formatting.
//!
//! | kind | form |
//! |---|---|
//! | state machine | `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME` (`NAME/LABEL` for a Distributed Map) |
//! | version | `…:stateMachine:NAME:N` (N ≥ 1) |
//! | alias | `…:stateMachine:NAME:ALIAS` (ALIAS not all digits) |
//! | execution | `arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME` (`STATE_MACHINE/LABEL` for a Map Run child) |
//! | express execution | `arn:aws:states:REGION:ACCOUNT:express:STATE_MACHINE:NAME:ID` |
//! | activity | `arn:aws:states:REGION:ACCOUNT:activity:NAME` |
//! | map run | `arn:aws:states:REGION:ACCOUNT:mapRun:STATE_MACHINE/LABEL:ID` |
//!
//! Errors, in the order they are checked:
//! - not starting with `arn:`: `Invalid Arn: 'Invalid ARN prefix: <arn>'` (recorded on AWS);
//! - a resource type the operation does not take: `Invalid Arn: 'Resource type not valid in
//!   this context: <type in lower case>'` (recorded on AWS for an execution ARN given to
//!   StartExecution);
//! - anything else malformed (partition, service, region, a 12-digit account, the resource's
//!   parts and names): `Invalid Arn: '<arn>'`.

mod kinds;
mod parse;

pub use kinds::{
    ActivityArn, AnyExecutionArn, ArnScope, ExecutionArn, ExpressExecutionArn, MapRunArn,
    StateMachineAliasArn, StateMachineArn, StateMachineTarget, StateMachineVersionArn, TaggableArn,
};
pub use parse::PARTITIONS;
