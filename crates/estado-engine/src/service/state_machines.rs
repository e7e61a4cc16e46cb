//! CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine,
//! ListStateMachines, and the checks they share with the version and alias verbs.
//!
//! Revisions: a machine starts without a revision id (AWS reports none, and
//! `PublishStateMachineVersion` calls that revision `INITIAL`); every update that changes
//! something gives it a new UUID. An update that changes nothing keeps the revision, so that
//! publishing after it returns the existing version.

use estado_api::arn::{ArnScope, StateMachineArn, StateMachineTarget};
use estado_api::names::check_name;
use estado_api::paging;
use estado_api::shapes::{
    CreateStateMachineInput, CreateStateMachineOutput, DeleteStateMachineInput,
    DeleteStateMachineOutput, DescribeStateMachineInput, DescribeStateMachineOutput,
    EncryptionConfiguration, ListStateMachinesInput, ListStateMachinesOutput, LoggingConfiguration,
    StateMachineListItem, TracingConfiguration, UpdateStateMachineInput, UpdateStateMachineOutput,
};
use estado_asl::validate::{self, Diagnostic, MachineType, Options, Severity};
use estado_json::Value;
use estado_store::StateMachine;
use estado_types::history::Timestamp;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::tags::{check_tag_count, tag_pairs};
use super::{internal, ApiError, ApiResult, Ctx, ErrorCode, Service};

/// The largest definition AWS accepts, in characters (the model's length limit).
pub const MAX_DEFINITION_LENGTH: usize = 1_048_576;

