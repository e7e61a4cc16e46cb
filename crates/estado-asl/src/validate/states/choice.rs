//! Choice: picks the next state with rules. JSONPath rules compare a `Variable` with one
//! operator (or combine rules with `And`, `Or`, `Not`); JSONata rules hold a `Condition`.

use estado_json::{Map, Value};

use super::{check_data_flow, check_fields, State};
use crate::validate::expr::{self, Roots};
use crate::validate::fields::{self, Only};
use crate::validate::retry_catch;
use crate::validate::timestamp::is_rfc3339;
use crate::validate::{Ctx, Lang, Loc};

const FIELDS: &[(&str, Only)] = &[
    ("Choices", Only::Both),
    ("Default", Only::Both),
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
];

/// What a comparison operator compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operand {
    String,
    Number,
    Boolean,
    Timestamp,
    /// A reference path to the value to compare with (`*Path` operators).
    Path,
}

const OPERATORS: &[(&str, Operand)] = &[
    ("StringEquals", Operand::String),
    ("StringEqualsPath", Operand::Path),
    ("StringLessThan", Operand::String),
    ("StringLessThanPath", Operand::Path),
    ("StringGreaterThan", Operand::String),
    ("StringGreaterThanPath", Operand::Path),
    ("StringLessThanEquals", Operand::String),
    ("StringLessThanEqualsPath", Operand::Path),
    ("StringGreaterThanEquals", Operand::String),
    ("StringGreaterThanEqualsPath", Operand::Path),
    ("StringMatches", Operand::String),
    ("NumericEquals", Operand::Number),
    ("NumericEqualsPath", Operand::Path),
    ("NumericLessThan", Operand::Number),
    ("NumericLessThanPath", Operand::Path),
    ("NumericGreaterThan", Operand::Number),
    ("NumericGreaterThanPath", Operand::Path),
    ("NumericLessThanEquals", Operand::Number),
    ("NumericLessThanEqualsPath", Operand::Path),
    ("NumericGreaterThanEquals", Operand::Number),
    ("NumericGreaterThanEqualsPath", Operand::Path),
    ("BooleanEquals", Operand::Boolean),
    ("BooleanEqualsPath", Operand::Path),
    ("TimestampEquals", Operand::Timestamp),
    ("TimestampEqualsPath", Operand::Path),
    ("TimestampLessThan", Operand::Timestamp),
    ("TimestampLessThanPath", Operand::Path),
    ("TimestampGreaterThan", Operand::Timestamp),
    ("TimestampGreaterThanPath", Operand::Path),
    ("TimestampLessThanEquals", Operand::Timestamp),
    ("TimestampLessThanEqualsPath", Operand::Path),
    ("TimestampGreaterThanEquals", Operand::Timestamp),
    ("TimestampGreaterThanEqualsPath", Operand::Path),
    ("IsNull", Operand::Boolean),
    ("IsPresent", Operand::Boolean),
    ("IsNumeric", Operand::Boolean),
    ("IsString", Operand::Boolean),
    ("IsBoolean", Operand::Boolean),
    ("IsTimestamp", Operand::Boolean),
];

const COMBINATORS: [&str; 3] = ["And", "Or", "Not"];

pub(super) fn check(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FIELDS);
    fields::require(ctx, s.obj, &["Choices"], &s.loc);
    if let Some(v) = s.obj.get("Default") {
        fields::non_empty_string(ctx, v, "Default", &s.at("Default"));
    }
    check_data_flow(ctx, s);
    let Some(v) = s.obj.get("Choices") else {
        return;
    };
    let at = s.at("Choices");
    let Some(rules) = fields::non_empty_array(ctx, v, "Choices", &at) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let rule_loc = at.index(i);
        let Some(obj) = fields::object(ctx, rule, "Choices", &rule_loc) else {
            continue;
        };
        match s.lang {
            Lang::JsonPath => check_jsonpath_rule(ctx, obj, true, &rule_loc),
            Lang::Jsonata => check_jsonata_rule(ctx, obj, &rule_loc),
        }
    }
}

/// A JSONata rule: `Condition` and `Next`, optionally `Assign`, `Output`, `Comment`.
fn check_jsonata_rule(ctx: &mut Ctx, obj: &Map, loc: &Loc) {
    let table: Vec<(&str, Only)> = vec![
        ("Condition", Only::Both),
        ("Next", Only::Both),
        ("Assign", Only::Both),
        ("Output", Only::Both),
        ("Comment", Only::Both),
    ];
    for key in obj.keys() {
        if !table.iter().any(|(name, _)| name == key) {
            let is_jsonpath = key == "Variable"
                || COMBINATORS.contains(&key.as_str())
                || OPERATORS.iter().any(|(op, _)| op == key);
            if is_jsonpath {
                ctx.schema(
                    format!(
                        "The QueryLanguage is set to 'JSONata', but field '{key}' is only supported for the 'JSONPath' QueryLanguage"
                    ),
                    loc,
                );
            } else {
                ctx.schema(format!("Field '{key}' is not supported"), loc);
            }
        }
    }
    fields::require(ctx, obj, &["Condition", "Next"], loc);
    if let Some(v) = obj.get("Next") {
        fields::non_empty_string(ctx, v, "Next", &loc.key("Next"));
    }
    if let Some(v) = obj.get("Condition") {
        let at = loc.key("Condition");
        if !fields::jsonata_instead(ctx, v, Lang::Jsonata, &at) {
            fields::boolean(ctx, v, "Condition", &at);
        }
    }
    if let Some(v) = obj.get("Output") {
        expr::check_jsonata_template(ctx, v, &loc.key("Output"));
    }
    if let Some(v) = obj.get("Assign") {
        retry_catch::check_assign(ctx, v, Lang::Jsonata, &loc.key("Assign"));
    }
    if let Some(v) = obj.get("Comment") {
        fields::string(ctx, v, "Comment", &loc.key("Comment"));
    }
}

