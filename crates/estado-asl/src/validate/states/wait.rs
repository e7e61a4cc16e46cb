//! Wait: for `Seconds` or until `Timestamp` (or their `*Path` forms).

use super::{check_data_flow, check_fields, check_flow, check_reference_field, State};
use crate::validate::expr::Roots;
use crate::validate::fields::{self, Only};
use crate::validate::timestamp::is_rfc3339;
use crate::validate::Ctx;

const FIELDS: &[(&str, Only)] = &[
    ("Seconds", Only::Both),
    ("Timestamp", Only::Both),
    ("SecondsPath", Only::JsonPath),
    ("TimestampPath", Only::JsonPath),
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
    ("Next", Only::Both),
    ("End", Only::Both),
];

/// AWS's largest wait, in seconds.
const MAX_SECONDS: i64 = 99_999_999;

pub(super) fn check(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FIELDS);
    check_flow(ctx, s);
    fields::exactly_one(
        ctx,
        s.obj,
        &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        &s.loc,
    );
    if let Some(v) = s.obj.get("Seconds") {
        fields::integer_or_jsonata(
            ctx,
            v,
            "Seconds",
            (0, MAX_SECONDS),
            s.lang,
            &s.at("Seconds"),
        );
    }
    if let Some(v) = s.obj.get("Timestamp") {
        let at = s.at("Timestamp");
        if !fields::jsonata_instead(ctx, v, s.lang, &at) {
            if let Some(t) = fields::string(ctx, v, "Timestamp", &at) {
                if !is_rfc3339(t) {
                    ctx.schema("String does not match RFC3339 timestamp", &at);
                }
            }
        }
    }
    check_reference_field(ctx, s, "SecondsPath", Roots::Any);
    check_reference_field(ctx, s, "TimestampPath", Roots::Any);
    check_data_flow(ctx, s);
}
