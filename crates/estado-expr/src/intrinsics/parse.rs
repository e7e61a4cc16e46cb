//! The intrinsic call parser: `States.Name(arg, ...)` with string, number, boolean and null
//! literals, paths and nested calls as arguments.

use estado_json::{Number, Value};

use super::generic::{FormatChar, Template};
use super::table;
use super::{Arg, Call, IntrinsicParseError, MAX_NESTING};
use crate::path::Path;

const PREFIX: &str = "States.";

/// Parses one complete call; only blanks may follow it.
pub(crate) fn parse(src: &str) -> Result<Call, IntrinsicParseError> {
    let mut p = Parser { src, pos: 0 };
    let call = p.call(1)?;
    p.skip_blanks();
    if p.pos < src.len() {
        return Err(p.error("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

struct Parser<'s> {
    src: &'s str,
    /// Byte offset of the next unread character.
    pos: usize,
}

impl<'s> Parser<'s> {
    fn error(&self, message: impl Into<String>) -> IntrinsicParseError {
        IntrinsicParseError::new(self.src, self.pos, message)
    }

    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_blanks(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.pos += 1;
        }
    }

    fn expect(&mut self, want: char, what: &str) -> Result<(), IntrinsicParseError> {
        if self.peek() == Some(want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {what}")))
        }
    }

    /// `States.Name(args)`; `depth` counts this call (the outermost is 1).
    fn call(&mut self, depth: usize) -> Result<Call, IntrinsicParseError> {
        if depth > MAX_NESTING {
            return Err(self.error(format!(
                "intrinsic functions can be nested at most {MAX_NESTING} deep"
            )));
        }
        let start = self.pos;
        if !self.rest().starts_with(PREFIX) {
            return Err(self.error("expected an intrinsic function name starting with 'States.'"));
        }
        self.pos += PREFIX.len();
        let ident_len = self
            .rest()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if ident_len == 0 {
            return Err(self.error("expected a function name after 'States.'"));
        }
        self.pos += ident_len;
        let name = &self.src[start..self.pos];
        let function = table::lookup(name).ok_or_else(|| {
            IntrinsicParseError::new(
                self.src,
                start,
                format!("unknown intrinsic function '{name}'"),
            )
        })?;
        self.skip_blanks();
        self.expect('(', "'(' after the function name")?;
        let mut args = Vec::new();
        let mut template = None;
        self.skip_blanks();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_blanks();
                let (arg, chars) = self.arg(depth)?;
                if args.is_empty() {
                    template = chars.map(|c| Template::from_literal(&c));
                }
                args.push(arg);
                self.skip_blanks();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => return Err(self.error("expected ',' or ')' after an argument")),
                    None => return Err(self.error("missing ')' at the end of the arguments")),
                }
            }
        }
        let source = self.src[start..self.pos].to_string();
        if !function.arity.accepts(args.len()) {
            return Err(IntrinsicParseError::new(
                self.src,
                start,
                format!(
                    "{name} takes {}, but {} {} given",
                    function.arity,
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            ));
        }
        // Only States.Format reads a template; other functions see their literal as a value.
        let template = if name == "States.Format" {
            check_format(self.src, start, &args, template)?
        } else {
            None
        };
        Ok(Call {
            source,
            function,
            args,
            template,
        })
    }

    /// One argument. For a string literal, also its characters with their escape flags.
    #[allow(clippy::type_complexity)]
    fn arg(&mut self, depth: usize) -> Result<(Arg, Option<Vec<FormatChar>>), IntrinsicParseError> {
        match self.peek() {
            Some('\'') => {
                let chars = self.string()?;
                let value: String = chars.iter().map(|c| c.ch).collect();
                Ok((Arg::Literal(Value::String(value)), Some(chars)))
            }
            Some('$') => Ok((Arg::Path(self.path()?), None)),
            Some(c) if c == '-' || c.is_ascii_digit() => Ok((Arg::Literal(self.number()?), None)),
            Some(_) if self.rest().starts_with(PREFIX) => {
                Ok((Arg::Call(Box::new(self.call(depth + 1)?)), None))
            }
            Some(_) => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if let Some(after) = self.rest().strip_prefix(word) {
                        if !after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                            self.pos += word.len();
                            return Ok((Arg::Literal(value), None));
                        }
                    }
                }
                Err(self.error(
                    "expected an argument: a 'string', a number, true, false, null, a path or \
                     an intrinsic function",
                ))
            }
            None => Err(self.error("missing ')' at the end of the arguments")),
        }
    }

    /// `'...'`. The only escapes are `\'`, `\{`, `\}` and `\\` (AWS rejects a definition
    /// with `\"` in an intrinsic string); other characters, control characters included,
    /// stand for themselves.
    fn string(&mut self) -> Result<Vec<FormatChar>, IntrinsicParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut chars = Vec::new();
        loop {
            let at = self.pos;
            match self.bump() {
                Some('\'') => return Ok(chars),
                Some('\\') => match self.bump() {
                    Some(ch @ ('\'' | '{' | '}' | '\\')) => {
                        chars.push(FormatChar { ch, escaped: true })
                    }
                    Some(ch) => {
                        return Err(IntrinsicParseError::new(
                            self.src,
                            at,
                            format!(
                                "invalid escape sequence '\\{ch}' in a string literal \
                                 (only \\', \\{{, \\}} and \\\\ are allowed)"
                            ),
                        ))
                    }
                    None => break,
                },
                Some(ch) => chars.push(FormatChar { ch, escaped: false }),
                None => break,
            }
        }
        Err(IntrinsicParseError::new(
            self.src,
            open,
            "unterminated string literal (missing closing quote)",
        ))
    }

    /// A JSON-style number: `-`, digits, optional fraction and exponent. Integers that fit
    /// an i64 stay integers; the rest are doubles.
    fn number(&mut self) -> Result<Value, IntrinsicParseError> {
        let start = self.pos;
        let text_len = self
            .rest()
            .char_indices()
            .take_while(|(i, c)| {
                c.is_ascii_digit()
                    || matches!(c, '.' | 'e' | 'E')
                    || (*c == '-' && *i == 0)
                    || matches!(c, '+' | '-') && self.rest()[..*i].ends_with(['e', 'E'])
            })
            .count();
        let text = &self.src[start..start + text_len];
        self.pos += text_len;
        let bad = || IntrinsicParseError::new(self.src, start, format!("invalid number '{text}'"));
        let digits = text.strip_prefix('-').unwrap_or(text);
        if !digits.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad());
        }
        if !text.contains(['.', 'e', 'E']) {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::from(i));
            }
        }
        let f: f64 = text.parse().map_err(|_| bad())?;
        Number::from_f64(f).map(Value::Number).ok_or_else(bad)
    }

    /// A path argument: everything up to the `,` or `)` that ends the argument, brackets,
    /// parentheses and quoted names inside brackets kept whole.
    fn path(&mut self) -> Result<Path, IntrinsicParseError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            if let Some(q) = quote {
                self.pos += c.len_utf8();
                if c == '\\' {
                    self.bump();
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' if depth > 0 => depth -= 1,
                '\'' | '"' if depth > 0 => quote = Some(c),
                ',' | ')' | ' ' | '\t' | '\n' | '\r' if depth == 0 => break,
                _ => {}
            }
            self.pos += c.len_utf8();
        }
        let text = &self.src[start..self.pos];
        Path::parse(text).map_err(|e| {
            IntrinsicParseError::new(
                self.src,
                start + e.offset(),
                format!("invalid path '{text}': {}", e.message()),
            )
        })
    }
}

/// States.Format's first argument must be a string. Returns the compiled literal template.
///
/// A literal template whose `{}` count differs from the number of values is *not* rejected
/// here: AWS's own documentation shows such a call (`'{}.{}.{}'` with two values) as valid, so
/// the mismatch is reported when the call runs.
fn check_format(
    src: &str,
    start: usize,
    args: &[Arg],
    template: Option<Template>,
) -> Result<Option<Template>, IntrinsicParseError> {
    match (args.first(), template) {
        (Some(Arg::Literal(_)), Some(t)) => Ok(Some(t)),
        (Some(Arg::Literal(v)), None) => Err(IntrinsicParseError::new(
            src,
            start,
            format!("States.Format's first argument must be a string, but was: {v}"),
        )),
        _ => Ok(None),
    }
}
