//! Task: calls a Lambda function, an activity or a service integration.

use estado_json::Value;

use super::{
    check_data_flow, check_error_handling, check_fields, check_flow, check_reference_field, State,
};
use crate::validate::expr::{self, Roots};
use crate::validate::fields::{self, Only};
use crate::validate::resource;
use crate::validate::template;
use crate::validate::{Ctx, Lang};

const FIELDS: &[(&str, Only)] = &[
    ("Resource", Only::Both),
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("Parameters", Only::JsonPath),
    ("ResultSelector", Only::JsonPath),
    ("ResultPath", Only::JsonPath),
    ("Arguments", Only::Jsonata),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
    ("TimeoutSeconds", Only::Both),
    ("TimeoutSecondsPath", Only::JsonPath),
    ("HeartbeatSeconds", Only::Both),
    ("HeartbeatSecondsPath", Only::JsonPath),
    ("Credentials", Only::Both),
    ("Retry", Only::Both),
    ("Catch", Only::Both),
    ("Next", Only::Both),
    ("End", Only::Both),
];

/// AWS's largest task timeout and heartbeat, in seconds.
const MAX_SECONDS: i64 = 99_999_999;

pub(super) fn check(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FIELDS);
    fields::require(ctx, s.obj, &["Resource"], &s.loc);
    if let Some(v) = s.obj.get("Resource") {
        let at = s.at("Resource");
        if let Some(r) = fields::string(ctx, v, "Resource", &at) {
            resource::check_task_resource(ctx, r, &at);
        }
    }
    check_flow(ctx, s);
    for (literal, path) in [
        ("TimeoutSeconds", "TimeoutSecondsPath"),
        ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ] {
        fields::at_most_one(ctx, s.obj, &[literal, path], &s.loc);
        if let Some(v) = s.obj.get(literal) {
            fields::integer_or_jsonata(ctx, v, literal, (1, MAX_SECONDS), s.lang, &s.at(literal));
        }
        check_reference_field(ctx, s, path, Roots::Any);
    }
    if let (Some(Value::Number(t)), Some(Value::Number(h))) =
        (s.obj.get("TimeoutSeconds"), s.obj.get("HeartbeatSeconds"))
    {
        if let (Some(t), Some(h)) = (t.as_i64(), h.as_i64()) {
            if h >= t {
                ctx.schema(
                    "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                    &s.at("HeartbeatSeconds"),
                );
            }
        }
    }
    if let Some(v) = s.obj.get("Credentials") {
        check_credentials(ctx, v, s.lang, &s.at("Credentials"));
    }
    check_data_flow(ctx, s);
    check_error_handling(ctx, s);
}

/// `Credentials`: an object naming the role to assume, `RoleArn` (or `RoleArn.$` in JSONPath).
fn check_credentials(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &crate::validate::Loc) {
    let Some(obj) = fields::object(ctx, v, "Credentials", loc) else {
        return;
    };
    let has_role =
        obj.contains_key("RoleArn") || (lang == Lang::JsonPath && obj.contains_key("RoleArn.$"));
    if !has_role {
        ctx.schema("The field 'RoleArn' is required but was missing", loc);
    }
    match lang {
        Lang::JsonPath => template::check_payload(ctx, v, loc),
        Lang::Jsonata => expr::check_jsonata_template(ctx, v, loc),
    }
}
