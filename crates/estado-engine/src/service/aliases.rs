//! CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
//! DeleteStateMachineAlias, ListStateMachineAliases.
//!
//! An alias routes executions to one or two versions of one machine, with weights summing to
//! 100. Routing problems are `ValidationException` with reason `INVALID_ROUTING_CONFIGURATION`
//! and AWS's messages; versions that do not exist are `ResourceNotFound`.

use estado_api::arn::{StateMachineAliasArn, StateMachineTarget, StateMachineVersionArn};
use estado_api::names::check_name;
use estado_api::paging;
use estado_api::shapes::{
    CreateStateMachineAliasInput, CreateStateMachineAliasOutput, DeleteStateMachineAliasInput,
    DeleteStateMachineAliasOutput, DescribeStateMachineAliasInput, DescribeStateMachineAliasOutput,
    ListStateMachineAliasesInput, ListStateMachineAliasesOutput, RoutingConfigurationListItem,
    StateMachineAliasListItem, UpdateStateMachineAliasInput, UpdateStateMachineAliasOutput,
};
use estado_store::{Alias, StoreError};
use estado_types::history::Timestamp;

use super::state_machines::{labelled_arn_not_supported, state_machine_does_not_exist};
use super::{internal, ApiError, ApiResult, Ctx, ErrorCode, Service};

/// The most aliases one state machine may have.
pub const MAX_ALIASES: usize = 100;

const INVALID_ROUTING: &str = "INVALID_ROUTING_CONFIGURATION";

impl Service {
    /// Creates an alias of the machine the routed versions belong to. Idempotent: the same
    /// name, description and routing return the original alias; the same name with anything
    /// else is `ConflictException`.
    pub async fn create_state_machine_alias(
        &self,
        _ctx: &Ctx,
        req: CreateStateMachineAliasInput,
    ) -> ApiResult<CreateStateMachineAliasOutput> {
        check_name(&req.name)?;
        let (machine, routing) = self.routing(&req.routing_configuration, None).await?;
        let arn = format!("{machine}:{}", req.name);
        if let Some(existing) = self.store.get_alias(&arn).await.map_err(internal)? {
            return same_alias(&existing, &req.description, &routing).map(|()| {
                CreateStateMachineAliasOutput {
                    state_machine_alias_arn: existing.arn.clone(),
                    creation_date: Timestamp::from_millis(existing.created_ms),
                }
            });
        }
        let count = self
            .store
            .list_aliases(&machine)
            .await
            .map_err(internal)?
            .len();
        if count >= MAX_ALIASES {
            return Err(ApiError::new(
                ErrorCode::ServiceQuotaExceededException,
                format!("Maximum number of aliases ({MAX_ALIASES}) reached for state machine: '{machine}'"),
            ));
        }
        let now = self.now_ms();
        let alias = Alias {
            arn: arn.clone(),
            state_machine_arn: machine,
            name: req.name,
            description: req.description,
            routing,
            created_ms: now,
            updated_ms: now,
        };
        match self.store.put_alias(alias.clone(), true).await {
            Ok(()) => Ok(CreateStateMachineAliasOutput {
                state_machine_alias_arn: arn,
                creation_date: Timestamp::from_millis(now),
            }),
            // Created concurrently: answer as for a repeat.
            Err(StoreError::AlreadyExists(_)) => {
                let existing = self
                    .store
                    .get_alias(&arn)
                    .await
                    .map_err(internal)?
                    .ok_or_else(alias_not_found)?;
                same_alias(&existing, &alias.description, &alias.routing)?;
                Ok(CreateStateMachineAliasOutput {
                    state_machine_alias_arn: arn,
                    creation_date: Timestamp::from_millis(existing.created_ms),
                })
            }
            Err(e) => Err(internal(e)),
        }
    }

