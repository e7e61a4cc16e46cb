//! The context object (`$$` in JSONPath, `$states.context` in JSONata).

use estado_json::{Map, Value};

use crate::ExecInfo;

/// AWS's timestamp text: `2024-01-02T03:04:05.678Z`.
pub fn iso_millis(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => String::from("1970-01-01T00:00:00.000Z"),
    }
}

/// What varies per state entry.
pub struct StateFacts<'a> {
    pub name: &'a str,
    pub entered_millis: i64,
    pub retry_count: Option<u32>,
    pub task_token: Option<&'a str>,
    pub map_item: Option<(usize, &'a Value)>,
}

pub fn build(info: &ExecInfo, s: &StateFacts) -> Value {
    let mut execution = Map::new();
    execution.insert("Id", Value::String(info.execution_arn.to_string()));
    execution.insert("Input", (*info.input).clone());
    execution.insert("StartTime", Value::String(iso_millis(info.start_millis)));
    execution.insert("Name", Value::String(info.name.to_string()));
    execution.insert("RoleArn", Value::String(info.role_arn.to_string()));
    if let Some(n) = info.redrive_count {
        execution.insert("RedriveCount", Value::from(n));
    }
    let mut state = Map::new();
    state.insert("Name", Value::String(s.name.to_owned()));
    state.insert("EnteredTime", Value::String(iso_millis(s.entered_millis)));
    if let Some(n) = s.retry_count {
        state.insert("RetryCount", Value::from(n));
    }
    let mut ctx = Map::new();
    ctx.insert("Execution", Value::Object(execution));
    ctx.insert(
        "StateMachine",
        object([
            ("Id", Value::String(info.state_machine_arn.to_string())),
            ("Name", Value::String(info.state_machine_name.to_string())),
        ]),
    );
    ctx.insert("State", Value::Object(state));
    if let Some(token) = s.task_token {
        ctx.insert("Task", object([("Token", Value::String(token.to_owned()))]));
    }
    if let Some((index, value)) = s.map_item {
        let item = object([("Index", Value::from(index)), ("Value", value.clone())]);
        ctx.insert("Map", object([("Item", item)]));
    }
    Value::Object(ctx)
}

/// An object of these members (built directly: `json!` goes through serde_json's own
/// document, which for `value` would mean copying the Map item twice).
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(Map::from_iter(members))
}
