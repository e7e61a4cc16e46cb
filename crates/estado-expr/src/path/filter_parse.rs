//! Filter expressions (`[?( ... )]`), following Jayway's `FilterCompiler`:
//!
//! ```text
//! LogicalOR          = LogicalAND { '||' LogicalAND }
//! LogicalAND         = LogicalANDOperand { '&&' LogicalANDOperand }
//! LogicalANDOperand  = RelationalExpression | '(' LogicalOR ')' | '!' LogicalANDOperand
//! RelationalExpression = Value [ RelationalOperator Value ]   (no operator: existence test)
//! ```

use super::ast::{FilterExpr, Operand, RelOp, SubPath};
use super::parse::{self, Mode, Parser};
use super::PathParseError;

/// Parses `src[start..end]`, which holds `( ... )`.
pub(crate) fn parse_filter(
    src: &str,
    start: usize,
    end: usize,
    depth: usize,
) -> Result<FilterExpr, PathParseError> {
    let mut f = FilterParser {
        p: Parser::new(src, start, end, Mode::Full, depth),
    };
    let expr = f.or()?;
    f.skip_blanks();
    if !f.p.at_end() {
        return Err(f.p.err(format!(
            "Expected end of filter expression instead of: {}",
            &src[f.p.pos..end]
        )));
    }
    Ok(expr)
}

struct FilterParser<'s> {
    p: Parser<'s>,
}

/// Characters that end a path inside a filter and start a relational operator.
fn is_operator_char(b: u8) -> bool {
    matches!(b, b'<' | b'>' | b'=' | b'~' | b'!')
}

impl<'s> FilterParser<'s> {
    fn skip_blanks(&mut self) {
        self.p.pos = self.p.next_significant(self.p.pos);
    }

