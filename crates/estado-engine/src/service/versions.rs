//! PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion.
//!
//! A version is an immutable copy of one revision of a machine, numbered from 1 upwards;
//! numbers are never reused, even after deletions. Publishing a revision that already has a
//! version returns that version (AWS's idempotency).

use estado_api::arn::StateMachineVersionArn;
use estado_api::paging;
use estado_api::shapes::{
    DeleteStateMachineVersionInput, DeleteStateMachineVersionOutput, ListStateMachineVersionsInput,
    ListStateMachineVersionsOutput, PublishStateMachineVersionInput,
    PublishStateMachineVersionOutput, StateMachineVersionListItem,
};
use estado_store::{StateMachine, StoreError, Version};
use estado_types::history::Timestamp;

use super::state_machines::unqualified;
use super::{internal, ApiError, ApiResult, Ctx, ErrorCode, Service};

/// The most versions one state machine may have.
pub const MAX_VERSIONS: usize = 1000;

/// What `revisionId` calls a machine that has not been updated since it was created.
const INITIAL_REVISION: &str = "INITIAL";

impl Service {
    /// Publishes the machine's current revision as a version. With `revisionId`, only when it
    /// is the current revision (`INITIAL` for a machine never updated), else
    /// `ConflictException`.
    pub async fn publish_state_machine_version(
        &self,
        _ctx: &Ctx,
        req: PublishStateMachineVersionInput,
    ) -> ApiResult<PublishStateMachineVersionOutput> {
        let arn = unqualified(&req.state_machine_arn)?;
        let sm = self.existing_state_machine(&arn).await?;
        if let Some(expected) = &req.revision_id {
            let current = if sm.revision_id.is_empty() {
                INITIAL_REVISION
            } else {
                sm.revision_id.as_str()
            };
            if expected != current {
                return Err(ApiError::new(
                    ErrorCode::ConflictException,
                    format!(
                        "Failed to publish the State Machine version for revision {expected}. The current State Machine revision is {current}."
                    ),
                ));
            }
        }
        let version = self.publish_current(&sm, req.description).await?;
        Ok(PublishStateMachineVersionOutput {
            creation_date: Timestamp::from_millis(version.created_ms),
            state_machine_version_arn: version.arn,
        })
    }

    /// The version of `sm`'s current revision: the existing one when that revision was
    /// published already (its description unchanged), else a new one numbered
    /// `sm.next_version`.
    pub(crate) async fn publish_current(
        &self,
        sm: &StateMachine,
        description: Option<String>,
    ) -> ApiResult<Version> {
        let versions = self.store.list_versions(&sm.arn).await.map_err(internal)?;
        if let Some(existing) = versions.iter().find(|v| v.revision_id == sm.revision_id) {
            return Ok(existing.clone());
        }
        if versions.len() >= MAX_VERSIONS {
            return Err(ApiError::new(
                ErrorCode::ServiceQuotaExceededException,
                format!(
                    "Maximum number of versions ({MAX_VERSIONS}) reached for state machine: '{}'",
                    sm.arn
                ),
            ));
        }
        // The counter in the store, not the copy in `sm`, is authoritative: another publish
        // may have advanced it since `sm` was read.
        let current = self.existing_state_machine(&sm.arn).await?;
        let version = Version {
            arn: format!("{}:{}", sm.arn, current.next_version),
            state_machine_arn: sm.arn.clone(),
            number: current.next_version,
            definition: sm.definition.clone(),
            role_arn: sm.role_arn.clone(),
            revision_id: sm.revision_id.clone(),
            description,
            created_ms: self.now_ms(),
        };
        match self.store.create_version(version.clone()).await {
            Ok(()) => Ok(version),
            Err(StoreError::AlreadyExists(_)) => Err(ApiError::new(
                ErrorCode::ConflictException,
                format!(
                    "Failed to publish the State Machine version: version {} was published concurrently.",
                    version.number
                ),
            )),
            Err(e) => Err(internal(e)),
        }
    }

    /// Versions of a machine, newest first, a page at a time. An unknown machine has none.
    pub async fn list_state_machine_versions(
        &self,
        _ctx: &Ctx,
        req: ListStateMachineVersionsInput,
    ) -> ApiResult<ListStateMachineVersionsOutput> {
        let arn = unqualified(&req.state_machine_arn)?;
        let scope = format!("ListStateMachineVersions:{arn}");
        let limit = paging::page_size(req.max_results);
        let before: Option<u32> = super::page_cursor(&scope, &req.next_token)?;
        let versions = self.store.list_versions(&arn).await.map_err(internal)?;
        let rows: Vec<Version> = versions
            .into_iter()
            .filter(|v| before.is_none_or(|b| v.number < b))
            .take(limit + 1)
            .collect();
        let (page, next_token) = super::page_out(rows, limit, &scope, |v| v.number);
        Ok(ListStateMachineVersionsOutput {
            state_machine_versions: page
                .into_iter()
                .map(|v| StateMachineVersionListItem {
                    state_machine_version_arn: v.arn,
                    creation_date: Timestamp::from_millis(v.created_ms),
                })
                .collect(),
            next_token,
        })
    }

    /// Deletes a version. Idempotent; `ConflictException` while an alias routes to it.
    pub async fn delete_state_machine_version(
        &self,
        _ctx: &Ctx,
        req: DeleteStateMachineVersionInput,
    ) -> ApiResult<DeleteStateMachineVersionOutput> {
        let version = StateMachineVersionArn::parse(&req.state_machine_version_arn)?;
        let arn = version.to_string();
        let aliases = self
            .store
            .list_aliases(&version.state_machine.to_string())
            .await
            .map_err(internal)?;
        let referencing: Vec<&str> = aliases
            .iter()
            .filter(|a| a.routing.iter().any(|(v, _)| *v == arn))
            .map(|a| a.name.as_str())
            .collect();
        if !referencing.is_empty() {
            return Err(ApiError::new(
                ErrorCode::ConflictException,
                format!(
                    "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]",
                    referencing.join(", ")
                ),
            ));
        }
        self.store.delete_version(&arn).await.map_err(internal)?;
        Ok(DeleteStateMachineVersionOutput {})
    }
}