impl Service {
    /// Creates a state machine, or answers again for the same one. AWS's idempotency: the same
    /// name with the same definition, type, logging, tracing and encryption configuration, and
    /// the same `publish`/`versionDescription`, returns the original ARN and creation date (the
    /// role and tags of the repeat are ignored); anything else is `StateMachineAlreadyExists`.
    pub async fn create_state_machine(
        &self,
        ctx: &Ctx,
        req: CreateStateMachineInput,
    ) -> ApiResult<CreateStateMachineOutput> {
        check_name(&req.name)?;
        check_role_arn(&req.role_arn)?;
        let kind = machine_type(req.r#type.as_deref())?;
        let publish = req.publish.unwrap_or(false);
        if req.version_description.is_some() && !publish {
            return Err(version_description_without_publish());
        }
        check_definition(&req.definition, kind)?;
        check_logging(req.logging_configuration.as_ref())?;
        let tags = tag_pairs(req.tags.as_deref().unwrap_or_default());
        let arn = ArnScope::new(&ctx.region, &ctx.account)
            .state_machine(&req.name)
            .to_string();
        check_tag_count(&arn, tags.len())?;

        let now = self.now_ms();
        let record = StateMachine {
            arn: arn.clone(),
            name: req.name.clone(),
            kind: kind_name(kind).to_owned(),
            definition: req.definition.clone(),
            role_arn: req.role_arn.clone(),
            created_ms: now,
            updated_ms: now,
            revision_id: String::new(),
            description: None,
            logging: to_value(req.logging_configuration.as_ref()),
            tracing: to_value(req.tracing_configuration.as_ref()),
            encryption: to_value(req.encryption_configuration.as_ref()),
            next_version: 1,
        };
        match self.store.create_state_machine(record.clone()).await {
            Ok(()) => {}
            Err(estado_store::StoreError::AlreadyExists(_)) => {
                return self.repeat_create(&record, publish, &req).await;
            }
            Err(e) => return Err(internal(e)),
        }
        if !tags.is_empty() {
            self.store.tag(&arn, tags).await.map_err(internal)?;
        }
        let version_arn = if publish {
            let version = self
                .publish_current(&record, req.version_description.clone())
                .await?;
            Some(version.arn)
        } else {
            None
        };
        Ok(CreateStateMachineOutput {
            state_machine_arn: arn,
            creation_date: Timestamp::from_millis(now),
            state_machine_version_arn: version_arn,
        })
    }

    /// The answer to a CreateStateMachine whose name is taken: the original one when the
    /// request repeats it, else `StateMachineAlreadyExists`.
    async fn repeat_create(
        &self,
        wanted: &StateMachine,
        publish: bool,
        req: &CreateStateMachineInput,
    ) -> ApiResult<CreateStateMachineOutput> {
        let already = || {
            ApiError::new(
                ErrorCode::StateMachineAlreadyExists,
                format!("State Machine Already Exists: '{}'", wanted.arn),
            )
        };
        let Some(existing) = self
            .store
            .get_state_machine(&wanted.arn)
            .await
            .map_err(internal)?
        else {
            return Err(already());
        };
        let same_config = existing.definition == wanted.definition
            && existing.kind == wanted.kind
            && logging_or_default(existing.logging.as_ref())
                == logging_or_default(wanted.logging.as_ref())
            && tracing_or_default(existing.tracing.as_ref())
                == tracing_or_default(wanted.tracing.as_ref())
            && encryption_or_default(existing.encryption.as_ref())
                == encryption_or_default(wanted.encryption.as_ref());
        // A machine created with `publish` has a version 1 of its initial revision.
        let first = self
            .store
            .get_version(&format!("{}:1", existing.arn))
            .await
            .map_err(internal)?
            .filter(|v| v.revision_id.is_empty());
        let same_publish = match (&first, publish) {
            (Some(v), true) => v.description == req.version_description,
            (None, false) => true,
            _ => false,
        };
        if !(same_config && same_publish) {
            return Err(already());
        }
        Ok(CreateStateMachineOutput {
            state_machine_arn: existing.arn.clone(),
            creation_date: Timestamp::from_millis(existing.created_ms),
            state_machine_version_arn: first.map(|v| v.arn),
        })
    }

    /// Describes a state machine, or one of its versions when given a version ARN.
    /// `includedData: METADATA_ONLY` leaves the definition out (`{}`).
    pub async fn describe_state_machine(
        &self,
        _ctx: &Ctx,
        req: DescribeStateMachineInput,
    ) -> ApiResult<DescribeStateMachineOutput> {
        let target = StateMachineTarget::parse(&req.state_machine_arn)?;
        let metadata_only = req.included_data.as_deref() == Some("METADATA_ONLY");
        let missing = || state_machine_does_not_exist(&req.state_machine_arn);
        let (sm, version) = match &target {
            StateMachineTarget::StateMachine(arn) if arn.label.is_none() => {
                let sm = self.existing_state_machine(&arn.to_string()).await?;
                (sm, None)
            }
            StateMachineTarget::Version(v) => {
                let version = self
                    .store
                    .get_version(&req.state_machine_arn)
                    .await
                    .map_err(internal)?
                    .ok_or_else(missing)?;
                let sm = self
                    .store
                    .get_state_machine(&v.state_machine.to_string())
                    .await
                    .map_err(internal)?
                    .ok_or_else(missing)?;
                (sm, Some(version))
            }
            // Distributed Map labels name child workflows of Map Runs, which this engine runs
            // inline: there is no such machine to describe.
            _ => return Err(missing()),
        };
        let definition = |d: &str| {
            if metadata_only {
                "{}".to_owned()
            } else {
                d.to_owned()
            }
        };
        let mut out = DescribeStateMachineOutput {
            state_machine_arn: sm.arn.clone(),
            name: sm.name.clone(),
            status: Some("ACTIVE".into()),
            definition: definition(&sm.definition),
            role_arn: sm.role_arn.clone(),
            r#type: sm.kind.clone(),
            creation_date: Timestamp::from_millis(sm.created_ms),
            logging_configuration: Some(logging_or_default(sm.logging.as_ref())),
            tracing_configuration: Some(tracing_or_default(sm.tracing.as_ref())),
            label: None,
            revision_id: non_empty(&sm.revision_id),
            description: None,
            encryption_configuration: from_value(sm.encryption.as_ref()),
            variable_references: None,
        };
        if let Some(v) = version {
            out.state_machine_arn = v.arn;
            out.definition = definition(&v.definition);
            out.role_arn = v.role_arn;
            out.creation_date = Timestamp::from_millis(v.created_ms);
            out.revision_id = non_empty(&v.revision_id);
            out.description = v.description;
        }
        Ok(out)
    }

    /// Updates a state machine's definition, role, logging, tracing or encryption, and
    /// optionally publishes the result as a version. A change makes a new revision; a request
    /// that changes nothing keeps the current one.
    pub async fn update_state_machine(
        &self,
        _ctx: &Ctx,
        req: UpdateStateMachineInput,
    ) -> ApiResult<UpdateStateMachineOutput> {
        let arn = unqualified(&req.state_machine_arn)?;
        if req.definition.is_none()
            && req.role_arn.is_none()
            && req.logging_configuration.is_none()
            && req.tracing_configuration.is_none()
            && req.encryption_configuration.is_none()
        {
            return Err(ApiError::new(
                ErrorCode::MissingRequiredParameter,
                "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
            ));
        }
        let publish = req.publish.unwrap_or(false);
        if req.version_description.is_some() && !publish {
            return Err(version_description_without_publish());
        }
        if let Some(role) = &req.role_arn {
            check_role_arn(role)?;
        }
        let mut sm = self.existing_state_machine(&arn).await?;
        if let Some(definition) = &req.definition {
            let kind = machine_type(Some(&sm.kind))?;
            check_definition(definition, kind)?;
        }
        check_logging(req.logging_configuration.as_ref())?;

        let mut next = sm.clone();
        if let Some(d) = req.definition {
            next.definition = d;
        }
        if let Some(r) = req.role_arn {
            next.role_arn = r;
        }
        if let Some(l) = req.logging_configuration {
            next.logging = to_value(Some(&l));
        }
        if let Some(t) = req.tracing_configuration {
            next.tracing = to_value(Some(&t));
        }
        if let Some(e) = req.encryption_configuration {
            next.encryption = to_value(Some(&e));
        }
        if next != sm {
            next.revision_id = uuid::Uuid::new_v4().to_string();
            next.updated_ms = self.now_ms();
            self.store
                .update_state_machine(next.clone())
                .await
                .map_err(|e| match e {
                    estado_store::StoreError::NotFound(_) => state_machine_does_not_exist(&arn),
                    e => internal(e),
                })?;
            sm = next;
        }
        let version_arn = if publish {
            Some(
                self.publish_current(&sm, req.version_description)
                    .await?
                    .arn,
            )
        } else {
            None
        };
        Ok(UpdateStateMachineOutput {
            update_date: Timestamp::from_millis(sm.updated_ms),
            revision_id: non_empty(&sm.revision_id),
            state_machine_version_arn: version_arn,
        })
    }

    /// Deletes a state machine with its versions, aliases and tags. Idempotent: deleting an
    /// unknown machine succeeds. Its executions stay readable.
    pub async fn delete_state_machine(
        &self,
        _ctx: &Ctx,
        req: DeleteStateMachineInput,
    ) -> ApiResult<DeleteStateMachineOutput> {
        let arn = unqualified(&req.state_machine_arn)?;
        self.store
            .delete_state_machine(&arn)
            .await
            .map_err(internal)?;
        Ok(DeleteStateMachineOutput {})
    }

    /// State machines in creation order, a page at a time.
    pub async fn list_state_machines(
        &self,
        _ctx: &Ctx,
        req: ListStateMachinesInput,
    ) -> ApiResult<ListStateMachinesOutput> {
        const SCOPE: &str = "ListStateMachines";
        let limit = paging::page_size(req.max_results);
        let after: Option<String> = super::page_cursor(SCOPE, &req.next_token)?;
        let rows = self
            .store
            .list_state_machines(after.as_deref(), limit + 1)
            .await
            .map_err(internal)?;
        let (page, next_token) = super::page_out(rows, limit, SCOPE, |r| r.arn.clone());
        Ok(ListStateMachinesOutput {
            state_machines: page
                .into_iter()
                .map(|sm| StateMachineListItem {
                    state_machine_arn: sm.arn,
                    name: sm.name,
                    r#type: sm.kind,
                    creation_date: Timestamp::from_millis(sm.created_ms),
                })
                .collect(),
            next_token,
        })
    }

    /// The state machine at `arn`, or AWS's `StateMachineDoesNotExist`.
    pub(crate) async fn existing_state_machine(&self, arn: &str) -> ApiResult<StateMachine> {
        self.store
            .get_state_machine(arn)
            .await
            .map_err(internal)?
            .ok_or_else(|| state_machine_does_not_exist(arn))
    }
}

/// `StateMachineDoesNotExist` with AWS's wording.
pub(crate) fn state_machine_does_not_exist(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::StateMachineDoesNotExist,
        format!("State Machine Does Not Exist: '{arn}'"),
    )
}