/// A JSONPath rule: one comparison (`Variable` + operator) or one of `And`, `Or`, `Not`.
/// Top-level rules need `Next` and may hold `Assign`; nested rules may not.
fn check_jsonpath_rule(ctx: &mut Ctx, obj: &Map, top: bool, loc: &Loc) {
    for key in obj.keys() {
        let known = key == "Variable"
            || key == "Comment"
            || COMBINATORS.contains(&key.as_str())
            || OPERATORS.iter().any(|(op, _)| op == key)
            || (top && (key == "Next" || key == "Assign"));
        if key == "Condition" || (top && key == "Output") {
            ctx.schema(
                format!(
                    "The QueryLanguage is set to 'JSONPath', but field '{key}' is only supported for the 'JSONata' QueryLanguage"
                ),
                loc,
            );
        } else if !known {
            ctx.schema(format!("Field '{key}' is not supported"), loc);
        }
    }
    if top {
        fields::require(ctx, obj, &["Next"], loc);
        if let Some(v) = obj.get("Next") {
            fields::non_empty_string(ctx, v, "Next", &loc.key("Next"));
        }
        if let Some(v) = obj.get("Assign") {
            retry_catch::check_assign(ctx, v, Lang::JsonPath, &loc.key("Assign"));
        }
    }
    if let Some(v) = obj.get("Comment") {
        fields::string(ctx, v, "Comment", &loc.key("Comment"));
    }
    let operators: Vec<(&str, Operand)> = OPERATORS
        .iter()
        .copied()
        .filter(|(op, _)| obj.contains_key(*op))
        .collect();
    let combinators: Vec<&str> = COMBINATORS
        .iter()
        .copied()
        .filter(|c| obj.contains_key(*c))
        .collect();
    if operators.len() + combinators.len() != 1 {
        ctx.schema(
            "A Choice Rule must have exactly one comparison operator or one of [And, Or, Not]",
            loc,
        );
    }
    if let Some((op, operand)) = operators.first().copied() {
        match obj.get("Variable") {
            None => {
                fields::require(ctx, obj, &["Variable"], loc);
            }
            Some(v) => {
                let at = loc.key("Variable");
                if let Some(p) = fields::string(ctx, v, "Variable", &at) {
                    expr::check_reference_path(ctx, p, Roots::Any, &at);
                }
            }
        }
        if let Some(v) = obj.get(op) {
            check_operand(ctx, v, op, operand, &loc.key(op));
        }
    } else if obj.contains_key("Variable") && !combinators.is_empty() {
        ctx.schema("Field 'Variable' is not supported", loc);
    }
    for c in combinators {
        let at = loc.key(c);
        let Some(v) = obj.get(c) else { continue };
        if c == "Not" {
            if let Some(inner) = fields::object(ctx, v, c, &at) {
                check_jsonpath_rule(ctx, inner, false, &at);
            }
        } else if let Some(items) = fields::non_empty_array(ctx, v, c, &at) {
            for (i, item) in items.iter().enumerate() {
                let item_loc = at.index(i);
                if let Some(inner) = fields::object(ctx, item, c, &item_loc) {
                    check_jsonpath_rule(ctx, inner, false, &item_loc);
                }
            }
        }
    }
}

fn check_operand(ctx: &mut Ctx, v: &Value, op: &str, operand: Operand, loc: &Loc) {
    match operand {
        Operand::String => {
            fields::string(ctx, v, op, loc);
        }
        Operand::Number => {
            fields::number(ctx, v, op, f64::MIN, f64::MAX, loc);
        }
        Operand::Boolean => {
            fields::boolean(ctx, v, op, loc);
        }
        Operand::Timestamp => {
            if let Some(t) = fields::string(ctx, v, op, loc) {
                if !is_rfc3339(t) {
                    ctx.schema("String does not match RFC3339 timestamp", loc);
                }
            }
        }
        Operand::Path => {
            if let Some(p) = fields::string(ctx, v, op, loc) {
                expr::check_reference_path(ctx, p, Roots::Any, loc);
            }
        }
    }
}
