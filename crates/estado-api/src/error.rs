//! AWS's API errors: the code clients map to an exception type, the HTTP status, and the body.

use std::fmt;

use serde_json::{Map, Value};

/// The namespace AWS puts before the code of every error the service itself models.
pub const SERVICE_NAMESPACE: &str = "com.amazonaws.swf.service.v2.model";

/// The namespace of model-constraint violations found before the service runs
/// (`com.amazon.coral.validate#ValidationException`).
pub const VALIDATOR_NAMESPACE: &str = "com.amazon.coral.validate";

/// An error code as it appears on the wire: the model's exception shapes, then the errors the
/// AWS service framework (Coral) raises for every service before an operation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // The model's exception shapes (`MODELED_ERRORS`), in the model's order.
    ActivityAlreadyExists,
    ActivityDoesNotExist,
    ActivityLimitExceeded,
    ActivityWorkerLimitExceeded,
    ConflictException,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionLimitExceeded,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidDefinition,
    InvalidEncryptionConfiguration,
    InvalidExecutionInput,
    InvalidLoggingConfiguration,
    InvalidName,
    InvalidOutput,
    InvalidToken,
    InvalidTracingConfiguration,
    KmsAccessDeniedException,
    KmsInvalidStateException,
    KmsThrottlingException,
    MissingRequiredParameter,
    ResourceNotFound,
    ServiceQuotaExceededException,
    StateMachineAlreadyExists,
    StateMachineDeleting,
    StateMachineDoesNotExist,
    StateMachineLimitExceeded,
    StateMachineTypeNotSupported,
    TaskDoesNotExist,
    TaskTimedOut,
    TooManyTags,
    ValidationException,
    // Service-framework errors, common to every awsJson service.
    UnknownOperationException,
    SerializationException,
    AccessDeniedException,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
    ThrottlingException,
    InternalFailure,
    ServiceUnavailableException,
}

impl ErrorCode {
    /// Every code, modeled ones first.
    pub const ALL: [ErrorCode; 43] = [
        ErrorCode::ActivityAlreadyExists,
        ErrorCode::ActivityDoesNotExist,
        ErrorCode::ActivityLimitExceeded,
        ErrorCode::ActivityWorkerLimitExceeded,
        ErrorCode::ConflictException,
        ErrorCode::ExecutionAlreadyExists,
        ErrorCode::ExecutionDoesNotExist,
        ErrorCode::ExecutionLimitExceeded,
        ErrorCode::ExecutionNotRedrivable,
        ErrorCode::InvalidArn,
        ErrorCode::InvalidDefinition,
        ErrorCode::InvalidEncryptionConfiguration,
        ErrorCode::InvalidExecutionInput,
        ErrorCode::InvalidLoggingConfiguration,
        ErrorCode::InvalidName,
        ErrorCode::InvalidOutput,
        ErrorCode::InvalidToken,
        ErrorCode::InvalidTracingConfiguration,
        ErrorCode::KmsAccessDeniedException,
        ErrorCode::KmsInvalidStateException,
        ErrorCode::KmsThrottlingException,
        ErrorCode::MissingRequiredParameter,
        ErrorCode::ResourceNotFound,
        ErrorCode::ServiceQuotaExceededException,
        ErrorCode::StateMachineAlreadyExists,
        ErrorCode::StateMachineDeleting,
        ErrorCode::StateMachineDoesNotExist,
        ErrorCode::StateMachineLimitExceeded,
        ErrorCode::StateMachineTypeNotSupported,
        ErrorCode::TaskDoesNotExist,
        ErrorCode::TaskTimedOut,
        ErrorCode::TooManyTags,
        ErrorCode::ValidationException,
        ErrorCode::UnknownOperationException,
        ErrorCode::SerializationException,
        ErrorCode::AccessDeniedException,
        ErrorCode::IncompleteSignatureException,
        ErrorCode::InvalidSignatureException,
        ErrorCode::MissingAuthenticationTokenException,
        ErrorCode::UnrecognizedClientException,
        ErrorCode::ThrottlingException,
        ErrorCode::InternalFailure,
        ErrorCode::ServiceUnavailableException,
    ];