    /// Consumes `token` after optional blanks, or leaves the position unchanged.
    fn eat(&mut self, token: &str) -> bool {
        let at = self.p.next_significant(self.p.pos);
        if self.p.src[..self.p.end].get(at..at + token.len()) == Some(token) {
            self.p.pos = at + token.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<FilterExpr, PathParseError> {
        let mut ops = vec![self.and()?];
        while self.eat("||") {
            ops.push(self.and()?);
        }
        Ok(if ops.len() == 1 {
            ops.remove(0)
        } else {
            FilterExpr::Or(ops)
        })
    }

    fn and(&mut self) -> Result<FilterExpr, PathParseError> {
        let mut ops = vec![self.and_operand()?];
        while self.eat("&&") {
            ops.push(self.and_operand()?);
        }
        Ok(if ops.len() == 1 {
            ops.remove(0)
        } else {
            FilterExpr::And(ops)
        })
    }

    fn and_operand(&mut self) -> Result<FilterExpr, PathParseError> {
        if self.p.depth >= 64 {
            return Err(self.p.err("filter nested too deeply"));
        }
        self.skip_blanks();
        if self.p.peek() == Some(b'!') {
            let after = self.p.next_significant(self.p.pos + 1);
            // `!@.x` / `!$.x` is a "does not exist" test, read with the path.
            if !matches!(self.p.byte(after), Some(b'@' | b'$')) {
                self.p.pos = after;
                self.p.depth += 1;
                let inner = self.and_operand();
                self.p.depth -= 1;
                return Ok(FilterExpr::Not(Box::new(inner?)));
            }
        }
        if self.p.peek() == Some(b'(') {
            self.p.pos += 1;
            self.p.depth += 1;
            let inner = self.or();
            self.p.depth -= 1;
            let inner = inner?;
            if !self.eat(")") {
                return Err(self.p.err("expected ')'"));
            }
            return Ok(inner);
        }
        self.relation()
    }

    fn relation(&mut self) -> Result<FilterExpr, PathParseError> {
        let (left, negated) = self.value()?;
        let savepoint = self.p.pos;
        if let Some(op) = self.operator() {
            let (right, _) = self.value()?;
            return Ok(FilterExpr::Relation { left, op, right });
        }
        self.p.pos = savepoint;
        match left {
            Operand::Path(path) => Ok(FilterExpr::Exists {
                path,
                should_exist: !negated,
            }),
            _ => Err(self.p.err_at(savepoint, "Expected a relational operator")),
        }
    }

    /// Jayway's `readRelationalOperator`: a run of operator characters, or a word up to the
    /// next space.
    fn operator(&mut self) -> Option<RelOp> {
        self.skip_blanks();
        let begin = self.p.pos;
        if self.p.peek().is_some_and(is_operator_char) {
            while self.p.peek().is_some_and(is_operator_char) {
                self.p.pos += 1;
            }
        } else {
            while self.p.peek().is_some_and(|b| b != b' ') {
                self.p.pos += 1;
            }
        }
        RelOp::from_text(self.p.src.get(begin..self.p.pos)?)
    }

    /// A value: a path (`@...`, `$...`, `!@...`) or a literal. The flag is true for `!path`.
    fn value(&mut self) -> Result<(Operand, bool), PathParseError> {
        self.skip_blanks();
        match self.p.peek() {
            Some(b'@' | b'$') => Ok((Operand::Path(self.path()?), false)),
            Some(b'!') => {
                self.p.pos = self.p.next_significant(self.p.pos + 1);
                match self.p.peek() {
                    Some(b'@' | b'$') => Ok((Operand::Path(self.path()?), true)),
                    _ => Err(self.p.err("Unexpected character: !")),
                }
            }
            _ => Ok((self.literal()?, false)),
        }
    }

    /// Jayway's `readPath`: the path's extent is found first (up to an operator character, a
    /// blank, or a `)` that does not close a `.fn()` call), then it is compiled as a path.
    fn path(&mut self) -> Result<SubPath, PathParseError> {
        let begin = self.p.pos;
        self.p.pos += 1;
        while let Some(b) = self.p.peek() {
            if b == b'[' {
                let close = self
                    .p
                    .matching(self.p.pos, b'[', b']')
                    .ok_or_else(|| self.p.err("Square brackets does not match in filter"))?;
                self.p.pos = close + 1;
                continue;
            }
            if is_operator_char(b) || b == b' ' || (b == b')' && !self.closes_function(begin)) {
                break;
            }
            self.p.pos += 1;
        }
        parse::parse_sub(self.p.src, begin, self.p.pos, self.p.depth + 1)
    }

    /// Whether the `)` at the current position closes a no-argument `.fn()` call.
    fn closes_function(&self, lower_bound: usize) -> bool {
        let bytes = self.p.src.as_bytes();
        let mut idx = self.p.pos;
        // Previous significant character must be '('.
        loop {
            if idx == 0 {
                return false;
            }
            idx -= 1;
            if !matches!(bytes[idx], b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
        }
        if bytes[idx] != b'(' {
            return false;
        }
        bytes
            .get(lower_bound + 1..idx)
            .is_some_and(|between| between.contains(&b'.'))
    }

    fn literal(&mut self) -> Result<Operand, PathParseError> {
        self.skip_blanks();
        let begin = self.p.pos;
        match self.p.peek() {
            Some(q @ (b'\'' | b'"')) => {
                let (text, after) = self.p.quoted_string(begin, q)?;
                self.p.pos = after;
                Ok(Operand::String(text))
            }
            Some(b't') if self.eat("true") => Ok(Operand::Bool(true)),
            Some(b'f') if self.eat("false") => Ok(Operand::Bool(false)),
            Some(b'n') if self.eat("null") => Ok(Operand::Null),
            Some(open @ (b'[' | b'{')) => {
                let close_char = if open == b'[' { b']' } else { b'}' };
                let close = self
                    .p
                    .matching(begin, open, close_char)
                    .ok_or_else(|| self.p.err("JSON literal is not closed"))?;
                let text = &self.p.src[begin..close + 1];
                let value = parse::parse_json_literal(text)
                    .map_err(|e| self.p.err_at(begin, format!("invalid JSON literal: {e}")))?;
                self.p.pos = close + 1;
                Ok(Operand::Json(value))
            }
            Some(b'/') => self.pattern(),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Result<Operand, PathParseError> {
        let begin = self.p.pos;
        while self
            .p
            .peek()
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E' | b'+'))
        {
            self.p.pos += 1;
        }
        let text = &self.p.src[begin..self.p.pos];
        let value: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                self.p
                    .err_at(begin, "Failed to parse filter: expected a value")
            })?;
        Ok(Operand::Number {
            value,
            text: text.to_string(),
        })
    }

    /// `/regex/flags`, matched against the whole input (Java's `Matcher.matches`).
    fn pattern(&mut self) -> Result<Operand, PathParseError> {
        let begin = self.p.pos;
        let after = self
            .p
            .skip_quoted(begin, b'/')
            .ok_or_else(|| self.p.err("Pattern not closed. Expected / in filter"))?;
        let body = &self.p.src[begin + 1..after - 1];
        let mut flags = String::new();
        let mut i = after;
        while let Some(b) = self.p.byte(i).filter(u8::is_ascii_alphabetic) {
            flags.push(char::from(b));
            i += 1;
        }
        self.p.pos = i;
        let mut inline = String::new();
        for flag in flags.chars() {
            match flag {
                'i' => inline.push('i'),
                'm' => inline.push('m'),
                's' => inline.push('s'),
                'x' => inline.push('x'),
                // Java's UNIX_LINES, UNICODE_CASE and UNICODE_CHARACTER_CLASS have no effect
                // on Rust's (always Unicode) regexes.
                'd' | 'u' | 'U' => {}
                other => {
                    return Err(self
                        .p
                        .err_at(after, format!("Unknown regex flag '{other}'")))
                }
            }
        }
        let prefix = if inline.is_empty() {
            String::new()
        } else {
            format!("(?{inline})")
        };
        let regex = regex::Regex::new(&format!(r"{prefix}\A(?:{body})\z")).map_err(|e| {
            self.p
                .err_at(begin, format!("invalid regular expression: {e}"))
        })?;
        Ok(Operand::Pattern(regex))
    }
}
