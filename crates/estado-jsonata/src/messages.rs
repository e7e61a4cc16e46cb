//! JSONata error messages in jsonata-js's wording.
//!
//! AWS quotes the JSONata error in its causes as `<code>: <message>` with jsonata-js's message
//! text (`T1006: Attempted to invoke a non-function`). `jsonata-core` uses the same codes but
//! sometimes other words; this module rewrites those it knows.

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::parser::ParserError;

/// The message of an evaluation error, as jsonata-js words it. `function` is the one function
/// the expression calls, when it calls exactly one: `jsonata-core`'s argument errors do not
/// name the function, jsonata-js's do.
pub(crate) fn evaluation(e: &EvaluatorError, function: Option<&str>) -> String {
    let message = normalize(e.message());
    match (
        jsonata_core::evaluator::error_code_prefix(&message),
        function,
    ) {
        (Some(code @ ("T0410" | "T0412")), Some(function)) => {
            argument_error(code, &message[code.len() + 1..], function).unwrap_or(message)
        }
        _ => message,
    }
}

/// The message of a syntax error, as jsonata-js words it.
pub(crate) fn syntax(e: &ParserError) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("Invalid syntax: ").unwrap_or(&text);
    let message = normalize(text);
    match jsonata_core::evaluator::error_code_prefix(&message) {
        Some(code @ ("S0201" | "S0202" | "S0203" | "S0211")) => {
            format!("{code}:{}", replace_token_names(&message[code.len() + 1..]))
        }
        _ => message,
    }
}

fn normalize(message: &str) -> String {
    let Some(code) = jsonata_core::evaluator::error_code_prefix(message) else {
        return message.to_string();
    };
    let text = message[code.len() + 1..].trim_start();
    if let Some(fixed) = fixed_text(code) {
        // Where jsonata-js's message has nothing to fill in, it is the whole message.
        return format!("{code}: {fixed}");
    }
    match code {
        // "The left side of the + operator ..." -> "The left side of the "+" operator ...".
        "T2001" | "T2002" => {
            if let Some((side, rest)) = text.split_once(" side of the ") {
                if let Some((op, tail)) = rest.split_once(" operator ") {
                    if !op.starts_with('"') {
                        return format!("{code}: {side} side of the \"{op}\" operator {tail}");
                    }
                }
            }
        }
        // "Cannot convert 'x' to number" -> "Unable to cast value to a number: "x"".
        "D3030" => {
            if let Some(value) = text
                .strip_prefix("Cannot convert '")
                .and_then(|t| t.strip_suffix("' to number"))
            {
                return format!(
                    "{code}: Unable to cast value to a number: {}",
                    estado_json::Value::from(value)
                );
            }
        }
        "D3100" => {
            if let Some((_, radix)) = text.split_once(", got ") {
                return format!(
                    "{code}: The radix of the formatBase function must be between 2 and 36.  It was given {radix}"
                );
            }
        }
        // jsonata-core appends the count: "... Instead it matched more. (2 values)".
        "D3138" => {
            if let Some((head, _)) = text.split_once(" (") {
                return format!("{code}: {head}");
            }
        }
        _ => {}
    }
    message.to_string()
}

/// `Argument 2 must be Function` / `Argument 1 must be an array of Number` in jsonata-js's
/// words, which name the function.
fn argument_error(code: &str, text: &str, function: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix("Argument ")?;
    let (index, rest) = rest.split_once(' ')?;
    let index: usize = match index.parse() {
        Ok(index) => index,
        // "Argument count mismatch: expected 1, got 0": jsonata-js names the first missing
        // argument, or the first one beyond the signature.
        Err(_) if index == "count" => {
            let (expected, got) = rest
                .strip_prefix("mismatch: expected ")?
                .split_once(", got ")?;
            let (expected, got): (usize, usize) = (expected.parse().ok()?, got.parse().ok()?);
            match max_arity(function) {
                Some(max) if got > max => max + 1,
                _ if got < expected => got + 1,
                _ => return None,
            }
        }
        Err(_) => return None,
    };
    if code == "T0410" {
        if !(rest.starts_with("must be ") || rest.starts_with("mismatch:")) {
            return None;
        }
        return Some(format!(
            "{code}: Argument {index} of function \"{function}\" does not match function signature"
        ));
    }
    let element = match rest.strip_prefix("must be an array of ")? {
        "Number" => "numbers",
        "String" => "strings",
        "Object" => "objects",
        "Boolean" => "booleans",
        "Function" => "functions",
        _ => return None,
    };
    Some(format!(
        "{code}: Argument {index} of function \"{function}\" must be an array of \"{element}\""
    ))
}

/// The most arguments a jsonata built-in takes (from jsonata-js's signatures).
fn max_arity(function: &str) -> Option<usize> {
    Some(match function {
        "random" | "millis" => 0,
        "length" | "uppercase" | "lowercase" | "trim" | "number" | "abs" | "floor" | "ceil"
        | "sqrt" | "sum" | "max" | "min" | "average" | "boolean" | "not" | "exists" | "count"
        | "reverse" | "shuffle" | "distinct" | "keys" | "spread" | "merge" | "error" | "type"
        | "base64encode" | "base64decode" | "encodeUrlComponent" | "encodeUrl"
        | "decodeUrlComponent" | "decodeUrl" => 1,
        "round" | "power" | "substringBefore" | "substringAfter" | "contains" | "join"
        | "formatBase" | "formatInteger" | "parseInteger" | "append" | "sort" | "lookup"
        | "sift" | "each" | "assert" | "string" | "map" | "filter" | "single" | "now"
        | "toMillis" | "eval" => 2,
        "substring" | "pad" | "split" | "match" | "formatNumber" | "reduce" | "fromMillis" => 3,
        "replace" => 4,
        _ => return None,
    })
}

