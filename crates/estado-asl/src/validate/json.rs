//! Reading definition text the way AWS's Jackson parser does: the same accepted syntax (strict
//! JSON; anything after the first complete value is ignored), Jackson's error messages and
//! `[Source: ...; line: L, column: C]` locations, and the duplicate object keys Jackson lets
//! through (the last one wins) reported so the validator can flag duplicate state names.

use estado_json::{Map, Number, Value};

/// What reading the text gave.
#[derive(Debug)]
pub enum Parsed {
    /// A JSON value, plus every key that appeared twice in one object.
    Value(Value, Vec<DuplicateKey>),
    /// Only whitespace: Jackson reads "no content".
    Empty,
    /// Not JSON: Jackson's message (with its ` at [Source...]` suffix) and the location alone.
    Error { message: String, location: String },
}

/// A key that appeared more than once in one object: the path to the object, and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub parent: Vec<Step>,
    pub key: String,
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Jackson shows at most this many characters of the source in its locations.
const SOURCE_SHOWN: usize = 500;
/// Jackson stops reading an unrecognized token after this many characters.
const MAX_TOKEN: usize = 256;
/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 1000;

/// Parses `text` like Jackson's `ObjectMapper.readTree`.
pub fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        text,
        chars: text.char_indices().collect(),
        pos: 0,
        path: Vec::new(),
        duplicates: Vec::new(),
    };
    p.skip_ws();
    if p.pos >= p.chars.len() {
        return Parsed::Empty;
    }
    match p.value(0) {
        Ok(v) => Parsed::Value(v, p.duplicates),
        Err(e) => {
            let location = p.source_location(e.at);
            Parsed::Error {
                message: format!("{}\n at {}", e.message, location),
                location,
            }
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    chars: Vec<(usize, char)>,
    /// Index into `chars` of the next unread character.
    pos: usize,
    path: Vec<Step>,
    duplicates: Vec<DuplicateKey>,
}

struct Failure {
    message: String,
    /// Index into `chars` where Jackson's input pointer is when it reports.
    at: usize,
}

const VALUE_EXPECTED: &str =
    "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn fail<T>(&self, message: String, at: usize) -> Result<T, Failure> {
        Err(Failure { message, at })
    }

    /// Jackson's `[Source: (String)"..."; line: L, column: C]` for the character index `at`.
    fn source_location(&self, at: usize) -> String {
        let mut line = 1;
        let mut column = 1;
        for (_, c) in self.chars.iter().take(at) {
            if *c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        let total = self.chars.len();
        let shown: String = self.text.chars().take(SOURCE_SHOWN).collect();
        let truncated = if total > SOURCE_SHOWN {
            format!("[truncated {} chars]", total - SOURCE_SHOWN)
        } else {
            String::new()
        };
        format!("[Source: (String)\"{shown}\"{truncated}; line: {line}, column: {column}]")
    }

    fn unexpected(&self, c: char, what: &str) -> Result<Value, Failure> {
        self.fail(
            format!("Unexpected character ({}): {what}", char_desc(c)),
            self.pos + 1,
        )
    }

    fn value(&mut self, depth: usize) -> Result<Value, Failure> {
        if depth > MAX_DEPTH {
            return self.fail(
                format!("Document nesting depth exceeds the maximum allowed ({MAX_DEPTH})"),
                self.pos,
            );
        }
        let Some(c) = self.peek() else {
            return self.fail(
                format!("Unexpected end-of-input: expected a valid value {VALUE_EXPECTED}"),
                self.pos,
            );
        };
        match c {
            '{' => self.object(depth),
            '[' => self.array(depth),
            '"' => {
                self.pos += 1;
                self.string().map(Value::String)
            }
            '-' | '0'..='9' => self.number(),
            '/' | '#' => self.unexpected(
                c,
                "maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)",
            ),
            c if c.is_alphabetic() || c == '_' => self.word(),
            _ => self.unexpected(c, &format!("expected a valid value {VALUE_EXPECTED}")),
        }
    }

    /// `true`, `false`, `null`, or Jackson's "Unrecognized token".
    fn word(&mut self) -> Result<Value, Failure> {
        let start = self.pos;
        let mut end = start;
        while end < self.chars.len() && end - start < MAX_TOKEN {
            let c = self.chars[end].1;
            if c.is_alphanumeric() || c == '_' || c == '$' {
                end += 1;
            } else {
                break;
            }
        }
        let token: String = self.chars[start..end].iter().map(|(_, c)| *c).collect();
        let value = match token.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => {
                return self.fail(
                    format!("Unrecognized token '{token}': was expecting {VALUE_EXPECTED}"),
                    end,
                )
            }
        };
        self.pos = end;
        Ok(value)
    }

    fn number(&mut self) -> Result<Value, Failure> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
            match self.peek() {
                Some('0'..='9') => {}
                Some(c) => {
                    return self.fail(
                        format!(
                            "Unexpected character ({}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value",
                            char_desc(c)
                        ),
                        self.pos + 1,
                    )
                }
                None => {
                    return self.fail(
                        "Unexpected end-of-input in numeric value".to_string(),
                        self.pos,
                    )
                }
            }
        }
        if self.peek() == Some('0') && matches!(self.chars.get(self.pos + 1), Some((_, '0'..='9')))
        {
            return self.fail(
                "Invalid numeric value: Leading zeroes not allowed".to_string(),
                self.pos + 2,
            );
        }
        self.digits();
        if self.peek() == Some('.') {
            self.pos += 1;
            if !self.digits() {
                return self.number_needs_digit("Decimal point not followed by a digit");
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if !self.digits() {
                return self.number_needs_digit("Exponent indicator not followed by a digit");
            }
        }
        let text: String = self.chars[start..self.pos]
            .iter()
            .map(|(_, c)| *c)
            .collect();
        Ok(Value::Number(number_from(&text)))
    }

    fn number_needs_digit(&self, what: &str) -> Result<Value, Failure> {
        match self.peek() {
            Some(c) => self.fail(
                format!(
                    "Unexpected character ({}) in numeric value: {what}",
                    char_desc(c)
                ),
                self.pos + 1,
            ),
            None => self.fail(
                "Unexpected end-of-input in numeric value".to_string(),
                self.pos,
            ),
        }
    }

    fn digits(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some('0'..='9')) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// The rest of a string whose opening quote was consumed.
    fn string(&mut self) -> Result<String, Failure> {
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return self.fail(
                    "Unexpected end-of-input: was expecting closing quote for a string value"
                        .to_string(),
                    self.pos,
                );
            };
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => out.push(self.escape()?),
                c if (c as u32) < 0x20 => {
                    return self.fail(
                        format!(
                            "Illegal unquoted character ({}): has to be escaped using backslash to be included in string value",
                            char_desc(c)
                        ),
                        self.pos,
                    )
                }
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, Failure> {
        let Some(c) = self.peek() else {
            return self.fail(
                "Unexpected end-of-input in character escape sequence".to_string(),
                self.pos,
            );
        };
        self.pos += 1;
        Ok(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => return self.unicode_escape(),
            c => {
                return self.fail(
                    format!("Unrecognized character escape {}", char_desc(c)),
                    self.pos,
                )
            }
        })
    }

    fn unicode_escape(&mut self) -> Result<char, Failure> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first)
            && self.peek() == Some('\\')
            && matches!(self.chars.get(self.pos + 1), Some((_, 'u')))
        {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        // A lone surrogate is kept by Jackson; Rust strings cannot hold it.
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }

    fn hex4(&mut self) -> Result<u32, Failure> {
        let mut code = 0u32;
        for _ in 0..4 {
            let Some(c) = self.peek() else {
                return self.fail(
                    "Unexpected end-of-input in character escape sequence".to_string(),
                    self.pos,
                );
            };
            self.pos += 1;
            let Some(d) = c.to_digit(16) else {
                return self.fail(
                    format!(
                        "Unexpected character ({}): expected a hex-digit for character escape sequence",
                        char_desc(c)
                    ),
                    self.pos,
                );
            };
            code = code * 16 + d;
        }
        Ok(code)
    }

    fn end_of_input_in(&self, what: &str, start: usize) -> Result<Value, Failure> {
        self.fail(
            format!(
                "Unexpected end-of-input: expected close marker for {what} (start marker at {})",
                self.source_location(start)
            ),
            self.pos,
        )
    }

    fn array(&mut self, depth: usize) -> Result<Value, Failure> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            if self.peek().is_none() {
                return self.end_of_input_in("Array", start);
            }
            self.path.push(Step::Index(items.len()));
            let item = self.value(depth + 1);
            self.path.pop();
            items.push(item?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                Some(c) => {
                    return self.unexpected(c, "was expecting comma to separate Array entries")
                }
                None => return self.end_of_input_in("Array", start),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Failure> {
        let start = self.pos;
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            let key = match self.peek() {
                Some('"') => {
                    self.pos += 1;
                    self.string()?
                }
                Some(c) => {
                    return self.unexpected(c, "was expecting double-quote to start field name")
                }
                None => return self.end_of_input_in("Object", start),
            };
            self.skip_ws();
            match self.peek() {
                Some(':') => self.pos += 1,
                Some(c) => {
                    return self
                        .unexpected(c, "was expecting a colon to separate field name and value")
                }
                None => return self.end_of_input_in("Object", start),
            }
            self.skip_ws();
            if self.peek().is_none() {
                return self.end_of_input_in("Object", start);
            }
            self.path.push(Step::Key(key.clone()));
            let value = self.value(depth + 1);
            self.path.pop();
            let value = value?;
            if map.contains_key(&key) {
                // Jackson keeps the last value; remove first so the key takes its last position.
                map.shift_remove(&key);
                self.duplicates.push(DuplicateKey {
                    parent: self.path.clone(),
                    key: key.clone(),
                });
            }
            map.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                Some(c) => {
                    return self.unexpected(c, "was expecting comma to separate Object entries")
                }
                None => return self.end_of_input_in("Object", start),
            }
        }
    }
}

