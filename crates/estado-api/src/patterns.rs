//! Matchers for the `pattern` traits of the service model.
//!
//! The model uses three patterns; each is matched against the whole value, as Java's
//! `Pattern.matches` (which AWS's validator uses) does. `tools/gen_api.py` refuses a model with
//! any other pattern, so a new one cannot slip through unchecked.

use crate::schema::Pattern;

/// `CharacterRestrictedName` (alias names): letters, digits, `_`, `-` and `.`, with at least one
/// character that is not a digit.
pub static CHARACTER_RESTRICTED_NAME: Pattern = Pattern {
    text: "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    matches: character_restricted_name,
};

/// `ClientToken`: one or more printable ASCII characters (`!` to `~`, no space).
pub static PRINTABLE_ASCII: Pattern = Pattern {
    text: "[!-~]+",
    matches: printable_ascii,
};

/// `TraceHeader`: any ASCII text, including the empty string.
pub static ASCII: Pattern = Pattern {
    text: "\\p{ASCII}*",
    matches: ascii,
};

fn character_restricted_name(value: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    !value.is_empty() && value.chars().all(allowed) && value.chars().any(|c| !c.is_ascii_digit())
}

fn printable_ascii(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (b'!'..=b'~').contains(&b))
}

fn ascii(value: &str) -> bool {
    value.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn give(pattern: &Pattern, value: &str, expected: bool) {
        assert_eq!(
            (pattern.matches)(value),
            expected,
            "{} on {value:?}",
            pattern.text
        );
    }

    #[test]
    fn character_restricted_names() {
        give(&CHARACTER_RESTRICTED_NAME, "PROD", true);
        give(&CHARACTER_RESTRICTED_NAME, "v1.2_beta-3", true);
        give(&CHARACTER_RESTRICTED_NAME, "123", false);
        give(&CHARACTER_RESTRICTED_NAME, "", false);
        give(&CHARACTER_RESTRICTED_NAME, "a b", false);
        give(&CHARACTER_RESTRICTED_NAME, "ä", false);
    }

    #[test]
    fn client_tokens_and_trace_headers() {
        give(&PRINTABLE_ASCII, "abc-123!~", true);
        give(&PRINTABLE_ASCII, "a b", false);
        give(&PRINTABLE_ASCII, "", false);
        give(&ASCII, "", true);
        give(
            &ASCII,
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            true,
        );
        give(&ASCII, "é", false);
    }
}
