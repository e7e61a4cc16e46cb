//! TagResource, UntagResource, ListTagsForResource: tags of state machines and activities.

use estado_api::arn::{StateMachineTarget, TaggableArn};
use estado_api::shapes::{
    ListTagsForResourceInput, ListTagsForResourceOutput, Tag, TagResourceInput, TagResourceOutput,
    UntagResourceInput, UntagResourceOutput,
};

use super::{internal, ApiError, ApiResult, Ctx, ErrorCode, Service};

/// The most tags one resource may carry.
pub const MAX_TAGS: usize = 50;

impl Service {
    /// Adds or replaces tags. `TooManyTags` when the resource would carry more than 50.
    pub async fn tag_resource(
        &self,
        _ctx: &Ctx,
        req: TagResourceInput,
    ) -> ApiResult<TagResourceOutput> {
        let arn = self.taggable(&req.resource_arn).await?;
        let new = tag_pairs(&req.tags);
        let existing = self.store.tags(&arn).await.map_err(internal)?;
        let mut keys: Vec<&str> = existing.iter().map(|(k, _)| k.as_str()).collect();
        for (k, _) in &new {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        check_tag_count(&arn, keys.len())?;
        self.store.tag(&arn, new).await.map_err(internal)?;
        Ok(TagResourceOutput {})
    }

    /// Removes tags by key; unknown keys are ignored.
    pub async fn untag_resource(
        &self,
        _ctx: &Ctx,
        req: UntagResourceInput,
    ) -> ApiResult<UntagResourceOutput> {
        let arn = self.taggable(&req.resource_arn).await?;
        self.store
            .untag(&arn, &req.tag_keys)
            .await
            .map_err(internal)?;
        Ok(UntagResourceOutput {})
    }

    /// The resource's tags, in the order they were first added.
    pub async fn list_tags_for_resource(
        &self,
        _ctx: &Ctx,
        req: ListTagsForResourceInput,
    ) -> ApiResult<ListTagsForResourceOutput> {
        let arn = self.taggable(&req.resource_arn).await?;
        let tags = self.store.tags(&arn).await.map_err(internal)?;
        Ok(ListTagsForResourceOutput {
            tags: Some(
                tags.into_iter()
                    .map(|(key, value)| Tag {
                        key: Some(key),
                        value: Some(value),
                    })
                    .collect(),
            ),
        })
    }

    /// The ARN of an existing state machine or activity. A malformed ARN is `InvalidArn`; a
    /// well-formed one that names nothing taggable (a version, an alias, a deleted resource)
    /// is `ResourceNotFound`, as AWS answers for a version ARN.
    async fn taggable(&self, arn: &str) -> ApiResult<String> {
        let parsed = match TaggableArn::parse(arn) {
            Ok(parsed) => parsed,
            Err(e) => {
                return match StateMachineTarget::parse(arn) {
                    Ok(StateMachineTarget::Version(_) | StateMachineTarget::Alias(_)) => {
                        Err(resource_not_found(arn))
                    }
                    _ => Err(e),
                }
            }
        };
        let exists = match &parsed {
            TaggableArn::StateMachine(sm) if sm.label.is_some() => false,
            TaggableArn::StateMachine(_) => self
                .store
                .get_state_machine(arn)
                .await
                .map_err(internal)?
                .is_some(),
            TaggableArn::Activity(_) => self
                .store
                .get_activity(arn)
                .await
                .map_err(internal)?
                .is_some(),
        };
        if exists {
            Ok(arn.to_owned())
        } else {
            Err(resource_not_found(arn))
        }
    }
}

/// `ResourceNotFound` for a resource named by ARN: `Resource not found: '<arn>'`.
pub(crate) fn resource_not_found(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("Resource not found: '{arn}'"),
    )
    .with_resource_name(arn)
}

/// Wire tags as `(key, value)` pairs; a tag without a value has the empty value.
pub(crate) fn tag_pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// `TooManyTags` when a resource would carry `count` (> 50) tags.
pub(crate) fn check_tag_count(arn: &str, count: usize) -> ApiResult<()> {
    if count > MAX_TAGS {
        return Err(ApiError::new(
            ErrorCode::TooManyTags,
            format!("Tags exceed the maximum of {MAX_TAGS} tags per resource: '{arn}'"),
        )
        .with_resource_name(arn));
    }
    Ok(())
}
