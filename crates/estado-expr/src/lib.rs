//! ASL's JSONPath query language, evaluated as AWS Step Functions evaluates it.
//!
//! - [`path`]: Jayway-style JSONPath (`$.a[0]`, filters, slices, wildcards, deep scan), reference
//!   paths (single node, usable as `ResultPath`), `$$` context paths and `$var` variable paths.
//! - [`intrinsics`]: the 18 `States.*` intrinsic functions.
//! - [`template`]: payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath
//!   `Assign`) whose `"key.$"` members are paths or intrinsic calls.
//!
//! Pure: no I/O, no clock, no global randomness (see [`estado_types::Scope`]).

pub mod intrinsics;
pub mod path;
pub mod template;
