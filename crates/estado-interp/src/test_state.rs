//! TestState: one state run on its own, as AWS's `TestState` API runs it.
//!
//! The state is placed in a small machine of its own: it is the start state, named
//! [`TESTED_STATE_NAME`] as AWS names it (its context object shows that name, whatever the
//! state is called in its machine), and every state it can transition to is a `Succeed`
//! placeholder. That machine is run by the real interpreter, so outputs, errors and causes are
//! exactly those of an execution; the state's task (if any) gets the mock as its result. The
//! stages of the data flow (`afterInputPath`, `afterParameters`, ...) are computed alongside
//! with the same functions the interpreter uses.
//!
//! - Retry: a failure a retrier would retry is `RETRIABLE`, with the backoff of that retry;
//!   `retrier_retry_count` says how many retries happened before (the retriers are given that
//!   many fewer attempts and the backoff that many more multiplications).
//! - Catch: a failure a catcher handles is `CAUGHT_ERROR`, with the catcher's output and its
//!   `Next` as `next_state`.
//! - Map and Parallel states are tested only with a mock, which stands for their whole result.

use std::collections::BTreeSet;
use std::sync::Arc;

use estado_asl::model::{Flow, JsonPathFlow, Kind, Program, State, ROOT};
use estado_asl::validate::{self, Diagnostic, Options};
use estado_json::{json, Map, Value};
use estado_types::history::{EventDetails as D, HistoryEvent, StateExitedEventDetails};
use estado_types::{errors, Scope, SplitMix64, StatesError};

use crate::context::{self, StateFacts};
use crate::vars::Scopes;
use crate::{flow, Delivery, Effect, Env, ExecInfo, Execution, MachineType, Status};

/// The name AWS gives the tested state (`$$.State.Name` reads it).
pub const TESTED_STATE_NAME: &str = "StateName";

/// The resource a mocked Map or Parallel state runs as: its mock is its whole result.
const MOCKED_FANOUT_RESOURCE: &str = "arn:aws:states:::estado:testState.mockedResult";

/// AWS's error when a tested Map's failures exceed its tolerance.
const TOLERANCE_EXCEEDED: &str = "The specified tolerated failure threshold was exceeded";

/// What the state's work returns instead of calling anything.
#[derive(Debug, Clone, PartialEq)]
pub enum Mock {
    Result(Value),
    Error {
        error: String,
        cause: Option<String>,
    },
}

/// One TestState call.
#[derive(Debug, Clone)]
pub struct TestStateRequest {
    /// A single state's definition, or a whole machine when `state_name` is set.
    pub definition: Value,
    pub state_name: Option<String>,
    pub input: Value,
    /// Variables in scope when the state runs.
    pub variables: Map,
    pub mock: Option<Mock>,
    pub role_arn: Option<String>,
    /// Retries already made by the retrier that handles the mocked error.
    pub retrier_retry_count: u32,
    /// Failed iterations of a mocked Map, checked against its tolerated failures.
    pub map_iteration_failure_count: Option<u32>,
    /// Facts of the (express) execution the test pretends to be.
    pub execution_arn: String,
    pub execution_name: String,
    pub state_machine_arn: String,
    pub state_machine_name: String,
    pub now_millis: i64,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Succeeded,
    Failed,
    Retriable,
    CaughtError,
}

impl TestStatus {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Succeeded => "SUCCEEDED",
            TestStatus::Failed => "FAILED",
            TestStatus::Retriable => "RETRIABLE",
            TestStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// Which retrier or catcher handled the error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorDetails {
    pub catch_index: Option<usize>,
    pub retry_index: Option<usize>,
    pub retry_backoff_interval_seconds: Option<u64>,
}

/// The data at each stage of the state's data flow; stages the state does not have, or did
/// not reach, are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    pub input: Value,
    pub after_input_path: Option<Value>,
    pub after_parameters: Option<Value>,
    pub after_arguments: Option<Value>,
    pub result: Option<Value>,
    pub after_result_selector: Option<Value>,
    pub after_result_path: Option<Value>,
    /// The variables after the state: those given, with the state's assignments.
    pub variables: Option<Value>,
    pub error_details: Option<ErrorDetails>,
    pub max_concurrency: Option<i64>,
    pub tolerated_failure_count: Option<i64>,
    pub tolerated_failure_percentage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestStateResult {
    pub status: TestStatus,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub next_state: Option<String>,
    pub inspection: Inspection,
}

