//! Transitions within one (sub-)machine: every target exists in the same `States` object
//! (`MISSING_TRANSITION_TARGET`), some state ends the machine (`MISSING_END_STATE`), and every
//! state can be reached from `StartAt`.
//!
//! AWS reports these after schema problems: first each missing target in document order, then
//! `Workflow has no terminal state` (which suppresses the reachability walk), else each
//! unreachable state as `State "X" is not reachable.`.

use std::collections::{HashSet, VecDeque};

use estado_json::{Map, Value};

use super::diag::codes;
use super::{Ctx, Loc};

/// One transition: its target and where it is written.
struct Edge<'v> {
    from: &'v str,
    to: &'v str,
    loc: Loc,
}

/// Checks the states of one machine object at `machine_loc`.
pub(crate) fn check_scope(
    ctx: &mut Ctx,
    states: &Map,
    start_at: Option<&str>,
    top: bool,
    machine_loc: &Loc,
) {
    let states_loc = machine_loc.key("States");
    let edges = edges(states, &states_loc);
    if let Some(start) = start_at {
        if !states.contains_key(start) {
            ctx.graph(
                codes::MISSING_TRANSITION_TARGET,
                format!("Missing 'Next' target: {start}"),
                Some(&machine_loc.key("StartAt")),
            );
        }
    }
    for edge in &edges {
        if !states.contains_key(edge.to) {
            ctx.graph(
                codes::MISSING_TRANSITION_TARGET,
                format!("Missing 'Next' target: {}", edge.to),
                Some(&edge.loc),
            );
        }
    }
    if !states.is_empty() && !states.values().any(is_terminal) {
        ctx.graph(
            codes::MISSING_END_STATE,
            "Workflow has no terminal state".to_string(),
            if top { None } else { Some(machine_loc) },
        );
        return;
    }
    let Some(start) = start_at.filter(|s| states.contains_key(*s)) else {
        return;
    };
    let mut reached: HashSet<&str> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(name) = queue.pop_front() {
        for edge in edges.iter().filter(|e| e.from == name) {
            if states.contains_key(edge.to) && reached.insert(edge.to) {
                queue.push_back(edge.to);
            }
        }
    }
    for name in states.keys() {
        if !reached.contains(name.as_str()) {
            ctx.graph(
                codes::MISSING_TRANSITION_TARGET,
                format!("State \"{name}\" is not reachable."),
                Some(&states_loc.key(name)),
            );
        }
    }
}

/// Succeed and Fail states, and states with `"End": true`, end the machine.
fn is_terminal(state: &Value) -> bool {
    matches!(
        state.get("Type").and_then(Value::as_str),
        Some("Succeed" | "Fail")
    ) || state.get("End") == Some(&Value::Bool(true))
}

/// Every transition written in `states`, in document order: `Next`, Choice rules' `Next` and
/// `Default`, catchers' `Next`. Targets that are not strings are schema problems reported
/// elsewhere.
fn edges<'v>(states: &'v Map, states_loc: &Loc) -> Vec<Edge<'v>> {
    let mut out = Vec::new();
    for (name, state) in states {
        let loc = states_loc.key(name);
        let mut push = |target: Option<&'v Value>, at: Loc| {
            if let Some(Value::String(to)) = target {
                out.push(Edge {
                    from: name,
                    to,
                    loc: at,
                });
            }
        };
        push(state.get("Next"), loc.key("Next"));
        if state.get("Type").and_then(Value::as_str) == Some("Choice") {
            if let Some(Value::Array(rules)) = state.get("Choices") {
                for (i, rule) in rules.iter().enumerate() {
                    push(rule.get("Next"), loc.key("Choices").index(i).key("Next"));
                }
            }
            push(state.get("Default"), loc.key("Default"));
        }
        if let Some(Value::Array(catchers)) = state.get("Catch") {
            for (i, catcher) in catchers.iter().enumerate() {
                push(catcher.get("Next"), loc.key("Catch").index(i).key("Next"));
            }
        }
    }
    out
}
