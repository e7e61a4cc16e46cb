//! Pass: passes its input (or `Result`) to its output.

use super::{check_data_flow, check_fields, check_flow, State};
use crate::validate::fields::Only;
use crate::validate::template;
use crate::validate::{Ctx, Lang};

const FIELDS: &[(&str, Only)] = &[
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("Parameters", Only::JsonPath),
    ("Result", Only::JsonPath),
    ("ResultPath", Only::JsonPath),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
    ("Next", Only::Both),
    ("End", Only::Both),
];

pub(super) fn check(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FIELDS);
    check_flow(ctx, s);
    check_data_flow(ctx, s);
    if s.lang == Lang::JsonPath {
        if let Some(v) = s.obj.get("Result") {
            template::check_static_result(ctx, v, &s.at("Result"));
        }
    }
}