/// The `ValidationException` of operations that refuse a Distributed Map's labelled ARN.
pub(crate) fn labelled_arn_not_supported(arn: &str) -> ApiError {
    ApiError::validation(
        format!("This API does not support labeled ARNs: '{arn}'"),
        "API_DOES_NOT_SUPPORT_LABELED_ARNS",
    )
}

/// An unqualified state machine ARN as text. A labelled ARN is refused with
/// `ValidationException`; a version or alias ARN names no state machine
/// (`StateMachineDoesNotExist`).
pub(crate) fn unqualified(arn: &str) -> ApiResult<String> {
    match StateMachineTarget::parse(arn)? {
        StateMachineTarget::StateMachine(StateMachineArn { label: Some(_), .. }) => {
            Err(labelled_arn_not_supported(arn))
        }
        StateMachineTarget::StateMachine(sm) => Ok(sm.to_string()),
        _ => Err(state_machine_does_not_exist(arn)),
    }
}

fn version_description_without_publish() -> ApiError {
    ApiError::new(
        ErrorCode::ValidationException,
        "Version description can only be set when publish is true",
    )
}

/// `STANDARD` (the default) or `EXPRESS`.
pub(crate) fn machine_type(kind: Option<&str>) -> ApiResult<MachineType> {
    match kind {
        None | Some("STANDARD") => Ok(MachineType::Standard),
        Some("EXPRESS") => Ok(MachineType::Express),
        Some(other) => Err(ApiError::constraint_violations(&[format!(
            "Value '{other}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )])),
    }
}

fn kind_name(kind: MachineType) -> &'static str {
    match kind {
        MachineType::Standard => "STANDARD",
        MachineType::Express => "EXPRESS",
    }
}

/// An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path and name>`, else
/// AWS's `Invalid Role Arn: '<arn>'`.
pub(crate) fn check_role_arn(role: &str) -> ApiResult<()> {
    let valid = role
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":iam::"))
        .filter(|(partition, _)| estado_api::arn::PARTITIONS.contains(partition))
        .and_then(|(_, rest)| rest.split_once(":role/"))
        .is_some_and(|(account, name)| {
            account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !name.is_empty()
                && !name.chars().any(char::is_whitespace)
        });
    if valid {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidArn,
            format!("Invalid Role Arn: '{role}'"),
        ))
    }
}

