//! Step Functions Local's mocked service integrations: the mock config file.
//!
//! ```json
//! {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
//!  "MockedResponses": {"ChargeOk": {"0": {"Return": {"StatusCode": 200}},
//!                                   "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}}
//! ```
//!
//! An execution started with `…:stateMachine:Orders#HappyPath` runs its state `Charge` from the
//! mock: the state's first invocation (0) returns `{"StatusCode": 200}`, the next two fail with
//! `E`. Invocations are counted per state of an execution, retries and Map iterations included.
//! A state the test case does not list runs for real. A mocked state with no response for an
//! invocation fails with `States.Runtime`. Mocks answer at once, whatever the integration
//! pattern (`.sync`, `.waitForTaskToken`) or kind of resource (activities too).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use estado_interp::{Delivery, ExecInfo, TaskRequest};
use estado_json::Value;

/// What a mocked invocation does.
#[derive(Debug, Clone, PartialEq)]
pub enum MockOutcome {
    /// `Return`: the task's result.
    Return(Value),
    /// `Throw`: the task fails with `Error` and `Cause`.
    Throw { error: String, cause: String },
}

/// A parsed mock config file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MockConfig {
    /// Machine name → test case → state name → mocked-response name.
    machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    /// Mocked-response name → (first, last invocation, outcome).
    responses: HashMap<String, Vec<(u64, u64, MockOutcome)>>,
}

impl MockConfig {
    /// Reads the file at `path`.
    pub fn load(path: &Path) -> Result<MockConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the mock config {}: {e}", path.display()))?;
        MockConfig::parse(&text)
            .map_err(|e| format!("the mock config {} is invalid: {e}", path.display()))
    }

    /// Parses and checks a mock config: every test case names defined responses, every
    /// response is keyed by invocation numbers or ranges that do not overlap, and holds exactly
    /// one of `Return` or `Throw`.
    pub fn parse(text: &str) -> Result<MockConfig, String> {
        let doc: Value = estado_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let doc = doc.as_object().ok_or("the top level must be an object")?;
        let mut config = MockConfig::default();
        if let Some(responses) = doc.get("MockedResponses") {
            let responses = responses
                .as_object()
                .ok_or("MockedResponses must be an object")?;
            for (name, by_invocation) in responses {
                let by_invocation = by_invocation
                    .as_object()
                    .ok_or(format!("MockedResponses.{name} must be an object"))?;
                let mut entries: Vec<(u64, u64, MockOutcome)> = Vec::new();
                for (key, response) in by_invocation {
                    let (from, to) = invocations(key).ok_or(format!(
                        "MockedResponses.{name}: '{key}' is not an invocation number or range (\"0\", \"1-2\")"
                    ))?;
                    let outcome = outcome(response)
                        .map_err(|e| format!("MockedResponses.{name}.{key}: {e}"))?;
                    if let Some((a, b, _)) = entries.iter().find(|(a, b, _)| from <= *b && *a <= to)
                    {
                        return Err(format!(
                            "MockedResponses.{name}: '{key}' overlaps invocations {a}-{b}"
                        ));
                    }
                    entries.push((from, to, outcome));
                }
                entries.sort_by_key(|e| e.0);
                config.responses.insert(name.to_string(), entries);
            }
        }
        if let Some(machines) = doc.get("StateMachines") {
            let machines = machines
                .as_object()
                .ok_or("StateMachines must be an object")?;
            for (machine, body) in machines {
                let cases = body
                    .get("TestCases")
                    .and_then(Value::as_object)
                    .ok_or(format!(
                        "StateMachines.{machine}.TestCases must be an object"
                    ))?;
                let mut parsed = HashMap::new();
                for (case, states) in cases {
                    let states = states.as_object().ok_or(format!(
                        "StateMachines.{machine}.TestCases.{case} must be an object"
                    ))?;
                    let mut mapped = HashMap::new();
                    for (state, response) in states {
                        let response = response.as_str().ok_or(format!(
                            "StateMachines.{machine}.TestCases.{case}.{state} must name a mocked response"
                        ))?;
                        if !config.responses.contains_key(response) {
                            return Err(format!(
                                "StateMachines.{machine}.TestCases.{case}.{state} names '{response}', which MockedResponses does not define"
                            ));
                        }
                        mapped.insert(state.to_string(), response.to_owned());
                    }
                    parsed.insert(case.to_string(), mapped);
                }
                config.machines.insert(machine.to_string(), parsed);
            }
        }
        Ok(config)
    }

    /// Whether the machine named `machine` has the test case `case`.
    pub fn has_case(&self, machine: &str, case: &str) -> bool {
        self.machines
            .get(machine)
            .is_some_and(|cases| cases.contains_key(case))
    }

    /// The mocked-response name of `state` in the test case, if the case mocks it.
    fn response_for(&self, machine: &str, case: &str, state: &str) -> Option<&str> {
        self.machines
            .get(machine)?
            .get(case)?
            .get(state)
            .map(String::as_str)
    }

    /// The outcome of invocation `n` of the named response.
    fn outcome(&self, response: &str, n: u64) -> Option<&MockOutcome> {
        self.responses
            .get(response)?
            .iter()
            .find(|(from, to, _)| *from <= n && n <= *to)
            .map(|(_, _, o)| o)
    }
}

