//! The seam between the engine and whatever does a Task state's work.
//!
//! The engine hands a [`TaskRequest`] (resource, effective input, token, timeouts) and the
//! execution's [`ExecInfo`] to the [`Registry`]; the first runner that [`handles`] the resource
//! runs it and answers with the [`Delivery`] the interpreter gets back. Activities and
//! callbacks are not runners: the engine queues them for `GetActivityTask` / `SendTask*`.
//!
//! [`handles`]: TaskRunner::handles

use std::sync::Arc;

use async_trait::async_trait;
pub use estado_interp::{Delivery, ExecInfo, TaskRequest};

pub mod http;
pub mod lambda;
pub mod mock;
pub use http::HttpRunner;
pub use lambda::LambdaRunner;
pub use mock::{MockConfig, Mocks};

/// Runs the resources it [`handles`](TaskRunner::handles).
#[async_trait]
pub trait TaskRunner: Send + Sync + 'static {
    /// Whether this runner takes `resource`. Decided from the resource alone, with no side
    /// effect, so the engine can route a task before running it.
    fn handles(&self, resource: &str) -> bool;

    /// Run the task to its outcome: `TaskSucceeded`, `TaskFailed` or `TaskStartFailed` with
    /// `req.id`. For `.waitForTaskToken` resources the outcome of the call itself: success means
    /// the call went out and the engine waits for the token; a failure fails the state.
    async fn run(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery;
}

/// The runners of one process, asked in order, after the mocks (when a mock config is in use
/// and the execution's test case mocks the state).
#[derive(Clone, Default)]
pub struct Registry {
    runners: Vec<Arc<dyn TaskRunner>>,
    mocks: Option<Arc<Mocks>>,
}

impl Registry {
    pub fn new(runners: Vec<Arc<dyn TaskRunner>>) -> Self {
        Registry {
            runners,
            mocks: None,
        }
    }

    /// Answers mocked states from `mocks` before any runner.
    pub fn with_mocks(mut self, mocks: Arc<Mocks>) -> Self {
        self.mocks = Some(mocks);
        self
    }

    pub fn mocks(&self) -> Option<&Arc<Mocks>> {
        self.mocks.as_ref()
    }

    /// Whether the execution's test case mocks the state `state_name` (its tasks, activities
    /// included, are then answered by [`Registry::run`] at once, whatever the resource).
    pub fn mocked(&self, info: &ExecInfo, state_name: &str) -> bool {
        self.mocks
            .as_ref()
            .is_some_and(|m| m.mocks(info, state_name))
    }

    pub fn push(&mut self, runner: Arc<dyn TaskRunner>) {
        self.runners.push(runner);
    }

    /// The runner for `resource`, if any.
    pub fn find(&self, resource: &str) -> Option<&Arc<dyn TaskRunner>> {
        self.runners.iter().find(|r| r.handles(resource))
    }

    /// Run `req` with its runner; without one, the task fails with an error that names the
    /// resource and the state (never a hang, never a silent success).
    pub async fn run(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery {
        if let Some(d) = self.mocks.as_ref().and_then(|m| m.run(info, req)) {
            return d;
        }
        match self.find(&req.resource) {
            Some(r) => r.run(info, req).await,
            None => Delivery::TaskFailed {
                id: req.id,
                error: "States.TaskFailed".into(),
                cause: no_runner_cause(&req.resource, &req.state_name),
            },
        }
    }
}

/// Why a task whose resource nothing can run failed: it names the resource and the state, and
/// says how to mock it or what Estado can run instead.
pub fn no_runner_cause(resource: &str, state_name: &str) -> String {
    format!(
        "Estado cannot run the resource '{resource}' of state '{state_name}': it calls a service Estado does not host or reach. \
         Mock it for tests with Step Functions Local's mock config (SFN_MOCK_CONFIG=file or ./MockConfigFile.json: \
         StateMachines -> TestCases -> '{state_name}' -> a MockedResponses entry, then start the execution with \
         'arn:...:stateMachine:NAME#TestCase'), or call it through a Lambda function ([functions] in estado.toml), \
         an HTTP Task (arn:aws:states:::http:invoke) or an activity."
    )
}