/// A definition CreateStateMachine/UpdateStateMachine accept for a machine of `kind`: at most
/// 1 MiB, and without error diagnostics. The errors are reported as AWS reports them:
/// `Invalid State Machine Definition: '<CODE>: <message> at <location>, <CODE>: ...'` (a
/// diagnostic without a location reads `at null`).
pub(crate) fn check_definition(definition: &str, kind: MachineType) -> ApiResult<()> {
    if definition.encode_utf16().count() > MAX_DEFINITION_LENGTH {
        return Err(ApiError::constraint_violations(&[format!(
            "Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to {MAX_DEFINITION_LENGTH}"
        )]));
    }
    let diagnostics = validate::validate_text(definition, &Options { machine_type: kind });
    if validate::is_valid(&diagnostics) {
        Ok(())
    } else {
        Err(invalid_definition(&diagnostics))
    }
}

/// `InvalidDefinition` listing the error diagnostics as AWS lists them.
pub(crate) fn invalid_definition(diagnostics: &[Diagnostic]) -> ApiError {
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "{}: {} at {}",
                d.code,
                d.message,
                d.location.as_deref().unwrap_or("null")
            )
        })
        .collect();
    ApiError::new(
        ErrorCode::InvalidDefinition,
        format!("Invalid State Machine Definition: '{}'", errors.join(", ")),
    )
}

/// A logging level other than `OFF` needs exactly one destination.
fn check_logging(logging: Option<&LoggingConfiguration>) -> ApiResult<()> {
    let Some(logging) = logging else {
        return Ok(());
    };
    let level = logging.level.as_deref().unwrap_or("OFF");
    let destinations = logging.destinations.as_deref().unwrap_or_default();
    if level != "OFF" && destinations.len() != 1 {
        return Err(ApiError::new(
            ErrorCode::InvalidLoggingConfiguration,
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        ));
    }
    Ok(())
}

fn to_value<T: Serialize>(v: Option<&T>) -> Option<Value> {
    v.and_then(|v| estado_json::to_value(v).ok())
}

fn from_value<T: DeserializeOwned>(v: Option<&Value>) -> Option<T> {
    v.and_then(|v| estado_json::from_value(v.clone()).ok())
}

/// The logging configuration AWS reports: `{level: OFF, includeExecutionData: false}` unless set.
pub(crate) fn logging_or_default(v: Option<&Value>) -> LoggingConfiguration {
    let mut l: LoggingConfiguration = from_value(v).unwrap_or_default();
    l.level.get_or_insert_with(|| "OFF".into());
    l.include_execution_data.get_or_insert(false);
    l
}

/// The tracing configuration AWS reports: `{enabled: false}` unless set.
pub(crate) fn tracing_or_default(v: Option<&Value>) -> TracingConfiguration {
    let mut t: TracingConfiguration = from_value(v).unwrap_or_default();
    t.enabled.get_or_insert(false);
    t
}

/// For idempotency checks: no encryption configuration means AWS-owned keys.
fn encryption_or_default(v: Option<&Value>) -> EncryptionConfiguration {
    from_value(v).unwrap_or(EncryptionConfiguration {
        kms_key_id: None,
        kms_data_key_reuse_period_seconds: None,
        r#type: "AWS_OWNED_KEY".into(),
    })
}

pub(crate) fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}
