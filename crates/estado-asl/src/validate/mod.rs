//! Static validation of ASL definitions, as AWS's `ValidateStateMachineDefinition` and
//! `CreateStateMachine` do it: every problem at once, with AWS's diagnostic codes, messages and
//! locations.
//!
//! Messages recorded on AWS are reproduced verbatim (e.g. `These fields are required: [States,
//! StartAt]` at `/`, `Missing 'Next' target: X`, `State "X" is not reachable.`,
//! `Field 'X' is not supported`, `String does not match RFC3339 timestamp`). Where AWS's exact
//! wording is not known, the message follows the same style and says what is wrong.
//!
//! Layout: [`json`] reads text like Jackson; [`machine`] checks a (sub-)machine and its states;
//! [`states`] holds one checker per state type; [`fields`] the per-type field tables and value
//! helpers; [`expr`] paths, intrinsic calls and JSONata; [`template`] payload templates;
//! [`retry_catch`], [`resource`], [`timestamp`]; [`graph`] transitions and reachability.

mod diag;
mod expr;
mod fields;
mod graph;
pub mod json;
mod machine;
mod resource;
mod retry_catch;
mod states;
mod template;
mod timestamp;

pub use diag::{codes, Diagnostic, Loc, Severity};

use estado_json::Value;
use std::collections::HashSet;

/// The state machine type the definition is validated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

/// What the definition is validated for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub machine_type: MachineType,
}

/// Parses `text` (a Jackson-like `INVALID_JSON_DESCRIPTION` diagnostic when it is not JSON, or
/// `Definition must be a valid JSON object` when it is empty or not an object), then validates
/// it. Duplicate state names written twice in one `States` object are reported too (a parsed
/// [`Value`] cannot show them).
pub fn validate_text(text: &str, opts: &Options) -> Vec<Diagnostic> {
    match json::parse(text) {
        json::Parsed::Error { message, location } => vec![Diagnostic {
            severity: Severity::Error,
            code: codes::INVALID_JSON_DESCRIPTION.to_string(),
            message,
            location: Some(location),
        }],
        json::Parsed::Empty => vec![not_an_object()],
        json::Parsed::Value(value, duplicates) => {
            let mut ctx = Ctx::new(opts);
            for dup in duplicates.iter().filter(|d| is_states_object(&d.parent)) {
                let mut loc = Loc::root();
                for step in &dup.parent {
                    loc = match step {
                        json::Step::Key(key) => loc.key(key),
                        json::Step::Index(i) => loc.index(*i),
                    };
                }
                ctx.error(
                    codes::DUPLICATE_STATE_NAME,
                    format!("Duplicate State name: {}", dup.key),
                    &loc.key(&dup.key),
                );
            }
            ctx.run(&value)
        }
    }
}

/// Validates a parsed definition. Returns every problem at once: schema problems in document
/// order, then transition problems (missing targets, no terminal state, unreachable states).
/// An empty result means valid; warnings alone do not make a definition invalid (see
/// [`is_valid`]).
pub fn validate(definition: &Value, opts: &Options) -> Vec<Diagnostic> {
    Ctx::new(opts).run(definition)
}

/// True when no diagnostic is an error: AWS answers `result: OK`.
pub fn is_valid(diags: &[Diagnostic]) -> bool {
    diags.iter().all(|d| d.severity != Severity::Error)
}

fn not_an_object() -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: codes::SCHEMA_VALIDATION_FAILED.to_string(),
        message: "Definition must be a valid JSON object".to_string(),
        location: None,
    }
}

/// A duplicate key inside an object reached as `.../States` names a state twice.
fn is_states_object(parent: &[json::Step]) -> bool {
    matches!(parent.last(), Some(json::Step::Key(key)) if key == "States")
}

/// The query language a state's expressions are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    JsonPath,
    Jsonata,
}

/// Validation state shared by every checker.
pub(crate) struct Ctx<'o> {
    pub(crate) opts: &'o Options,
    /// The machine's top-level `QueryLanguage`: states inherit it, at any depth.
    pub(crate) machine_lang: Lang,
    diags: Vec<Diagnostic>,
    /// Transition diagnostics, reported after every schema diagnostic.
    graph_diags: Vec<Diagnostic>,
    /// Every state name seen so far, in any (sub-)machine: names are unique machine-wide.
    names: HashSet<String>,
}

impl<'o> Ctx<'o> {
    fn new(opts: &'o Options) -> Self {
        Ctx {
            opts,
            machine_lang: Lang::JsonPath,
            diags: Vec::new(),
            graph_diags: Vec::new(),
            names: HashSet::new(),
        }
    }

    fn run(mut self, definition: &Value) -> Vec<Diagnostic> {
        match definition {
            Value::Object(_) => machine::check_top(&mut self, definition),
            _ => self.diags.push(not_an_object()),
        }
        let mut out = self.diags;
        out.extend(self.graph_diags);
        out
    }

    pub(crate) fn express(&self) -> bool {
        self.opts.machine_type == MachineType::Express
    }

    /// Reports an error at `loc`.
    pub(crate) fn error(&mut self, code: &str, message: impl Into<String>, loc: &Loc) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            code: code.to_string(),
            message: message.into(),
            location: Some(loc.as_string()),
        });
    }

    /// Reports a `SCHEMA_VALIDATION_FAILED` error at `loc`.
    pub(crate) fn schema(&mut self, message: impl Into<String>, loc: &Loc) {
        self.error(codes::SCHEMA_VALIDATION_FAILED, message, loc);
    }

    /// Reports a warning at `loc`.
    pub(crate) fn warning(&mut self, code: &str, message: impl Into<String>, loc: &Loc) {
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            code: code.to_string(),
            message: message.into(),
            location: Some(loc.as_string()),
        });
    }

    /// Reports a transition diagnostic (kept apart so they follow every schema diagnostic).
    pub(crate) fn graph(&mut self, code: &str, message: String, loc: Option<&Loc>) {
        self.graph_diags.push(Diagnostic {
            severity: Severity::Error,
            code: code.to_string(),
            message,
            location: loc.map(Loc::as_string),
        });
    }

    /// Records a state name; false when it was already used anywhere in the machine.
    pub(crate) fn claim_name(&mut self, name: &str) -> bool {
        self.names.insert(name.to_string())
    }
}
