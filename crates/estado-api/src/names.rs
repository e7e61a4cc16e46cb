//! AWS's rules for the names of state machines, executions, activities and workers.
//!
//! A name is 1 to 80 characters (counted as Java counts: UTF-16 code units) and contains none
//! of: white space; brackets `< > { } [ ]`; wildcards `? *`; special characters
//! `" # % \ ^ | ~ ` $ & , ; : /`; control characters (U+0000-U+001F, U+007F-U+009F). Unpaired
//! surrogates cannot occur in a Rust string (a JSON body containing one does not decode).

use crate::error::ApiError;

/// The longest name AWS accepts.
pub const MAX_NAME_LENGTH: usize = 80;

const FORBIDDEN: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";

/// Whether AWS accepts `name` as a resource name.
pub fn is_valid_name(name: &str) -> bool {
    let length = name.encode_utf16().count();
    (1..=MAX_NAME_LENGTH).contains(&length) && name.chars().all(allowed)
}

fn allowed(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || FORBIDDEN.contains(c))
}

/// `Ok` when `name` is valid, else AWS's `InvalidName` error (`Invalid Name: '<name>'`).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::invalid_name(name))
    }
}
