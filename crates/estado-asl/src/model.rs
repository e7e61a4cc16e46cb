//! The compiled form of a state machine: what the interpreter runs.
//!
//! States live in vectors indexed by [`StateId`]; each nested state list (a Parallel branch, a
//! Map's item processor) is a [`StateList`] in [`Program::lists`], indexed by [`ListId`].
//! Paths, templates and JSONata expressions are parsed once here, never per transition.

use std::sync::Arc;

use estado_expr::path::Path;
use estado_expr::template::{Dynamic, Template};
use estado_json::Value;
use estado_jsonata::JsonataTemplate;

pub type StateId = u32;
pub type ListId = u32;

/// The root list of every program.
pub const ROOT: ListId = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

#[derive(Debug, Clone)]
pub struct Program {
    /// `lists[ROOT]` is the top level; the others are branches and item processors.
    pub lists: Vec<StateList>,
    /// Top-level `TimeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    pub query_language: QueryLanguage,
}

#[derive(Debug, Clone)]
pub struct StateList {
    pub start_at: StateId,
    pub states: Vec<State>,
}

#[derive(Debug, Clone)]
pub struct State {
    pub name: Arc<str>,
    pub ql: QueryLanguage,
    pub kind: Kind,
    /// `Next`; `None` for terminal states (`End: true`, Succeed, Fail) and for Choice.
    pub next: Option<StateId>,
    pub flow: Flow,
    pub assign: Option<Assign>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    /// Whether any expression of this state can read the context object; when false the
    /// interpreter skips building it (it costs a copy of the execution input).
    pub needs_context: bool,
}

/// How data flows through a state.
#[derive(Debug, Clone)]
pub enum Flow {
    JsonPath(Box<JsonPathFlow>),
    Jsonata(JsonataFlow),
}

#[derive(Debug, Clone)]
pub struct JsonPathFlow {
    pub input_path: PathField,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: PathField,
    pub output_path: PathField,
}

#[derive(Debug, Clone, Default)]
pub struct JsonataFlow {
    pub arguments: Option<JsonataTemplate>,
    pub output: Option<JsonataTemplate>,
}

/// `InputPath`, `ResultPath`, `OutputPath`: absent (= `$`), `null`, or a path.
#[derive(Debug, Clone, Default)]
pub enum PathField {
    #[default]
    Default,
    Null,
    Path(Path),
}

#[derive(Debug, Clone)]
pub enum Assign {
    /// `"x.$"` members evaluated against the state's result (or input when it has none).
    JsonPath(Template),
    /// Every `{% %}` evaluated with `$states`.
    Jsonata(JsonataTemplate),
}

/// A field that may be a literal, a reference path (`*Path` fields), a path-or-intrinsic
/// (`ErrorPath`/`CausePath`), or a JSONata template.
#[derive(Debug, Clone)]
pub enum ValueSpec {
    Literal(Value),
    Path(Path),
    Dynamic(Dynamic),
    Jsonata(JsonataTemplate),
}

#[derive(Debug, Clone)]
pub enum Kind {
    Pass { result: Option<Value> },
    Task(Box<Task>),
    Choice(Box<Choice>),
    Wait(Wait),
    Succeed,
    Fail(Box<Fail>),
    Parallel { branches: Vec<ListId> },
    Map(Box<Map>),
}

impl Kind {
    /// The prefix of this state's history event names (`Pass` -> `PassStateEntered`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Pass { .. } => "Pass",
            Kind::Task(_) => "Task",
            Kind::Choice(_) => "Choice",
            Kind::Wait(_) => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail(_) => "Fail",
            Kind::Parallel { .. } => "Parallel",
            Kind::Map(_) => "Map",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    pub resource: String,
    pub timeout: Option<ValueSpec>,
    pub heartbeat: Option<ValueSpec>,
    pub credentials: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub rules: Vec<ChoiceRule>,
    pub default: Option<StateId>,
}

#[derive(Debug, Clone)]
pub struct ChoiceRule {
    pub cond: Cond,
    pub next: StateId,
    pub assign: Option<Assign>,
    pub output: Option<JsonataTemplate>,
}

#[derive(Debug, Clone)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Test { variable: Path, op: Op, rhs: Rhs },
    Jsonata(JsonataTemplate),
}

#[derive(Debug, Clone)]
pub enum Rhs {
    Value(Value),
    Path(Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

#[derive(Debug, Clone)]
pub enum Wait {
    Seconds(ValueSpec),
    Timestamp(ValueSpec),
}

#[derive(Debug, Clone)]
pub struct Fail {
    pub error: Option<ValueSpec>,
    pub cause: Option<ValueSpec>,
}

#[derive(Debug, Clone)]
pub enum Selector {
    JsonPath(Template),
    Jsonata(JsonataTemplate),
}

#[derive(Debug, Clone)]
pub struct Map {
    pub processor: ListId,
    /// JSONPath `ItemsPath` (default `$`).
    pub items_path: PathField,
    /// JSONata `Items`.
    pub items: Option<JsonataTemplate>,
    /// The `Items` expression's text, for error messages.
    pub items_text: String,
    pub item_selector: Option<Selector>,
    pub max_concurrency: Option<ValueSpec>,
    pub tolerated_failure_count: Option<ValueSpec>,
    pub tolerated_failure_percentage: Option<ValueSpec>,
    /// `ProcessorConfig.Mode == DISTRIBUTED`: run as inline here (no child executions yet),
    /// with distributed Map's data-flow rules.
    pub distributed: bool,
    pub item_batcher: Option<ItemBatcher>,
    /// `ItemReader.Resource` (reading items from S3 needs a service integration).
    pub item_reader: Option<String>,
}

/// A distributed Map's `ItemBatcher`: iterations receive `{"BatchInput", "Items": [...]}`.
#[derive(Debug, Clone)]
pub struct ItemBatcher {
    pub max_items: Option<ValueSpec>,
    pub max_bytes: Option<ValueSpec>,
    pub batch_input: Option<Selector>,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub errors: Vec<String>,
    pub interval_seconds: f64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub full_jitter: bool,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub errors: Vec<String>,
    pub next: StateId,
    pub result_path: PathField,
    pub output: Option<JsonataTemplate>,
    pub assign: Option<Assign>,
}
