//! CreateActivity, DescribeActivity, DeleteActivity, ListActivities.

use estado_api::arn::{ActivityArn, ArnScope};
use estado_api::names::check_name;
use estado_api::paging;
use estado_api::shapes::{
    ActivityListItem, CreateActivityInput, CreateActivityOutput, DeleteActivityInput,
    DeleteActivityOutput, DescribeActivityInput, DescribeActivityOutput, ListActivitiesInput,
    ListActivitiesOutput,
};
use estado_store::{Activity, StoreError};
use estado_types::history::Timestamp;

use super::tags::{check_tag_count, tag_pairs};
use super::{internal, ApiError, ApiResult, Ctx, ErrorCode, Service};

impl Service {
    /// Creates an activity. Idempotent by name: a repeat returns the original ARN and creation
    /// date and ignores its tags; a repeat with another encryption configuration is
    /// `ActivityAlreadyExists`.
    pub async fn create_activity(
        &self,
        ctx: &Ctx,
        req: CreateActivityInput,
    ) -> ApiResult<CreateActivityOutput> {
        check_name(&req.name)?;
        let arn = ArnScope::new(&ctx.region, &ctx.account)
            .activity(&req.name)
            .to_string();
        let tags = tag_pairs(req.tags.as_deref().unwrap_or_default());
        check_tag_count(&arn, tags.len())?;
        let encryption = req
            .encryption_configuration
            .as_ref()
            .and_then(|e| estado_json::to_value(e).ok());
        let now = self.now_ms();
        let activity = Activity {
            arn: arn.clone(),
            name: req.name,
            created_ms: now,
            encryption: encryption.clone(),
        };
        match self.store.create_activity(activity).await {
            Ok(()) => {
                if !tags.is_empty() {
                    self.store.tag(&arn, tags).await.map_err(internal)?;
                }
                Ok(CreateActivityOutput {
                    activity_arn: arn,
                    creation_date: Timestamp::from_millis(now),
                })
            }
            Err(StoreError::AlreadyExists(_)) => {
                let existing = self.activity_record(&arn).await?;
                if existing.encryption != encryption {
                    return Err(ApiError::new(
                        ErrorCode::ActivityAlreadyExists,
                        format!("Activity Already Exists: '{arn}'"),
                    ));
                }
                Ok(CreateActivityOutput {
                    activity_arn: existing.arn,
                    creation_date: Timestamp::from_millis(existing.created_ms),
                })
            }
            Err(e) => Err(internal(e)),
        }
    }

    pub async fn describe_activity(
        &self,
        _ctx: &Ctx,
        req: DescribeActivityInput,
    ) -> ApiResult<DescribeActivityOutput> {
        let arn = ActivityArn::parse(&req.activity_arn)?.to_string();
        let activity = self.activity_record(&arn).await?;
        Ok(DescribeActivityOutput {
            activity_arn: activity.arn,
            name: activity.name,
            creation_date: Timestamp::from_millis(activity.created_ms),
            encryption_configuration: activity
                .encryption
                .and_then(|v| estado_json::from_value(v).ok()),
        })
    }

    /// Deletes an activity and its tags. Idempotent.
    pub async fn delete_activity(
        &self,
        _ctx: &Ctx,
        req: DeleteActivityInput,
    ) -> ApiResult<DeleteActivityOutput> {
        let arn = ActivityArn::parse(&req.activity_arn)?.to_string();
        self.store.delete_activity(&arn).await.map_err(internal)?;
        Ok(DeleteActivityOutput {})
    }

    /// Activities in creation order, a page at a time.
    pub async fn list_activities(
        &self,
        _ctx: &Ctx,
        req: ListActivitiesInput,
    ) -> ApiResult<ListActivitiesOutput> {
        const SCOPE: &str = "ListActivities";
        let limit = paging::page_size(req.max_results);
        let after: Option<String> = super::page_cursor(SCOPE, &req.next_token)?;
        let rows = self
            .store
            .list_activities(after.as_deref(), limit + 1)
            .await
            .map_err(internal)?;
        let (page, next_token) = super::page_out(rows, limit, SCOPE, |r| r.arn.clone());
        Ok(ListActivitiesOutput {
            activities: page
                .into_iter()
                .map(|a| ActivityListItem {
                    activity_arn: a.arn,
                    name: a.name,
                    creation_date: Timestamp::from_millis(a.created_ms),
                })
                .collect(),
            next_token,
        })
    }

    /// The activity at `arn`, or AWS's `ActivityDoesNotExist`.
    pub(crate) async fn activity_record(&self, arn: &str) -> ApiResult<Activity> {
        self.store
            .get_activity(arn)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ActivityDoesNotExist,
                    format!("Activity Does Not Exist: '{arn}'"),
                )
            })
    }
}