    pub async fn describe_state_machine_alias(
        &self,
        _ctx: &Ctx,
        req: DescribeStateMachineAliasInput,
    ) -> ApiResult<DescribeStateMachineAliasOutput> {
        let arn = StateMachineAliasArn::parse(&req.state_machine_alias_arn)?.to_string();
        let alias = self
            .store
            .get_alias(&arn)
            .await
            .map_err(internal)?
            .ok_or_else(alias_not_found)?;
        Ok(DescribeStateMachineAliasOutput {
            state_machine_alias_arn: Some(alias.arn),
            name: Some(alias.name),
            description: alias.description,
            routing_configuration: Some(wire_routing(&alias.routing)),
            creation_date: Some(Timestamp::from_millis(alias.created_ms)),
            update_date: Some(Timestamp::from_millis(alias.updated_ms)),
        })
    }

    /// Changes an alias's description and/or routing (to versions of the same machine).
    pub async fn update_state_machine_alias(
        &self,
        _ctx: &Ctx,
        req: UpdateStateMachineAliasInput,
    ) -> ApiResult<UpdateStateMachineAliasOutput> {
        let arn = StateMachineAliasArn::parse(&req.state_machine_alias_arn)?;
        if req.description.is_none() && req.routing_configuration.is_none() {
            return Err(ApiError::validation(
                "Either the description or the RoutingConfiguration must be specified",
                "MISSING_REQUIRED_PARAMETER",
            ));
        }
        let machine = arn.state_machine.to_string();
        let mut alias = self
            .store
            .get_alias(&arn.to_string())
            .await
            .map_err(internal)?
            .ok_or_else(alias_not_found)?;
        if let Some(routing) = &req.routing_configuration {
            alias.routing = self.routing(routing, Some(&machine)).await?.1;
        }
        if let Some(description) = req.description {
            alias.description = Some(description);
        }
        alias.updated_ms = self.now_ms();
        let updated = alias.updated_ms;
        self.store
            .put_alias(alias, false)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => alias_not_found(),
                e => internal(e),
            })?;
        Ok(UpdateStateMachineAliasOutput {
            update_date: Timestamp::from_millis(updated),
        })
    }

    /// Deletes an alias (not its versions). Idempotent.
    pub async fn delete_state_machine_alias(
        &self,
        _ctx: &Ctx,
        req: DeleteStateMachineAliasInput,
    ) -> ApiResult<DeleteStateMachineAliasOutput> {
        let arn = StateMachineAliasArn::parse(&req.state_machine_alias_arn)?;
        self.store
            .delete_alias(&arn.to_string())
            .await
            .map_err(internal)?;
        Ok(DeleteStateMachineAliasOutput {})
    }

    /// Aliases of a machine in creation order, or, given a version ARN, the aliases routing to
    /// that version.
    pub async fn list_state_machine_aliases(
        &self,
        _ctx: &Ctx,
        req: ListStateMachineAliasesInput,
    ) -> ApiResult<ListStateMachineAliasesOutput> {
        let (machine, version) = match StateMachineTarget::parse(&req.state_machine_arn)? {
            StateMachineTarget::StateMachine(sm) if sm.label.is_some() => {
                return Err(labelled_arn_not_supported(&req.state_machine_arn))
            }
            StateMachineTarget::StateMachine(sm) => (sm.to_string(), None),
            StateMachineTarget::Version(v) => (v.state_machine.to_string(), Some(v.to_string())),
            StateMachineTarget::Alias(_) => {
                return Err(ApiError::invalid_arn(&req.state_machine_arn))
            }
        };
        if self
            .store
            .get_state_machine(&machine)
            .await
            .map_err(internal)?
            .is_none()
        {
            return Err(state_machine_does_not_exist(&machine));
        }
        if let Some(v) = &version {
            if self.store.get_version(v).await.map_err(internal)?.is_none() {
                return Err(ApiError::new(
                    ErrorCode::ResourceNotFound,
                    format!("Resource not found: '{v}'"),
                )
                .with_resource_name(v));
            }
        }
        let scope = format!("ListStateMachineAliases:{}", req.state_machine_arn);
        let limit = paging::page_size(req.max_results);
        let after: Option<String> = super::page_cursor(&scope, &req.next_token)?;
        let aliases: Vec<Alias> = self
            .store
            .list_aliases(&machine)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|a| {
                version
                    .as_ref()
                    .is_none_or(|v| a.routing.iter().any(|(r, _)| r == v))
            })
            .collect();
        let start = match &after {
            Some(last) => aliases
                .iter()
                .position(|a| &a.arn == last)
                .map_or(aliases.len(), |i| i + 1),
            None => 0,
        };
        let rows: Vec<&Alias> = aliases[start..].iter().take(limit + 1).collect();
        let (page, next_token) = super::page_out(rows, limit, &scope, |a| a.arn.clone());
        Ok(ListStateMachineAliasesOutput {
            state_machine_aliases: page
                .iter()
                .map(|a| StateMachineAliasListItem {
                    state_machine_alias_arn: a.arn.clone(),
                    creation_date: Timestamp::from_millis(a.created_ms),
                })
                .collect(),
            next_token,
        })
    }

    /// Checks a routing configuration and returns the machine it routes to with its
    /// `(version ARN, weight)` pairs. `machine`, when given, is the machine the versions must
    /// belong to.
    async fn routing(
        &self,
        items: &[RoutingConfigurationListItem],
        machine: Option<&str>,
    ) -> ApiResult<(String, Vec<(String, u32)>)> {
        let received = |f: &dyn Fn(&RoutingConfigurationListItem) -> String| {
            items.iter().map(f).collect::<Vec<_>>().join(", ")
        };
        let arns = || received(&|i| i.state_machine_version_arn.clone());
        let mut versions: Vec<StateMachineVersionArn> = Vec::new();
        for item in items {
            match StateMachineTarget::parse(&item.state_machine_version_arn)? {
                StateMachineTarget::Version(v) => versions.push(v),
                _ => {
                    return Err(ApiError::validation(
                        format!(
                            "Routing configuration must contain state machine version ARNs. Received: [{}]",
                            arns()
                        ),
                        INVALID_ROUTING,
                    ))
                }
            }
        }
        let distinct = versions
            .iter()
            .enumerate()
            .all(|(i, v)| !versions[..i].contains(v));
        if !distinct {
            return Err(ApiError::validation(
                format!(
                    "Routing configuration must contain distinct state machine version ARNs. Received: [{}]",
                    arns()
                ),
                INVALID_ROUTING,
            ));
        }
        let Some(first) = versions.first() else {
            return Err(ApiError::validation(
                "Routing configuration must contain state machine version ARNs. Received: []",
                INVALID_ROUTING,
            ));
        };
        let owner = first.state_machine.to_string();
        let same_machine = versions
            .iter()
            .all(|v| v.state_machine.to_string() == owner)
            && machine.is_none_or(|m| m == owner);
        if !same_machine {
            return Err(ApiError::validation(
                format!(
                    "Routing configuration must contain state machine version ARNs of the same state machine as the alias. Received: [{}]",
                    arns()
                ),
                INVALID_ROUTING,
            ));
        }
        let sum: i64 = items.iter().map(|i| i64::from(i.weight)).sum();
        if sum != 100 || items.iter().any(|i| i.weight < 0) {
            return Err(ApiError::validation(
                format!(
                    "Sum of routing configuration weights must equal 100. Received: [{}]",
                    received(&|i| i.weight.to_string())
                ),
                INVALID_ROUTING,
            ));
        }
        for v in &versions {
            if self
                .store
                .get_version(&v.to_string())
                .await
                .map_err(internal)?
                .is_none()
            {
                return Err(alias_not_found());
            }
        }
        let routing = versions
            .iter()
            .zip(items)
            .map(|(v, i)| (v.to_string(), u32::try_from(i.weight).unwrap_or(0)))
            .collect();
        Ok((owner, routing))
    }
}

/// `Ok` when an existing alias has this description and routing, else AWS's conflict.
fn same_alias(
    existing: &Alias,
    description: &Option<String>,
    routing: &[(String, u32)],
) -> ApiResult<()> {
    if existing.description == *description && existing.routing == routing {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::ConflictException,
            "Failed to create alias because an alias with the same name and a different routing configuration already exists.",
        ))
    }
}

fn alias_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "Request references a resource that does not exist.",
    )
}

fn wire_routing(routing: &[(String, u32)]) -> Vec<RoutingConfigurationListItem> {
    routing
        .iter()
        .map(|(arn, weight)| RoutingConfigurationListItem {
            state_machine_version_arn: arn.clone(),
            weight: i32::try_from(*weight).unwrap_or(i32::MAX),
        })
        .collect()
}