    /// The code as AWS spells it (the part of `__type` after `#`).
    pub fn name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ActivityAlreadyExists => "ActivityAlreadyExists",
            ActivityDoesNotExist => "ActivityDoesNotExist",
            ActivityLimitExceeded => "ActivityLimitExceeded",
            ActivityWorkerLimitExceeded => "ActivityWorkerLimitExceeded",
            ConflictException => "ConflictException",
            ExecutionAlreadyExists => "ExecutionAlreadyExists",
            ExecutionDoesNotExist => "ExecutionDoesNotExist",
            ExecutionLimitExceeded => "ExecutionLimitExceeded",
            ExecutionNotRedrivable => "ExecutionNotRedrivable",
            InvalidArn => "InvalidArn",
            InvalidDefinition => "InvalidDefinition",
            InvalidEncryptionConfiguration => "InvalidEncryptionConfiguration",
            InvalidExecutionInput => "InvalidExecutionInput",
            InvalidLoggingConfiguration => "InvalidLoggingConfiguration",
            InvalidName => "InvalidName",
            InvalidOutput => "InvalidOutput",
            InvalidToken => "InvalidToken",
            InvalidTracingConfiguration => "InvalidTracingConfiguration",
            KmsAccessDeniedException => "KmsAccessDeniedException",
            KmsInvalidStateException => "KmsInvalidStateException",
            KmsThrottlingException => "KmsThrottlingException",
            MissingRequiredParameter => "MissingRequiredParameter",
            ResourceNotFound => "ResourceNotFound",
            ServiceQuotaExceededException => "ServiceQuotaExceededException",
            StateMachineAlreadyExists => "StateMachineAlreadyExists",
            StateMachineDeleting => "StateMachineDeleting",
            StateMachineDoesNotExist => "StateMachineDoesNotExist",
            StateMachineLimitExceeded => "StateMachineLimitExceeded",
            StateMachineTypeNotSupported => "StateMachineTypeNotSupported",
            TaskDoesNotExist => "TaskDoesNotExist",
            TaskTimedOut => "TaskTimedOut",
            TooManyTags => "TooManyTags",
            ValidationException => "ValidationException",
            UnknownOperationException => "UnknownOperationException",
            SerializationException => "SerializationException",
            AccessDeniedException => "AccessDeniedException",
            IncompleteSignatureException => "IncompleteSignatureException",
            InvalidSignatureException => "InvalidSignatureException",
            MissingAuthenticationTokenException => "MissingAuthenticationTokenException",
            UnrecognizedClientException => "UnrecognizedClientException",
            ThrottlingException => "ThrottlingException",
            InternalFailure => "InternalFailure",
            ServiceUnavailableException => "ServiceUnavailableException",
        }
    }

    /// The code named `name` (as in [`ErrorCode::name`]).
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|code| code.name() == name)
    }

    /// Whether the service model declares this code (rather than the service framework).
    pub fn is_modeled(self) -> bool {
        (self as usize) <= (ErrorCode::ValidationException as usize)
    }

    /// The namespace AWS sends before `#` in `__type`. Clients strip it; it never contains a
    /// colon, because smithy clients also cut the code at `:`.
    pub fn namespace(self) -> &'static str {
        match self {
            ErrorCode::ThrottlingException | ErrorCode::ServiceUnavailableException => {
                "com.amazon.coral.availability"
            }
            code if code.is_modeled() => SERVICE_NAMESPACE,
            _ => "com.amazon.coral.service",
        }
    }

    /// The HTTP status AWS answers with: 400 for every client error, 500 for an internal
    /// failure, 503 when the service is unavailable.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InternalFailure => 500,
            ErrorCode::ServiceUnavailableException => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An API error as AWS returns it: code, optional message and the extra members some error
