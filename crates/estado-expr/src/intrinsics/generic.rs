//! `States.Format`: a string with each `{}` replaced by the next value, values printed as Java
//! prints them (`{Arg1=1, Arg2=[]}` for an object, `null`, `1.0`).

use estado_json::Value;
use estado_types::StatesError;

use super::args::Invocation;
use super::java;

/// A format string split at its `{}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Hole,
}

/// One character of a format string, with whether it was escaped in an intrinsic literal
/// (`\{` is a literal brace, never half of a placeholder).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormatChar {
    pub ch: char,
    pub escaped: bool,
}

impl Template {
    /// Compiles a template from a string literal's characters: an unescaped `{` directly
    /// followed by an unescaped `}` is a placeholder; everything else is text.
    pub(crate) fn from_literal(chars: &[FormatChar]) -> Template {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while let Some(c) = chars.get(i) {
            let opens_hole = c.ch == '{'
                && !c.escaped
                && chars.get(i + 1).is_some_and(|n| n.ch == '}' && !n.escaped);
            if opens_hole {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Hole);
                i += 2;
            } else {
                text.push(c.ch);
                i += 1;
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Template { pieces }
    }

    /// Compiles a template that arrived as data (from a path): every `{}` is a placeholder.
    pub(crate) fn from_data(s: &str) -> Template {
        let chars: Vec<FormatChar> = s
            .chars()
            .map(|ch| FormatChar { ch, escaped: false })
            .collect();
        Template::from_literal(&chars)
    }

    /// How many `{}` placeholders there are.
    pub(crate) fn holes(&self) -> usize {
        self.pieces.iter().filter(|p| **p == Piece::Hole).count()
    }

    fn render(&self, values: &[Value]) -> String {
        let mut out = String::new();
        let mut next = values.iter();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Hole => {
                    if let Some(v) = next.next() {
                        out.push_str(&java::to_string(v));
                    }
                }
            }
        }
        out
    }
}

/// `States.Format(template, values...)`: the template must be a string with exactly as many
/// `{}` as there are values.
pub(crate) fn format(inv: &Invocation) -> Result<Value, StatesError> {
    let from_data;
    let template = match inv.template {
        Some(t) => t,
        None => {
            from_data = Template::from_data(inv.string(0)?);
            &from_data
        }
    };
    let values = inv.args.get(1..).unwrap_or_default();
    if template.holes() != values.len() {
        return Err(inv.fail(format!(
            "the format string has {} placeholder(s) but {} value(s) were given",
            template.holes(),
            values.len()
        )));
    }
    Ok(Value::String(template.render(values)))
}