/// Why a state cannot be tested.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TestStateError {
    /// The definition has errors (AWS's `InvalidDefinition`).
    #[error("invalid definition: {} problem(s)", .0.len())]
    Diagnostics(Vec<Diagnostic>),
    /// The definition cannot be tested as given (AWS's `InvalidDefinition`, with this message).
    #[error("{0}")]
    Unsupported(String),
    /// The request does not fit the state (AWS's `ValidationException`, with this message).
    #[error("{0}")]
    Validation(String),
}

/// Runs the state of `req` once. Pure: time and randomness come from the request.
pub fn test_state(req: TestStateRequest) -> Result<TestStateResult, TestStateError> {
    let (state_def, machine_ql) = tested_state(&req)?;
    let kind = state_def
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    check_request(&req, &kind, &state_def)?;
    let targets = transition_targets(&state_def);
    let name = unique_name(&targets);
    if req.state_name.is_none() {
        let machine = wrapper(&state_def, &name, &targets, None);
        let diagnostics = validate::validate(&machine, &Options::default());
        if !validate::is_valid(&diagnostics) {
            return Err(TestStateError::Diagnostics(diagnostics));
        }
    }

    let run_def = runnable(
        &state_def,
        &kind,
        req.mock.is_some(),
        req.retrier_retry_count,
    );
    let program = estado_asl::compile(&wrapper(&run_def, &name, &targets, machine_ql.as_ref()))
        .map_err(|e| TestStateError::Unsupported(e.to_string()))?;
    let list = &program.lists[ROOT as usize];
    let Some(state) = list.states.get(list.start_at as usize) else {
        return Err(TestStateError::Unsupported(
            "The state to test is missing".into(),
        ));
    };

    let input = Arc::new(req.input.clone());
    let info = ExecInfo {
        execution_arn: req.execution_arn.clone().into(),
        name: req.execution_name.clone().into(),
        state_machine_arn: req.state_machine_arn.clone().into(),
        state_machine_name: req.state_machine_name.clone().into(),
        role_arn: req.role_arn.clone().unwrap_or_default().into(),
        start_millis: req.now_millis,
        input: input.clone(),
        machine_type: MachineType::Express,
        seed: req.seed,
        redrive_count: None,
        test_case: None,
    };
    let env = Env {
        now_millis: req.now_millis,
    };
    let mut x = Execution::start(&program, info.clone(), env);
    x.scopes
        .assign(0, req.variables.clone())
        .map_err(TestStateError::Validation)?;
    let work = mocked_work(&req, &kind, &state_def);
    let run = drive(&mut x, &program, env, work.as_ref(), &kind);

    // The data-flow stages, recomputed with the interpreter's own functions.
    let mut scopes = Scopes::new();
    // Checked above: the same assignment succeeded on the execution's scopes.
    let _ = scopes.assign(0, req.variables.clone());
    let ctx = context::build(
        &info,
        &StateFacts {
            name: &name,
            entered_millis: req.now_millis,
            retry_count: matches!(state.kind, Kind::Task(_)).then_some(0),
            task_token: None,
            map_item: None,
        },
    );
    let rng = SplitMix64::new(req.seed);
    let vars = scopes.view(0);
    let scope = Scope {
        context: &ctx,
        vars: &vars,
        entropy: &rng,
        now_millis: req.now_millis,
    };
    let mut inspection = Inspection {
        input: req.input.clone(),
        ..Inspection::default()
    };
    let work_result = match &work {
        Some(Ok(v)) => Some(v),
        _ => None,
    };
    let stage_error = stages(state, &input, &scope, work_result, &run, &mut inspection)
        .err()
        .map(|e| located(e, &name, run.entered_id));
    fanout_settings(&state_def, &kind, &mut inspection);

    let history = x.history();
    let next_state = entered_names(&history).nth(1).map(str::to_owned);
    let exit = history
        .iter()
        .filter_map(|e| exited(&e.details))
        .find(|d| *d.name == *name);
    inspection.variables = variables_after(&req.variables, exit);

    let error_seen = run.delivered_error.clone().or(stage_error);
    let mut details = ErrorDetails::default();
    if let Some(e) = &error_seen {
        details.retry_index = state.retry.iter().position(|r| e.matches(&r.errors));
    }
    let caught_by = |next: &str| {
        error_seen.as_ref().and_then(|e| {
            state
                .catch
                .iter()
                .position(|c| e.matches(&c.errors))
                .filter(|&i| {
                    list.states
                        .get(state.catch[i].next as usize)
                        .is_some_and(|s| s.name.as_ref() == next)
                })
        })
    };
    let (error, cause) = split(error_seen.clone());
    let result = match x.status() {
        Status::Succeeded { output } => {
            let catch_index = next_state.as_deref().and_then(caught_by);
            details.catch_index = catch_index;
            TestStateResult {
                status: if catch_index.is_some() {
                    TestStatus::CaughtError
                } else {
                    TestStatus::Succeeded
                },
                output: Some((**output).clone()),
                error: catch_index.and(error),
                cause: catch_index.and(cause),
                next_state: next_state.filter(|n| *n != name),
                inspection: Inspection::default(),
            }
        }
        Status::Running if run.retry_due.is_some() => {
            details.retry_backoff_interval_seconds = run
                .retry_due
                .map(|due| u64::try_from((due - req.now_millis) / 1000).unwrap_or(0));
            TestStateResult {
                status: TestStatus::Retriable,
                output: None,
                error,
                cause,
                next_state: None,
                inspection: Inspection::default(),
            }
        }
        Status::Failed { error, cause }
        | Status::TimedOut { error, cause }
        | Status::Aborted { error, cause } => TestStateResult {
            status: TestStatus::Failed,
            output: None,
            error: error.clone(),
            cause: cause.clone(),
            next_state: None,
            inspection: Inspection::default(),
        },
        Status::Running => TestStateResult {
            status: TestStatus::Failed,
            output: None,
            error: Some(errors::RUNTIME.into()),
            cause: Some(
                "The state did not finish: it waits for something TestState cannot give it.".into(),
            ),
            next_state: None,
            inspection: Inspection::default(),
        },
    };
    if details != ErrorDetails::default() {
        inspection.error_details = Some(details);
    }
    Ok(TestStateResult {
        inspection,
        ..result
    })
}

