//! Path text → [`Root`] + [`Chain`], following Jayway's `PathCompiler` token by token.
//!
//! All delimiters are ASCII, so the scanner works on bytes and only ever slices the source at
//! ASCII positions (always char boundaries).

use estado_json::Value;

use super::ast::{Chain, Step, SubPath, SubRoot};
use super::function::{Function, FunctionKind, Param};
use super::{filter_parse, PathParseError, Root};

/// Which grammar to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Everything Jayway accepts (plus ASL roots).
    Full,
    /// Reference paths: single names and single indexes only.
    Reference,
}

/// Nesting limit for filters and function arguments, so that hostile input cannot exhaust the
/// stack.
const MAX_DEPTH: usize = 32;

/// Parses a top-level ASL path (`$`, `$$` or `$name` root).
pub(crate) fn parse(src: &str, mode: Mode) -> Result<(Root, Chain), PathParseError> {
    let mut p = Parser::new(src, 0, src.len(), mode, 0);
    let root = p.asl_root()?;
    let steps = p.steps()?;
    Ok((root, Chain::new(steps)))
}

/// Parses `src[start..end]` as a path rooted at `@` or `$` (inside a filter or as a function
/// argument).
pub(crate) fn parse_sub(
    src: &str,
    start: usize,
    end: usize,
    depth: usize,
) -> Result<SubPath, PathParseError> {
    let mut p = Parser::new(src, start, end, Mode::Full, depth);
    let root = match p.bump() {
        Some(b'@') => SubRoot::Current,
        Some(b'$') => SubRoot::Document,
        _ => return Err(p.err_at(start, "Path must start with '$' or '@'")),
    };
    let steps = p.steps()?;
    Ok(SubPath {
        root,
        chain: Chain::new(steps),
    })
}

pub(crate) struct Parser<'s> {
    pub(crate) src: &'s str,
    pub(crate) pos: usize,
    pub(crate) end: usize,
    mode: Mode,
    pub(crate) depth: usize,
}

impl<'s> Parser<'s> {
    pub(crate) fn new(src: &'s str, start: usize, end: usize, mode: Mode, depth: usize) -> Self {
        Parser {
            src,
            pos: start,
            end,
            mode,
            depth,
        }
    }