/// shapes carry (`reason` of `ValidationException`, `resourceName` of `ResourceNotFound` and
/// `TooManyTags`, `kmsKeyState` of `KmsInvalidStateException`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{code}: {}", message.as_deref().unwrap_or("(no message)"))]
pub struct ApiError {
    code: ErrorCode,
    message: Option<String>,
    reason: Option<String>,
    resource_name: Option<String>,
    kms_key_state: Option<String>,
    /// A model-constraint violation found by the request validator, which AWS reports under
    /// the validator's namespace rather than the service's.
    constraint_violation: bool,
}

/// AWS lists at most this many violations in one `ValidationException`.
pub const MAX_REPORTED_VIOLATIONS: usize = 10;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            message: Some(message.into()),
            ..ApiError::bare(code)
        }
    }

    /// An error without a message (AWS sends none for e.g. a body that is not JSON).
    pub fn bare(code: ErrorCode) -> Self {
        ApiError {
            code,
            message: None,
            reason: None,
            resource_name: None,
            kms_key_state: None,
            constraint_violation: false,
        }
    }

    /// `ValidationException` for model-constraint violations, each in AWS's form
    /// (`Value 'x' at 'name' failed to satisfy constraint: ...`): `1 validation error
    /// detected: A` or `N validation errors detected: A; B`. At most
    /// [`MAX_REPORTED_VIOLATIONS`] are listed and counted.
    pub fn constraint_violations(violations: &[String]) -> Self {
        let listed = &violations[..violations.len().min(MAX_REPORTED_VIOLATIONS)];
        let plural = if listed.len() == 1 { "error" } else { "errors" };
        ApiError {
            constraint_violation: true,
            ..ApiError::new(
                ErrorCode::ValidationException,
                format!(
                    "{} validation {plural} detected: {}",
                    listed.len(),
                    listed.join("; ")
                ),
            )
        }
    }

    /// `InvalidArn` with AWS's wording: `Invalid Arn: '<detail>'`.
    pub fn invalid_arn(detail: &str) -> Self {
        ApiError::new(ErrorCode::InvalidArn, format!("Invalid Arn: '{detail}'"))
    }

    /// `InvalidName` with AWS's wording: `Invalid Name: '<name>'`.
    pub fn invalid_name(name: &str) -> Self {
        ApiError::new(ErrorCode::InvalidName, format!("Invalid Name: '{name}'"))
    }

    /// `InvalidToken` for a page token this service did not issue: `Invalid Token: '<token>'`.
    pub fn invalid_token(token: &str) -> Self {
        ApiError::new(ErrorCode::InvalidToken, format!("Invalid Token: '{token}'"))
    }

    /// `ValidationException` raised by the service itself, with a `reason`
    /// (`API_DOES_NOT_SUPPORT_LABELED_ARNS`, `MISSING_REQUIRED_PARAMETER`,
    /// `CANNOT_UPDATE_COMPLETED_MAP_RUN`, `INVALID_ROUTING_CONFIGURATION`).
    pub fn validation(message: impl Into<String>, reason: &str) -> Self {
        ApiError::new(ErrorCode::ValidationException, message).with_reason(reason)
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn with_resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    pub fn with_kms_key_state(mut self, state: impl Into<String>) -> Self {
        self.kms_key_state = Some(state.into());
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    pub fn resource_name(&self) -> Option<&str> {
        self.resource_name.as_deref()
    }

    pub fn kms_key_state(&self) -> Option<&str> {
        self.kms_key_state.as_deref()
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The `__type` member: `namespace#Code`, never containing a colon.
    pub fn type_name(&self) -> String {
        let namespace = if self.constraint_violation {
            VALIDATOR_NAMESPACE
        } else {
            self.code.namespace()
        };
        format!("{namespace}#{}", self.code.name())
    }

    /// The response body: `{"__type": ..., "message": ...}` plus the shape's extra members
    /// that are set; `message` is left out when there is none.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("__type".into(), Value::String(self.type_name()));
        let extras = [
            ("message", &self.message),
            ("reason", &self.reason),
            ("resourceName", &self.resource_name),
            ("kmsKeyState", &self.kms_key_state),
        ];
        for (key, value) in extras {
            if let Some(value) = value {
                body.insert(key.into(), Value::String(value.clone()));
            }
        }
        Value::Object(body)
    }
}