/// `"3"` → (3, 3); `"1-2"` → (1, 2).
fn invocations(key: &str) -> Option<(u64, u64)> {
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match key.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (number(a)?, number(b)?);
            (a <= b).then_some((a, b))
        }
        None => number(key).map(|n| (n, n)),
    }
}

fn outcome(v: &Value) -> Result<MockOutcome, String> {
    let v = v.as_object().ok_or("must be an object")?;
    match (v.get("Return"), v.get("Throw")) {
        (Some(r), None) => Ok(MockOutcome::Return(r.clone())),
        (None, Some(t)) => {
            let error = t
                .get("Error")
                .and_then(Value::as_str)
                .ok_or("Throw needs a string Error")?;
            let cause = match t.get("Cause") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(c)) => c.clone(),
                Some(_) => return Err("Throw's Cause must be a string".into()),
            };
            Ok(MockOutcome::Throw {
                error: error.to_owned(),
                cause,
            })
        }
        _ => Err("must hold exactly one of Return or Throw".into()),
    }
}

/// A mock config in use: it counts each mocked state's invocations per execution.
#[derive(Debug, Default)]
pub struct Mocks {
    config: MockConfig,
    /// (execution ARN, state name) → the effect ids seen, in order: an effect id's position is
    /// its invocation number (a task dispatched again after a restart keeps its number).
    seen: Mutex<HashMap<(String, String), Vec<u64>>>,
}

impl Mocks {
    pub fn new(config: MockConfig) -> Self {
        Mocks {
            config,
            seen: Mutex::default(),
        }
    }

    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    /// Whether the execution's test case mocks `state`.
    pub fn mocks(&self, info: &ExecInfo, state: &str) -> bool {
        info.test_case.as_deref().is_some_and(|case| {
            self.config
                .response_for(&info.state_machine_name, case, state)
                .is_some()
        })
    }

    /// The mocked outcome of `req`, or `None` when its state is not mocked.
    pub fn run(&self, info: &ExecInfo, req: &TaskRequest) -> Option<Delivery> {
        let case = info.test_case.as_deref()?;
        let response = self
            .config
            .response_for(&info.state_machine_name, case, &req.state_name)?;
        let n = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let ids = seen
                .entry((info.execution_arn.to_string(), req.state_name.to_string()))
                .or_default();
            match ids.iter().position(|id| *id == req.id) {
                Some(n) => n,
                None => {
                    ids.push(req.id);
                    ids.len() - 1
                }
            }
        } as u64;
        Some(match self.config.outcome(response, n) {
            Some(MockOutcome::Return(v)) => Delivery::TaskSucceeded {
                id: req.id,
                output: v.clone(),
            },
            Some(MockOutcome::Throw { error, cause }) => Delivery::TaskFailed {
                id: req.id,
                error: error.clone(),
                cause: cause.clone(),
            },
            None => Delivery::TaskFailed {
                id: req.id,
                error: "States.Runtime".into(),
                cause: format!(
                    "The mocked response '{response}' of state '{}' in test case '{case}' has no answer for invocation {n} (they are counted from 0).",
                    req.state_name
                ),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use estado_json::json;

    #[test]
    fn invocation_keys() {
        assert_eq!(invocations("0"), Some((0, 0)));
        assert_eq!(invocations("1-2"), Some((1, 2)));
        assert_eq!(invocations("2-1"), None);
        assert_eq!(invocations("x"), None);
        assert_eq!(invocations("-1"), None);
    }

    #[test]
    fn bad_files_are_refused_with_the_place_named() {
        let bad = [
            (json!({"MockedResponses": {"R": {"0": {}}}}), "R.0"),
            (
                json!({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}),
                "exactly one",
            ),
            (
                json!({"MockedResponses": {"R": {"a": {"Return": 1}}}}),
                "'a'",
            ),
            (
                json!({"MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}),
                "overlaps",
            ),
            (
                json!({"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}}),
                "Nope",
            ),
        ];
        for (doc, named) in bad {
            let err = MockConfig::parse(&doc.to_string()).expect_err("invalid");
            assert!(err.contains(named), "{err}");
        }
    }
}
