//! Succeed and Fail: the states that end a machine.

use super::{check_data_flow, check_fields, State};
use crate::validate::expr;
use crate::validate::fields::{self, Only};
use crate::validate::{Ctx, Lang};

const SUCCEED: &[(&str, Only)] = &[
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("Output", Only::Jsonata),
];

const FAIL: &[(&str, Only)] = &[
    ("Error", Only::Both),
    ("ErrorPath", Only::JsonPath),
    ("Cause", Only::Both),
    ("CausePath", Only::JsonPath),
];

pub(super) fn check_succeed(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, SUCCEED);
    check_data_flow(ctx, s);
}

/// `Error` / `ErrorPath` and `Cause` / `CausePath` are pairs of which at most one is given; the
/// `*Path` forms hold a path or an intrinsic call, the literals may be JSONata in JSONata.
pub(super) fn check_fail(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FAIL);
    for (literal, path) in [("Error", "ErrorPath"), ("Cause", "CausePath")] {
        fields::at_most_one(ctx, s.obj, &[literal, path], &s.loc);
        if let Some(v) = s.obj.get(literal) {
            fields::string_or_jsonata(ctx, v, literal, s.lang, &s.at(literal));
        }
        if s.lang == Lang::JsonPath {
            if let Some(v) = s.obj.get(path) {
                expr::check_path_or_call(ctx, v, path, &s.loc);
            }
        }
    }
}