/// Jackson's description of a character in messages: `'x' (code 120)`.
fn char_desc(c: char) -> String {
    let code = c as u32;
    if c.is_control() {
        format!("(CTRL-CHAR, code {code})")
    } else if code > 255 {
        format!("'{c}' (code {code} / 0x{code:x})")
    } else {
        format!("'{c}' (code {code})")
    }
}

/// The number JSON text `text` (already checked to be JSON number syntax) denotes.
fn number_from(text: &str) -> Number {
    if let Ok(n) = text.parse::<i64>() {
        return Number::from(n);
    }
    if let Ok(n) = text.parse::<u64>() {
        return Number::from(n);
    }
    let f: f64 = text.parse().unwrap_or(f64::MAX);
    Number::from_f64(f).unwrap_or_else(|| Number::from(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use estado_json::json;

    fn error_of(text: &str) -> (String, String) {
        match parse(text) {
            Parsed::Error { message, location } => (message, location),
            other => panic!("expected an error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn unrecognized_token_is_reported_like_jackson() {
        let (message, location) = error_of("not a definition");
        assert_eq!(
            location,
            "[Source: (String)\"not a definition\"; line: 1, column: 4]"
        );
        assert_eq!(
            message,
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]"
        );
    }

    #[test]
    fn values_parse_in_order_and_duplicates_are_reported() {
        let Parsed::Value(v, dups) = parse(r#"{"States": {"A": 1, "B": 2, "A": 3}, "n": -1.5e2}"#)
        else {
            panic!("not parsed")
        };
        assert_eq!(v, json!({"States": {"B": 2, "A": 3}, "n": -150.0}));
        assert_eq!(
            dups,
            vec![DuplicateKey {
                parent: vec![Step::Key("States".to_string())],
                key: "A".to_string()
            }]
        );
    }

    #[test]
    fn whitespace_is_empty_and_trailing_content_is_ignored() {
        assert!(matches!(parse(" \n "), Parsed::Empty));
        assert!(matches!(parse("{} trailing"), Parsed::Value(..)));
    }

    #[test]
    fn unterminated_object_names_its_start() {
        let (message, _) = error_of("{\"a\": 1");
        assert!(message.starts_with("Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)\"{\"a\": 1\"; line: 1, column: 1])"), "{message}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,64}") {
            let _ = parse(&text);
        }

        #[test]
        fn agrees_with_serde_json_on_valid_json(v in proptest_json()) {
            let text = serde_json::to_string(&v).unwrap_or_default();
            match parse(&text) {
                Parsed::Value(parsed, _) => proptest::prop_assert_eq!(parsed, v),
                other => proptest::prop_assert!(false, "{:?}", other),
            }
        }
    }

    fn proptest_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "\\PC{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