/// `jsonata-core` names tokens by their Rust variant (`RightBracket`, `Number(2.0)`);
/// jsonata-js writes the symbol (`"]"`) or the value (`2`).
fn replace_token_names(text: &str) -> String {
    const SYMBOLS: [(&str, &str); 16] = [
        ("RightBracket", "\"]\""),
        ("LeftBracket", "\"[\""),
        ("RightParen", "\")\""),
        ("LeftParen", "\"(\""),
        ("RightBrace", "\"}\""),
        ("LeftBrace", "\"{\""),
        ("Colon", "\":\""),
        ("Semicolon", "\";\""),
        ("Comma", "\",\""),
        ("At", "\"@\""),
        ("Hash", "\"#\""),
        ("Dot", "\".\""),
        ("Question", "\"?\""),
        ("Caret", "\"^\""),
        ("Pipe", "\"|\""),
        ("Range", "\"..\""),
    ];
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let (word, trailing) = match word.strip_suffix(',') {
            Some(w) => (w, ","),
            None => (word, ""),
        };
        let replaced = SYMBOLS
            .iter()
            .find(|(name, _)| *name == word)
            .map(|(_, symbol)| symbol.to_string())
            .or_else(|| {
                word.strip_prefix("Number(")
                    .and_then(|n| n.strip_suffix(')'))
                    .and_then(|n| n.parse::<f64>().ok())
                    .map(js_number)
            });
        out.push_str(replaced.as_deref().unwrap_or(word));
        out.push_str(trailing);
    }
    out
}

/// jsonata-js messages without placeholders whose `jsonata-core` counterparts add detail.
fn fixed_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "T1006" => "Attempted to invoke a non-function",
        "D3001" => "Attempting to invoke string function on Infinity or NaN",
        "T2003" => "The left side of the range operator (..) must evaluate to an integer",
        "T2004" => "The right side of the range operator (..) must evaluate to an integer",
        _ => return None,
    })
}

/// A number as JavaScript's `String(n)` writes it (`1`, `0.5`, `1e+21`, `1e-7`).
pub(crate) fn js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if n == 0.0 {
        return "0".to_string();
    }
    let abs = n.abs();
    if (1e-6..1e21).contains(&abs) {
        // Rust's shortest round-trip digits, never in exponent form: JavaScript's in this range.
        return format!("{n}");
    }
    let exp = format!("{n:e}");
    match exp.split_once('e') {
        Some((mantissa, e)) if !e.starts_with('-') => format!("{mantissa}e+{e}"),
        _ => exp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_javascript_string_does() {
        assert_eq!(js_number(1.0), "1");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(0.5), "0.5");
        assert_eq!(js_number(1e20), "100000000000000000000");
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(js_number(1.5e-7), "1.5e-7");
        assert_eq!(js_number(0.000001), "0.000001");
        assert_eq!(js_number(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn non_function_invocation_reads_as_in_jsonata_js() {
        assert_eq!(
            normalize("T1006: Attempted to invoke a non-function: $randomSeeded"),
            "T1006: Attempted to invoke a non-function"
        );
        assert_eq!(normalize("D3137: boom"), "D3137: boom");
        assert_eq!(normalize("no code here"), "no code here");
    }

    #[test]
    fn operator_errors_quote_the_operator() {
        assert_eq!(
            normalize("T2001: The left side of the + operator must evaluate to a number"),
            "T2001: The left side of the \"+\" operator must evaluate to a number"
        );
        assert_eq!(
            normalize("T2002: The right side of the * operator must evaluate to a number"),
            "T2002: The right side of the \"*\" operator must evaluate to a number"
        );
    }

    #[test]
    fn casts_and_single_read_as_in_jsonata_js() {
        assert_eq!(
            normalize("D3030: Cannot convert 'x' to number"),
            "D3030: Unable to cast value to a number: \"x\""
        );
        assert_eq!(
            normalize("D3138: The $single() function expected exactly 1 matching result.  Instead it matched more. (2 values)"),
            "D3138: The $single() function expected exactly 1 matching result.  Instead it matched more."
        );
    }

    #[test]
    fn argument_errors_name_the_function() {
        assert_eq!(
            argument_error("T0410", " Argument 2 must be Function", "map").as_deref(),
            Some("T0410: Argument 2 of function \"map\" does not match function signature")
        );
        assert_eq!(
            argument_error("T0412", " Argument 1 must be an array of Number", "sum").as_deref(),
            Some("T0412: Argument 1 of function \"sum\" must be an array of \"numbers\"")
        );
        assert_eq!(
            argument_error("T0410", " Argument count mismatch: expected 0, got 2", "f"),
            None
        );
        assert_eq!(
            argument_error(
                "T0410",
                " Argument count mismatch: expected 0, got 3",
                "round"
            )
            .as_deref(),
            Some("T0410: Argument 3 of function \"round\" does not match function signature")
        );
        assert_eq!(
            argument_error(
                "T0410",
                " Argument count mismatch: expected 2, got 1",
                "append"
            )
            .as_deref(),
            Some("T0410: Argument 2 of function \"append\" does not match function signature")
        );
    }

    #[test]
    fn syntax_errors_name_symbols_not_token_kinds() {
        assert_eq!(
            replace_token_names(" Expected RightBracket before end of expression"),
            " Expected \"]\" before end of expression"
        );
        assert_eq!(
            replace_token_names(" Syntax error: Number(2.0)"),
            " Syntax error: 2"
        );
        assert_eq!(
            replace_token_names(" Expected Colon, got Number(1.0)"),
            " Expected \":\", got 1"
        );
    }
}
