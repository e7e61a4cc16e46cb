//! GetActivityTask (long poll), SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.

use std::time::Duration;

use estado_api::arn::ActivityArn;
use estado_api::shapes::*;
use estado_api::{ApiError, ErrorCode};
use estado_interp::Delivery;

use super::{internal, ApiResult, Ctx, Service};

/// How long GetActivityTask waits for work before answering with no task (AWS: 60 s).
pub const ACTIVITY_POLL: Duration = Duration::from_secs(60);

/// A token Estado never issued is `InvalidToken`; one it issued for a task that has since
/// closed is `TaskTimedOut`, as AWS answers.
fn task_missing(token: &str) -> ApiError {
    let ours = token.len() == 128 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if ours {
        ApiError::new(
            ErrorCode::TaskTimedOut,
            "Task Timed Out: 'Provided task does not exist anymore'",
        )
    } else {
        ApiError::new(ErrorCode::InvalidToken, "Invalid Token: 'Invalid token'")
    }
}

impl Service {
    pub async fn get_activity_task(
        &self,
        _ctx: &Ctx,
        req: GetActivityTaskInput,
    ) -> ApiResult<GetActivityTaskOutput> {
        ActivityArn::parse(&req.activity_arn)?;
        if self
            .store
            .get_activity(&req.activity_arn)
            .await
            .map_err(internal)?
            .is_none()
        {
            return Err(ApiError::new(
                ErrorCode::ActivityDoesNotExist,
                format!("Activity Does Not Exist: '{}'", req.activity_arn),
            ));
        }
        let worker = req.worker_name.clone().unwrap_or_default();
        let deadline = tokio::time::Instant::now() + self.activity_poll;
        loop {
            // Register interest before looking, so a task committed in between wakes us.
            let ready = self.runtime.activity_ready.notified();
            if let Some(task) = self
                .store
                .claim_activity_task(&req.activity_arn, &worker, self.now_ms())
                .await
                .map_err(internal)?
            {
                self.runtime
                    .deliver(
                        &task.execution_arn,
                        None,
                        Delivery::TaskStarted {
                            id: task.effect_id,
                            worker: req.worker_name.clone(),
                        },
                    )
                    .await
                    .map_err(internal)?;
                return Ok(GetActivityTaskOutput {
                    task_token: Some(task.token),
                    input: Some(task.input),
                });
            }
            if tokio::time::timeout_at(deadline, ready).await.is_err() {
                return Ok(GetActivityTaskOutput {
                    task_token: None,
                    input: None,
                });
            }
        }
    }

    pub async fn send_task_success(
        &self,
        _ctx: &Ctx,
        req: SendTaskSuccessInput,
    ) -> ApiResult<SendTaskSuccessOutput> {
        let output: estado_json::Value = estado_json::from_str(&req.output).map_err(|e| {
            ApiError::new(ErrorCode::InvalidOutput, format!("Invalid Output: '{e}'"))
        })?;
        let task = self.take_task(&req.task_token).await?;
        self.runtime
            .deliver(
                &task.execution_arn,
                Some(task.effect_id),
                Delivery::TaskSucceeded {
                    id: task.effect_id,
                    output,
                },
            )
            .await
            .map_err(internal)?;
        Ok(SendTaskSuccessOutput {})
    }

    pub async fn send_task_failure(
        &self,
        _ctx: &Ctx,
        req: SendTaskFailureInput,
    ) -> ApiResult<SendTaskFailureOutput> {
        let task = self.take_task(&req.task_token).await?;
        self.runtime
            .deliver(
                &task.execution_arn,
                Some(task.effect_id),
                Delivery::TaskFailed {
                    id: task.effect_id,
                    error: req.error.unwrap_or_default(),
                    cause: req.cause.unwrap_or_default(),
                },
            )
            .await
            .map_err(internal)?;
        Ok(SendTaskFailureOutput {})
    }

    pub async fn send_task_heartbeat(
        &self,
        _ctx: &Ctx,
        req: SendTaskHeartbeatInput,
    ) -> ApiResult<SendTaskHeartbeatOutput> {
        let task = self
            .store
            .task_by_token(&req.task_token)
            .await
            .map_err(internal)?
            .ok_or_else(|| task_missing(&req.task_token))?;
        self.runtime
            .deliver(
                &task.execution_arn,
                None,
                Delivery::TaskHeartbeat { id: task.effect_id },
            )
            .await
            .map_err(internal)?;
        Ok(SendTaskHeartbeatOutput {})
    }

    /// The task a token names, removed so that a second answer finds nothing.
    async fn take_task(&self, token: &str) -> ApiResult<estado_store::Task> {
        let task = self
            .store
            .task_by_token(token)
            .await
            .map_err(internal)?
            .ok_or_else(|| task_missing(token))?;
        if !self.store.finish_task(token).await.map_err(internal)? {
            return Err(task_missing(token));
        }
        Ok(task)
    }
}