    pub(crate) fn err_at(&self, offset: usize, message: impl Into<String>) -> PathParseError {
        PathParseError::new(self.src, offset, message)
    }
    pub(crate) fn err(&self, message: impl Into<String>) -> PathParseError {
        self.err_at(self.pos, message)
    }
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.end
    }
    pub(crate) fn peek(&self) -> Option<u8> {
        self.byte(self.pos)
    }
    pub(crate) fn byte(&self, at: usize) -> Option<u8> {
        if at < self.end {
            self.src.as_bytes().get(at).copied()
        } else {
            None
        }
    }
    pub(crate) fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }
    /// Index of the next byte at or after `from` that is not Jayway whitespace.
    pub(crate) fn next_significant(&self, from: usize) -> usize {
        let mut i = from;
        while matches!(self.byte(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// `$$`, `$name` or `$`, then `.`/`[`/end.
    fn asl_root(&mut self) -> Result<Root, PathParseError> {
        if self.bump() != Some(b'$') {
            return Err(self.err_at(0, "Path must start with '$'"));
        }
        if self.peek() == Some(b'$') {
            self.pos += 1;
            return Ok(Root::Context);
        }
        let start = self.pos;
        let rest = &self.src[start..self.end];
        let len: usize = rest
            .chars()
            .take_while(|c| *c == '_' || c.is_alphanumeric())
            .map(char::len_utf8)
            .sum();
        self.pos += len;
        if len == 0 {
            Ok(Root::Input)
        } else {
            Ok(Root::Variable(rest[..len].to_string()))
        }
    }

    /// The steps after a root, up to `self.end`.
    fn steps(&mut self) -> Result<Vec<Step>, PathParseError> {
        let mut steps = Vec::new();
        if self.at_end() {
            return Ok(steps);
        }
        if !matches!(self.peek(), Some(b'.' | b'[')) {
            return Err(self.err(format!(
                "Illegal character at position {} expected '.' or '['",
                self.pos
            )));
        }
        while !self.at_end() {
            match self.peek() {
                Some(b'.') => self.dot(&mut steps)?,
                Some(b'[') => steps.push(self.bracket()?),
                _ => return Err(self.err("expected '.' or '['")),
            }
            if let Some(Step::Function(_)) = steps.last() {
                if !self.at_end() {
                    return Err(self.err("a function must be the last step of a path"));
                }
            }
        }
        if let Some(Step::Scan) = steps.last() {
            return Err(self.err("Path must not end with a '.' or '..'"));
        }
        if self.mode == Mode::Reference {
            self.check_reference(&steps)?;
        }
        Ok(steps)
    }

    fn check_reference(&self, steps: &[Step]) -> Result<(), PathParseError> {
        for step in steps {
            let single = match step {
                Step::Props { names, .. } => names.len() == 1,
                Step::Indexes(indexes) => indexes.len() == 1,
                _ => false,
            };
            if !single {
                let mut fragment = String::new();
                step.write_fragment(&mut fragment);
                return Err(self.err_at(
                    0,
                    format!(
                        "a reference path may only select single members and elements, not '{fragment}'"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `.name`, `.name()`, `.*`, `..`, `.[...]`.
    fn dot(&mut self, steps: &mut Vec<Step>) -> Result<(), PathParseError> {
        if self.byte(self.pos + 1) == Some(b'.') {
            steps.push(Step::Scan);
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        match self.peek() {
            None => Err(self.err("Path must not end with a '.' or '..'")),
            Some(b'.') => Err(self.err(format!(
                "Character '.' on position {} is not valid.",
                self.pos
            ))),
            Some(b'[') => {
                steps.push(self.bracket()?);
                Ok(())
            }
            Some(b'*') => {
                self.pos += 1;
                steps.push(Step::Wildcard);
                Ok(())
            }
            Some(_) => {
                steps.push(self.name_or_function()?);
                Ok(())
            }
        }
    }

    /// A dot-notation name (anything up to `.`, `[` or `(`; a blank is an error) or a function
    /// call `name(...)`.
    fn name_or_function(&mut self) -> Result<Step, PathParseError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            match b {
                b' ' => {
                    return Err(self.err(format!(
                        "Use bracket notion ['my prop'] if your property contains blank characters. position: {}",
                        self.pos
                    )))
                }
                b'.' | b'[' | b'(' => break,
                _ => self.pos += 1,
            }
        }
        let name = &self.src[start..self.pos];
        if self.peek() != Some(b'(') {
            if name.is_empty() {
                return Err(self.err("expected a member name"));
            }
            return Ok(Step::Props {
                names: vec![name.to_string()],
                quote: '\'',
            });
        }
        let kind = FunctionKind::from_name(name).ok_or_else(|| {
            self.err_at(start, format!("Function with name: {name} does not exist."))
        })?;
        let open = self.pos;
        let close = self.matching(open, b'(', b')').ok_or_else(|| {
            self.err_at(
                open,
                format!("Arguments to function: '{name}' are not closed properly."),
            )
        })?;
        let params = self.function_params(open + 1, close)?;
        self.pos = close + 1;
        Ok(Step::Function(Function {
            name: name.to_string(),
            kind,
            params,
        }))
    }

    /// Comma-separated function arguments in `src[start..end]`: JSON literals or paths.
    fn function_params(&self, start: usize, end: usize) -> Result<Vec<Param>, PathParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err_at(start, "path nested too deeply"));
        }
        let mut params = Vec::new();
        for (a, b) in split_top_level(self.src, start, end) {
            let a = self.trim_start(a, b);
            let b = self.trim_end(a, b);
            if a == b {
                continue;
            }
            let text = &self.src[a..b];
            match text.as_bytes()[0] {
                b'$' | b'@' => params.push(Param::Path(parse_sub(self.src, a, b, self.depth + 1)?)),
                _ => {
                    let value = parse_json_literal(text)
                        .map_err(|e| self.err_at(a, format!("invalid function argument: {e}")))?;
                    params.push(Param::Json(value));
                }
            }
        }
        Ok(params)
    }

    fn trim_start(&self, mut a: usize, b: usize) -> usize {
        while a < b && self.src.as_bytes()[a].is_ascii_whitespace() {
            a += 1;
        }
        a
    }
    fn trim_end(&self, a: usize, mut b: usize) -> usize {
        while b > a && self.src.as_bytes()[b - 1].is_ascii_whitespace() {
            b -= 1;
        }
        b
    }

    /// A `[...]` step: quoted names, indexes, a slice, `*`, or a filter.
    fn bracket(&mut self) -> Result<Step, PathParseError> {
        let open = self.pos;
        let first = self.next_significant(open + 1);
        match self.byte(first) {
            Some(q @ (b'\'' | b'"')) => self.quoted_names(first, q),
            Some(b) if b.is_ascii_digit() || b == b'-' || b == b':' => self.array_op(open),
            Some(b'*') => {
                let close = self.next_significant(first + 1);
                if self.byte(close) != Some(b']') {
                    return Err(self.err_at(
                        first + 1,
                        format!(
                            "Expected wildcard token to end with ']' on position {}",
                            first + 1
                        ),
                    ));
                }
                self.pos = close + 1;
                Ok(Step::Wildcard)
            }
            Some(b'?') => self.filter(open, first),
            _ => Err(self.err_at(
                open,
                format!(
                    "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
                ),
            )),
        }
    }

    /// `['a']`, `["a"]`, `['a', 'b']`.
    fn quoted_names(&mut self, first: usize, quote: u8) -> Result<Step, PathParseError> {
        let mut names = Vec::new();
        let mut i = first;
        loop {
            // i is at an opening quote.
            let (name, after) = self.quoted_string(i, quote)?;
            names.push(name);
            let j = self.next_significant(after);
            match self.byte(j) {
                Some(b']') => {
                    self.pos = j + 1;
                    return Ok(Step::Props {
                        names,
                        quote: char::from(quote),
                    });
                }
                Some(b',') => {
                    let k = self.next_significant(j + 1);
                    if self.byte(k) != Some(quote) {
                        return Err(self.err_at(k, format!("Found empty property at index {k}")));
                    }
                    i = k;
                }
                _ => {
                    return Err(self.err_at(
                        j,
                        format!(
                            "Property must be separated by comma or Property must be terminated close square bracket at index {j}"
                        ),
                    ))
                }
            }
        }
    }

    /// A quoted string starting at `open`; returns the unescaped text and the index after the
    /// closing quote.
    pub(crate) fn quoted_string(
        &self,
        open: usize,
        quote: u8,
    ) -> Result<(String, usize), PathParseError> {
        let mut i = open + 1;
        loop {
            match self.byte(i) {
                None => {
                    return Err(self.err_at(
                        open,
                        format!(
                            "Property has not been closed - missing closing {}",
                            char::from(quote)
                        ),
                    ))
                }
                Some(b'\\') => i += 2,
                Some(b) if b == quote => {
                    let raw = &self.src[open + 1..i.min(self.end)];
                    return Ok((unescape(raw, quote), i + 1));
                }
                Some(_) => i += 1,
            }
        }
    }

    /// `[0]`, `[0,1]`, `[-1]`, `[1:3]`, `[:2]`, `[-2:]`.
    fn array_op(&mut self, open: usize) -> Result<Step, PathParseError> {
        let close = (open + 1..self.end)
            .find(|&i| self.byte(i) == Some(b']'))
            .ok_or_else(|| self.err_at(open, "Could not parse token: missing ']'"))?;
        let inner = self.src[open + 1..close].trim();
        if inner
            .bytes()
            .any(|b| !(b.is_ascii_digit() || matches!(b, b',' | b'-' | b':' | b' ')))
        {
            return Err(self.err_at(open, format!("Failed to parse array operation: {inner}")));
        }
        let step = if inner.contains(':') {
            parse_slice(inner).ok_or_else(|| {
                self.err_at(open, format!("Failed to parse SliceOperation: {inner}"))
            })?
        } else {
            let mut indexes = Vec::new();
            for token in inner.split(',') {
                let index = token.trim().parse::<i32>().map_err(|_| {
                    self.err_at(
                        open,
                        format!("Failed to parse token in ArrayIndexOperation: {token}"),
                    )
                })?;
                indexes.push(index);
            }
            Step::Indexes(indexes)
        };
        self.pos = close + 1;
        Ok(step)
    }

    /// `[?( ... )]`: `question` is the index of `?`.
    fn filter(&mut self, open: usize, question: usize) -> Result<Step, PathParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err_at(open, "path nested too deeply"));
        }
        let paren = self.next_significant(question + 1);
        if self.byte(paren) != Some(b'(') {
            return Err(self.err_at(open, "Filter must start with '[?(' and end with ')]'"));
        }
        let close_paren = self
            .closing_paren_skipping_literals(paren)
            .ok_or_else(|| self.err_at(paren, "Filter must start with '[?(' and end with ')]'"))?;
        let close = self.next_significant(close_paren + 1);
        if self.byte(close) != Some(b']') {
            return Err(self.err_at(close, "Filter must start with '[?(' and end with ')]'"));
        }
        let expr = filter_parse::parse_filter(self.src, paren, close_paren + 1, self.depth + 1)?;
        self.pos = close + 1;
        Ok(Step::Filter(Box::new(expr)))
    }

    /// Index of the `close` matching the `open` at `at`, skipping quoted strings.
    pub(crate) fn matching(&self, at: usize, open: u8, close: u8) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = at;
        while let Some(b) = self.byte(i) {
            match b {
                b'\'' | b'"' => {
                    i = self.skip_quoted(i, b)?;
                    continue;
                }
                _ if b == open => depth += 1,
                _ if b == close => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Like [`Self::matching`] for parentheses, also skipping `/regex/` literals (Jayway's
    /// `indexOfClosingBracket(.., skipStrings, skipRegex)`).
    fn closing_paren_skipping_literals(&self, at: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = at;
        while let Some(b) = self.byte(i) {
            match b {
                b'\'' | b'"' => {
                    i = self.skip_quoted(i, b)?;
                    continue;
                }
                b'/' => {
                    i = self.skip_quoted(i, b'/')?;
                    continue;
                }
                b'(' => depth += 1,
                b')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Index after the closing `quote` of a literal opened at `open` (backslash escapes).
    pub(crate) fn skip_quoted(&self, open: usize, quote: u8) -> Option<usize> {
        let mut i = open + 1;
        loop {
            match self.byte(i)? {
                b'\\' => i += 2,
                b if b == quote => return Some(i + 1),
                _ => i += 1,
            }
        }
    }
}

/// Jayway's `ArraySliceOperation.parse`: `from:to` (Java's `split` drops trailing empty parts,
/// and anything after a second `:` is ignored).
fn parse_slice(inner: &str) -> Option<Step> {
    if inner.contains(' ') {
        return None;
    }
    let parts: Vec<&str> = inner.split(':').collect();
    let read = |i: usize| -> Option<Option<i32>> {
        match parts.get(i) {
            None | Some(&"") => Some(None),
            Some(text) => text.parse::<i32>().ok().map(Some),
        }
    };
    let from = read(0)?;
    let to = read(1)?;
    if from.is_none() && to.is_none() {
        return None;
    }
    Some(Step::Slice { from, to })
}

/// Top-level comma-separated ranges of `src[start..end]` (ignoring commas nested in brackets,
/// braces, parentheses or quotes).
fn split_top_level(src: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let bytes = src.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut part_start = start;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => {
                    parts.push((part_start, i));
                    part_start = i + 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    parts.push((part_start, end));
    parts
}

/// Backslash escapes in a name quoted with `quote`. AWS keeps a backslash before the *other*
/// quote character (`$['a\\"b']` names the key `a\\"b`, as a recorded AWS execution shows).
pub(crate) fn unescape(raw: &str, quote: u8) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(q @ ('"' | '\'')) if q as u32 != u32::from(quote) => {
                out.push('\\');
                out.push(q);
            }
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
        }
    }
    out
}

/// A JSON literal as json-smart's permissive mode reads it: standard JSON, plus single-quoted
/// strings.
pub(crate) fn parse_json_literal(text: &str) -> Result<Value, serde_json::Error> {
    if !text.contains('\'') {
        return serde_json::from_str(text);
    }
    let mut converted = String::with_capacity(text.len() + 8);
    let mut chars = text.chars();
    let mut in_double = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_double = !in_double;
                converted.push(c);
            }
            '\\' if in_double => {
                converted.push(c);
                if let Some(n) = chars.next() {
                    converted.push(n);
                }
            }
            '\'' if !in_double => {
                // Re-quote a single-quoted string with double quotes.
                converted.push('"');
                while let Some(s) = chars.next() {
                    match s {
                        '\'' => break,
                        '"' => converted.push_str("\\\""),
                        '\\' => match chars.next() {
                            Some('\'') => converted.push('\''),
                            Some(n) => {
                                converted.push('\\');
                                converted.push(n);
                            }
                            None => converted.push('\\'),
                        },
                        other => converted.push(other),
                    }
                }
                converted.push('"');
            }
            other => converted.push(other),
        }
    }
    serde_json::from_str(&converted)
}
