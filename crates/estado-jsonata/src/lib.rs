//! JSONata for ASL: the complete JSONata language (via `jsonata-core`) plus what Step Functions
//! adds to it.
//!
//! - [`Expression`]: one expression, the text inside `{% ... %}`, evaluated with `$states` and
//!   the workflow variables bound, with AWS's extension functions (`$partition`, `$range`,
//!   `$hash`, `$random`, `$uuid`, `$parse`), `$eval` refused, and `$now()`/`$millis()` reading
//!   the execution's clock value instead of the system clock.
//! - [`JsonataTemplate`]: a JSON value (an `Output`, `Arguments`, `Assign`, `Items`, ...) in
//!   which every string of the form `{% expr %}` is an expression.
//!
//! Failures at run time are ASL errors (`States.QueryEvaluationError`) carrying the specific
//! part of AWS's cause; syntax errors found when compiling are [`JsonataError`].
//!
//! Compiled expressions and templates are `Send + Sync`: `jsonata-core`'s syntax tree is plain
//! data, and its `Rc`-based values only live inside one evaluation on one thread.

mod analysis;
mod causes;
mod convert;
mod error;
mod expression;
mod functions;
mod messages;
mod session;
mod template;

pub use causes::unexpected_result_type;
pub use error::JsonataError;
pub use expression::Expression;
pub use template::JsonataTemplate;

/// The expression inside a JSONata string: `"{% ... %}"` gives the text between the
/// delimiters, trimmed; any other string gives `None`.
///
/// AWS takes a string as an expression when it starts with `{%` and ends with `%}` (no
/// whitespace outside the delimiters); the text between them is the expression, and AWS quotes
/// it trimmed in its error causes (`The JSONata expression '$x' ...` for `"{% $x %}"`).
pub fn expression_text(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("{%")?.strip_suffix("%}")?;
    Some(inner.trim())
}

#[cfg(test)]
mod tests {
    use super::expression_text;

    #[test]
    fn delimited_strings_are_expressions() {
        assert_eq!(expression_text("{% $x %}"), Some("$x"));
        assert_eq!(expression_text("{%$x%}"), Some("$x"));
        assert_eq!(expression_text("{% \n 1 + 2 \t%}"), Some("1 + 2"));
        assert_eq!(expression_text("{%%}"), Some(""));
    }

    #[test]
    fn anything_else_is_a_literal() {
        assert_eq!(expression_text("$x"), None);
        assert_eq!(expression_text(" {% $x %}"), None);
        assert_eq!(expression_text("{% $x %} "), None);
        assert_eq!(expression_text("{% 10 %"), None);
        assert_eq!(expression_text("10 %}"), None);
        assert_eq!(expression_text("{%}"), None);
        assert_eq!(expression_text(""), None);
    }
}