/// The tested state's definition and the machine's `QueryLanguage` (which it inherits).
fn tested_state(req: &TestStateRequest) -> Result<(Value, Option<Value>), TestStateError> {
    let Some(state_name) = &req.state_name else {
        if !req.definition.is_object() {
            return Err(TestStateError::Unsupported(
                "The definition of the state to test must be a JSON object".into(),
            ));
        }
        return Ok((req.definition.clone(), None));
    };
    let diagnostics = validate::validate(&req.definition, &Options::default());
    if !validate::is_valid(&diagnostics) {
        return Err(TestStateError::Diagnostics(diagnostics));
    }
    let state = req
        .definition
        .get("States")
        .and_then(|s| s.get(state_name))
        .ok_or_else(|| {
            TestStateError::Validation(format!(
                "State '{state_name}' does not exist in the state machine definition"
            ))
        })?;
    Ok((state.clone(), req.definition.get("QueryLanguage").cloned()))
}

/// AWS's request rules: what may be mocked, what must be, and the mock's shape.
fn check_request(req: &TestStateRequest, kind: &str, def: &Value) -> Result<(), TestStateError> {
    let fanout = kind == "Map" || kind == "Parallel";
    match &req.mock {
        None if fanout => Err(TestStateError::Unsupported(
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]".into(),
        )),
        None if kind == "Task" && req.role_arn.is_none() => Err(TestStateError::Validation(
            "RoleArn must be specified when testing a Task state".into(),
        )),
        Some(_) if !fanout && kind != "Task" => Err(TestStateError::Validation(format!(
            "State type '{kind}' is not supported when a mock is specified"
        ))),
        Some(Mock::Result(result)) if fanout => {
            let writes_results = kind == "Map" && def.get("ResultWriter").is_some();
            if writes_results && !result.is_object() {
                return Err(TestStateError::Validation(
                    "Mocked result must be a JSON object.".into(),
                ));
            }
            let Some(items) = result.as_array().filter(|_| !writes_results) else {
                return if writes_results {
                    Ok(())
                } else {
                    Err(TestStateError::Validation(
                        "Mocked result must be an array.".into(),
                    ))
                };
            };
            let branches = def.get("Branches").and_then(Value::as_array).map(Vec::len);
            if kind == "Parallel" && branches != Some(items.len()) {
                return Err(TestStateError::Validation(
                    "Mocked result must contain the same number of items as number of Parallel branches.".into(),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every state name the state can transition to (`Next`, `Default`, choice rules, catchers).
fn transition_targets(def: &Value) -> BTreeSet<String> {
    let mut targets = BTreeSet::new();
    let mut add = |v: Option<&Value>| {
        if let Some(name) = v.and_then(Value::as_str) {
            targets.insert(name.to_owned());
        }
    };
    add(def.get("Next"));
    add(def.get("Default"));
    for list in ["Choices", "Catch"] {
        for item in def
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(item.get("Next"));
        }
    }
    targets
}

/// [`TESTED_STATE_NAME`], unless a transition target has that name.
fn unique_name(targets: &BTreeSet<String>) -> String {
    let mut name = TESTED_STATE_NAME.to_owned();
    while targets.contains(&name) {
        name.push('_');
    }
    name
}

/// The state as it is run: a mocked Map or Parallel becomes a Task whose result is the mock
/// (keeping the fields that shape its input and result), and retriers start where
/// `retries_done` earlier retries left them.
fn runnable(def: &Value, kind: &str, mocked: bool, retries_done: u32) -> Value {
    let mut def = def.clone();
    if mocked && (kind == "Map" || kind == "Parallel") {
        let mut keep = vec![
            "Comment",
            "QueryLanguage",
            "InputPath",
            "ResultSelector",
            "ResultPath",
            "OutputPath",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "Next",
            "End",
        ];
        if kind == "Parallel" {
            keep.extend(["Parameters", "Arguments"]);
        }
        let mut task = Map::new();
        task.insert("Type", json!("Task"));
        task.insert("Resource", json!(MOCKED_FANOUT_RESOURCE));
        for field in keep {
            if let Some(v) = def.get(field) {
                task.insert(field, v.clone());
            }
        }
        def = Value::Object(task);
    }
    if retries_done > 0 {
        let retriers = def.get_mut("Retry").and_then(Value::as_array_mut);
        for r in retriers.into_iter().flatten() {
            let interval = r
                .get("IntervalSeconds")
                .and_then(Value::as_f64)
                .unwrap_or(1.0);
            let rate = r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0);
            let attempts = r.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3);
            let exponent = i32::try_from(retries_done).unwrap_or(i32::MAX);
            if let Some(r) = r.as_object_mut() {
                r.insert("IntervalSeconds", json!(interval * rate.powi(exponent)));
                r.insert(
                    "MaxAttempts",
                    json!(attempts.saturating_sub(u64::from(retries_done))),
                );
            }
        }
    }
    def
}

/// A machine of the tested state and a `Succeed` placeholder per transition target.
fn wrapper(state: &Value, name: &str, targets: &BTreeSet<String>, ql: Option<&Value>) -> Value {
    let mut states = Map::new();
    states.insert(name.to_owned(), state.clone());
    for target in targets {
        states.insert(target.clone(), json!({"Type": "Succeed"}));
    }
    let mut machine = Map::new();
    if let Some(ql) = ql {
        machine.insert("QueryLanguage", ql.clone());
    }
    machine.insert("StartAt", json!(name));
    machine.insert("States", Value::Object(states));
    Value::Object(machine)
}

/// What the state's task returns: the mock, or for a mocked Map whose failed iterations
/// exceed its tolerance, that failure.
fn mocked_work(
    req: &TestStateRequest,
    kind: &str,
    def: &Value,
) -> Option<Result<Value, StatesError>> {
    let mock = req.mock.as_ref()?;
    if let (Some(failed), "Map", Mock::Result(Value::Array(items))) =
        (req.map_iteration_failure_count, kind, mock)
    {
        let count = def.get("ToleratedFailureCount").and_then(Value::as_u64);
        let percent = def
            .get("ToleratedFailurePercentage")
            .and_then(Value::as_f64);
        let total = items.len().max(1) as f64;
        let exceeded = count.is_some_and(|c| u64::from(failed) > c)
            || percent.is_some_and(|p| f64::from(failed) * 100.0 / total > p);
        if exceeded {
            return Some(Err(StatesError::new(
                errors::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                TOLERANCE_EXCEEDED,
            )));
        }
    }
    Some(match mock {
        Mock::Result(v) => Ok(v.clone()),
        Mock::Error { error, cause } => Err(StatesError::new(
            error.clone(),
            cause.clone().unwrap_or_default(),
        )),
    })
}

/// What happened while the machine ran.
#[derive(Debug, Default)]
struct Run {
    /// The effective input the task was scheduled with.
    task_input: Option<Arc<Value>>,
    /// The failure the task was given (the mock's, or the missing runner's).
    delivered_error: Option<StatesError>,
    /// When the state waits to be retried: the retry's due time.
    retry_due: Option<i64>,
    /// Id of the tested state's `…StateEntered` event.
    entered_id: i64,
}

/// Runs the machine until it ends or waits for a retry: tasks get `work` (a task without one
/// fails, naming its resource), Wait states do not wait.
fn drive(
    x: &mut Execution,
    program: &Program,
    env: Env,
    work: Option<&Result<Value, StatesError>>,
    kind: &str,
) -> Run {
    let mut run = Run::default();
    let mut effects = x.run(program, env);
    // Each round answers one task or timer; the tested state needs at most a few.
    for _ in 0..16 {
        if x.status().is_terminal() {
            break;
        }
        let task = effects.iter().find_map(|e| match e {
            Effect::RunTask(t) => Some(t.clone()),
            _ => None,
        });
        let timer = effects.iter().find_map(|e| match e {
            Effect::StartTimer { id, due_millis } => Some((*id, *due_millis)),
            _ => None,
        });
        let delivery = match (task, timer) {
            (Some(t), _) => {
                run.task_input.get_or_insert_with(|| t.input.clone());
                match work {
                    Some(Ok(v)) => Delivery::TaskSucceeded {
                        id: t.id,
                        output: v.clone(),
                    },
                    Some(Err(e)) => {
                        run.delivered_error = Some(e.clone());
                        Delivery::TaskFailed {
                            id: t.id,
                            error: e.error.clone(),
                            cause: e.cause.clone(),
                        }
                    }
                    None => {
                        let e = StatesError::new(
                            errors::TASK_FAILED,
                            format!("TestState cannot invoke the resource '{}': give the test a mock result or errorOutput.", t.resource),
                        );
                        run.delivered_error = Some(e.clone());
                        Delivery::TaskFailed {
                            id: t.id,
                            error: e.error,
                            cause: e.cause,
                        }
                    }
                }
            }
            (None, Some((id, _))) if kind == "Wait" => Delivery::TimerFired { id },
            (None, Some((_, due))) => {
                run.retry_due = Some(due);
                break;
            }
            (None, None) => break,
        };
        x.deliver(program, delivery, env);
        effects = x.run(program, env);
    }
    run.entered_id = x
        .history()
        .iter()
        .find(|e| entered_name(&e.details).is_some())
        .map_or(0, |e| e.id);
    run
}

/// Fills the data-flow stages of `inspection`; an error ends them where it happened.
fn stages(
    state: &State,
    input: &Arc<Value>,
    scope: &Scope,
    work: Option<&Value>,
    run: &Run,
    insp: &mut Inspection,
) -> Result<(), StatesError> {
    match &state.flow {
        Flow::JsonPath(fl) => jsonpath_stages(state, fl, input, scope, work, run, insp),
        Flow::Jsonata(fl) => {
            if !matches!(state.kind, Kind::Task(_)) {
                return Ok(());
            }
            let mut states = json!({"input": &**input, "context": scope.context});
            let args = match (&run.task_input, &fl.arguments) {
                (Some(scheduled), _) => (**scheduled).clone(),
                (None, Some(t)) => t.eval(&states, scope, "Arguments")?,
                (None, None) => (**input).clone(),
            };
            insp.after_arguments = Some(args);
            let Some(result) = work else { return Ok(()) };
            insp.result = Some(result.clone());
            if let (Some(t), Some(obj)) = (&fl.output, states.as_object_mut()) {
                obj.insert("result", result.clone());
                t.eval(&states, scope, "Output")?;
            }
            Ok(())
        }
    }
}

fn jsonpath_stages(
    state: &State,
    fl: &JsonPathFlow,
    input: &Arc<Value>,
    scope: &Scope,
    work: Option<&Value>,
    run: &Run,
    insp: &mut Inspection,
) -> Result<(), StatesError> {
    let result = match &state.kind {
        // AWS shows a Pass state with a Result as its result alone.
        Kind::Pass { result: Some(r) } => Arc::new(r.clone()),
        Kind::Pass { result: None } => {
            let after_input = flow::input_path(fl, input, scope)?;
            insp.after_input_path = Some((*after_input).clone());
            let effective = flow::effective_input(fl, input, scope)?;
            insp.after_parameters = Some((*effective).clone());
            insp.after_result_selector = Some((*effective).clone());
            let out = flow::result_path(&fl.result_path, input, effective)?;
            insp.after_result_path = Some((*out).clone());
            flow::output_path(fl, out, scope)?;
            return Ok(());
        }
        Kind::Task(_) => {
            let after_input = flow::input_path(fl, input, scope)?;
            insp.after_input_path = Some((*after_input).clone());
            let effective = match &run.task_input {
                Some(scheduled) => scheduled.clone(),
                None => flow::effective_input(fl, input, scope)?,
            };
            insp.after_parameters = Some((*effective).clone());
            match work {
                Some(r) => Arc::new(r.clone()),
                None => return Ok(()),
            }
        }
        _ => {
            insp.after_input_path = Some((*flow::input_path(fl, input, scope)?).clone());
            return Ok(());
        }
    };
    insp.result = Some((*result).clone());
    let selected = flow::result_selector(fl, result, scope)?;
    insp.after_result_selector = Some((*selected).clone());
    let out = flow::result_path(&fl.result_path, input, selected)?;
    insp.after_result_path = Some((*out).clone());
    flow::output_path(fl, out, scope)?;
    Ok(())
}

/// A Map's concurrency and tolerance as written (AWS reports `maxConcurrency` 0 by default).
fn fanout_settings(def: &Value, kind: &str, insp: &mut Inspection) {
    if kind != "Map" {
        return;
    }
    insp.max_concurrency = Some(
        def.get("MaxConcurrency")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    );
    insp.tolerated_failure_count = def.get("ToleratedFailureCount").and_then(Value::as_i64);
    insp.tolerated_failure_percentage = def
        .get("ToleratedFailurePercentage")
        .and_then(Value::as_f64);
}

/// Evaluation errors carry AWS's location prefix, as the interpreter writes it.
fn located(mut e: StatesError, name: &str, entered_id: i64) -> StatesError {
    let evaluation = [
        errors::RUNTIME,
        errors::QUERY_EVALUATION_ERROR,
        errors::INTRINSIC_FAILURE,
    ];
    if evaluation.contains(&e.error.as_str()) {
        e.cause = format!(
            "An error occurred while executing the state '{name}' (entered at the event id #{entered_id}). {}",
            e.cause
        );
    }
    e
}

fn split(e: Option<StatesError>) -> (Option<String>, Option<String>) {
    match e {
        Some(e) => (
            Some(e.error).filter(|s| !s.is_empty()),
            Some(e.cause).filter(|s| !s.is_empty()),
        ),
        None => (None, None),
    }
}

/// The given variables with the state's assignments; `None` when there are none.
fn variables_after(given: &Map, exit: Option<&StateExitedEventDetails>) -> Option<Value> {
    let mut vars = given.clone();
    let assigned = exit.and_then(|d| d.assigned_variables.as_ref());
    for (k, v) in assigned.map(|a| a.0.as_slice()).unwrap_or_default() {
        vars.insert(k.clone(), v.value().into_owned());
    }
    (!vars.is_empty()).then_some(Value::Object(vars))
}

fn entered_names(history: &[HistoryEvent]) -> impl Iterator<Item = &str> {
    history.iter().filter_map(|e| entered_name(&e.details))
}

fn entered_name(d: &D) -> Option<&str> {
    match d {
        D::ChoiceStateEntered(e)
        | D::FailStateEntered(e)
        | D::MapStateEntered(e)
        | D::ParallelStateEntered(e)
        | D::PassStateEntered(e)
        | D::SucceedStateEntered(e)
        | D::TaskStateEntered(e)
        | D::WaitStateEntered(e) => Some(&e.name),
        _ => None,
    }
}

fn exited(d: &D) -> Option<&StateExitedEventDetails> {
    match d {
        D::ChoiceStateExited(e)
        | D::MapStateExited(e)
        | D::ParallelStateExited(e)
        | D::PassStateExited(e)
        | D::SucceedStateExited(e)
        | D::TaskStateExited(e)
        | D::WaitStateExited(e) => Some(e),
        _ => None,
    }
}
