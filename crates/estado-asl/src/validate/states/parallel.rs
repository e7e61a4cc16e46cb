//! Parallel: runs every branch on the same input.

use super::{check_data_flow, check_error_handling, check_fields, check_flow, State};
use crate::validate::fields::{self, Only};
use crate::validate::machine::{self, Kind};
use crate::validate::Ctx;

const FIELDS: &[(&str, Only)] = &[
    ("Branches", Only::Both),
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("Parameters", Only::JsonPath),
    ("ResultSelector", Only::JsonPath),
    ("ResultPath", Only::JsonPath),
    ("Arguments", Only::Jsonata),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
    ("Retry", Only::Both),
    ("Catch", Only::Both),
    ("Next", Only::Both),
    ("End", Only::Both),
];

pub(super) fn check(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FIELDS);
    fields::require(ctx, s.obj, &["Branches"], &s.loc);
    check_flow(ctx, s);
    check_data_flow(ctx, s);
    check_error_handling(ctx, s);
    if let Some(v) = s.obj.get("Branches") {
        let at = s.at("Branches");
        if let Some(branches) = fields::non_empty_array(ctx, v, "Branches", &at) {
            for (i, branch) in branches.iter().enumerate() {
                machine::check_nested(ctx, branch, "Branches", Kind::Branch, &at.index(i));
            }
        }
    }
}
