//! Reading JSON text straight into a [`Value`], without serde's visitors in between.
//!
//! serde_json reads a document into our `Value` through serde's `Deserialize` (see `de.rs`):
//! every member and item goes through a visitor, every object is gathered on the stack and
//! moved, every array grown by doubling and then shrunk. For a large input (map_10k's 208 KB,
//! 10,000 small objects) that took 1.58 ms where scanning the same text took 0.26 ms. This
//! reader builds the document directly: items and members are gathered on two stacks shared
//! by the whole document, then moved once into a vector of exactly their number.
//!
//! It gives exactly serde_json's document, or gives up: on any error, and on the rare forms it
//! does not handle itself (a `\u` escape of a surrogate, an integer past 64 bits, `-0`, a
//! float out of range, nesting past serde_json's limit), [`from_str`] reads the text again with
//! serde_json, which then gives its own document or its own error message (the message
//! clients see, e.g. in `InvalidExecutionInput`).

use crate::{Key, Map, Number, Value, INDEXED_FROM};

/// Reads `text` as one JSON document: serde_json's result (with `preserve_order` and
/// `float_roundtrip`), reached faster.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    match Reader::new(text).document() {
        Some(value) => Ok(value),
        None => serde_json::from_str(text),
    }
}

/// [`from_str`] for bytes: text that is not UTF-8 gets serde_json's error.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// serde_json refuses a document nested this deep (arrays and objects); so does the reader,
/// by handing it back.
const DEPTH_LIMIT: usize = 128;

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
    /// Items of the arrays being read, innermost last.
    items: Vec<Value>,
    /// Members of the objects being read (those still below [`INDEXED_FROM`]), innermost last.
    members: Vec<(Key, Value)>,
    /// Where an escaped string is unescaped.
    scratch: String,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
            depth: 0,
            items: Vec::new(),
            members: Vec::new(),
            scratch: String::new(),
        }
    }

    fn document(&mut self) -> Option<Value> {
        let value = self.value()?;
        self.skip_space();
        (self.at == self.bytes.len()).then_some(value)
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after white space, taken.
    fn next_token(&mut self) -> Option<u8> {
        self.skip_space();
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn value(&mut self) -> Option<Value> {
        match self.next_token()? {
            b'"' => self.string().map(Value::String),
            b'{' => self.object(),
            b'[' => self.array(),
            b't' => self.word(b"rue", Value::Bool(true)),
            b'f' => self.word(b"alse", Value::Bool(false)),
            b'n' => self.word(b"ull", Value::Null),
            b'-' | b'0'..=b'9' => {
                self.at -= 1;
                self.number()
            }
            _ => None,
        }
    }

    fn word(&mut self, rest: &[u8], value: Value) -> Option<Value> {
        let end = self.at + rest.len();
        (self.bytes.get(self.at..end)? == rest).then(|| {
            self.at = end;
            value
        })
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth < DEPTH_LIMIT).then_some(())
    }

    fn array(&mut self) -> Option<Value> {
        self.enter()?;
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            self.depth -= 1;
            return Some(Value::Array(Vec::new()));
        }
        let base = self.items.len();
        loop {
            let item = self.value()?;
            self.items.push(item);
            match self.next_token()? {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
        self.depth -= 1;
        // A drain knows its length: the vector is allocated once, of exactly that size.
        Some(Value::Array(self.items.drain(base..).collect()))
    }

    fn object(&mut self) -> Option<Value> {
        self.enter()?;
        if self.next_token()? == b'}' {
            self.depth -= 1;
            return Some(Value::Object(Map::new()));
        }
        self.at -= 1;
        let base = self.members.len();
        // Past INDEXED_FROM members the object is a `Map` with its index, taking the rest by
        // `insert` (as serde_json's order-preserving map, a repeated name keeps its first
        // place and takes the last value).
        let mut indexed: Option<Map> = None;
        loop {
            if self.next_token()? != b'"' {
                return None;
            }
            let key = self.key()?;
            if self.next_token()? != b':' {
                return None;
            }
            let value = self.value()?;
            match &mut indexed {
                Some(map) => {
                    map.insert(key, value);
                }
                None => {
                    let gathered = &mut self.members[base..];
                    if let Some(slot) = gathered.iter_mut().find(|(k, _)| *k == key) {
                        slot.1 = value;
                    } else {
                        self.members.push((key, value));
                        if self.members.len() - base >= INDEXED_FROM {
                            indexed =
                                Some(Map::from_distinct(self.members.drain(base..).collect()));
                        }
                    }
                }
            }
            match self.next_token()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
        self.depth -= 1;
        let map = match indexed {
            Some(map) => map,
            None => Map::from_distinct(self.members.drain(base..).collect()),
        };
        Some(Value::Object(map))
    }

    /// A string's text after its opening quote, up to and past its closing one.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        let end = self.plain_run();
        if self.bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(self.text[start..end].to_owned());
        }
        self.escaped(start, end)?;
        Some(self.scratch.clone())
    }

    /// A member name: [`Reader::string`], kept inline when short.
    fn key(&mut self) -> Option<Key> {
        let start = self.at;
        let end = self.plain_run();
        if self.bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(Key::from(&self.text[start..end]));
        }
        self.escaped(start, end)?;
        Some(Key::from(self.scratch.as_str()))
    }

    /// Where the run of plain characters from `self.at` ends: at a quote, a backslash, a
    /// control character (which JSON does not allow in a string) or the end of the text.
    fn plain_run(&self) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let bytes = self.bytes;
        let mut i = self.at;
        // Eight bytes at a time: a byte is flagged when it is a quote, a backslash or below
        // 0x20 (the lowest flag is exact: borrows only run upwards).
        while let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
            let flags = zero(x ^ (ONES * u64::from(b'"')))
                | zero(x ^ (ONES * u64::from(b'\\')))
                | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
            if flags != 0 {
                return i + (flags.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while let Some(&b) = bytes.get(i) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            i += 1;
        }
        i
    }

    /// A string with escapes, unescaped into `scratch`; `start` is its first character and
    /// `end` where its first plain run ended.
    fn escaped(&mut self, start: usize, mut end: usize) -> Option<()> {
        self.scratch.clear();
        self.scratch.push_str(&self.text[start..end]);
        loop {
            match *self.bytes.get(end)? {
                b'"' => {
                    self.at = end + 1;
                    return Some(());
                }
                b'\\' => {
                    let c = match *self.bytes.get(end + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            // Surrogates (pairs or lone ones) are left to serde_json.
                            let code = self.hex4(end + 2)?;
                            end += 4;
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    self.scratch.push(c);
                    end += 2;
                }
                _ => return None,
            }
            self.at = end;
            let run_end = self.plain_run();
            self.scratch.push_str(&self.text[end..run_end]);
            end = run_end;
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        digits.iter().try_fold(0u32, |n, &d| {
            let v = (d as char).to_digit(16)?;
            Some(n * 16 + v)
        })
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        let negative = self.bytes[self.at] == b'-';
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        let int_len = self.digits();
        if int_len == 0 || (int_len > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let mut float = false;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            float = true;
        }
        if float {
            let f: f64 = self.text[start..self.at].parse().ok()?;
            return f
                .is_finite()
                .then(|| Number::from_f64(f))
                .flatten()
                .map(Value::Number);
        }
        // At most 19 digits always fit in a u64; longer integers (which serde_json reads as
        // floats when they do not fit) are left to it.
        if int_len > 19 {
            return None;
        }
        let n = self.bytes[int_start..self.at]
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        if !negative {
            return Some(Value::Number(n.into()));
        }
        // `-0` is the float -0.0 in serde_json, and integers below i64's range are floats:
        // both left to it.
        if n == 0 || n > i64::MAX as u64 {
            return None;
        }
        Some(Value::Number((-(n as i64)).into()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// serde_json's answer for `text`, read into our `Value` through serde (`de.rs`).
    fn serde(text: &str) -> Result<Value, String> {
        serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
    }

    /// The reader's answer and serde_json's are the same document (numbers of the same kind
    /// included: `1` is not `1.0`) or the same error message.
    fn same_as_serde(text: &str) -> Result<(), TestCaseError> {
        let ours = from_str(text).map_err(|e| e.to_string());
        let theirs = serde(text);
        prop_assert_eq!(&ours, &theirs, "text {:?}", text);
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            prop_assert_eq!(a.to_string(), b.to_string(), "text {:?}", text);
        }
        Ok(())
    }

    #[test]
    fn reads_every_form_as_serde_json_does() {
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "-0.0",
            "7",
            "-7",
            "1.5",
            "-1.5e3",
            "1E2",
            "1e+2",
            "1e-2",
            "0.1e-5",
            "1e-400",
            "1e400",
            "-1e400",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775807",
            "-9223372036854775809",
            "1234567890123456789",
            "12345678901234567890",
            "123456789012345678901234567890",
            "01",
            "-01",
            "1.",
            ".5",
            "-",
            "+1",
            "1.5e",
            "1e+",
            "--1",
            "0x10",
            "\"\"",
            "\"a\"",
            "\"caf\u{e9}\"",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\u12\"",
            "\"\\uZZZZ\"",
            "\"\\x\"",
            "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
            "\"a\u{1}b\"",
            "\"tab\there\"",
            "\"unterminated",
            "\"long string without any \
            escape that spans several eight-byte words\"",
            "[]",
            "[ ]",
            "[1,2,3]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[",
            "]",
            "{}",
            "{ }",
            "{\"a\":1}",
            "{\"a\":1,}",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1,\"a\":2}",
            "{\"a\":1,\"b\":2,\"a\":3}",
            "{\"\\u0061\":1,\"a\":2}",
            " \n\t\r{\"a\" : [ 1 , { } ] } \n",
            "1 x",
            "1 1",
            "",
            " ",
            "nul",
            "truex",
            "[true,false,null]",
            "{\"k\":\"v\\n\"}",
        ];
        for text in texts {
            same_as_serde(text).unwrap();
        }
    }

    #[test]
    fn objects_past_the_indexed_size_keep_first_places_and_last_values() {
        let mut text = String::from("{");
        for i in 0..40 {
            text.push_str(&format!("\"k{}\":{i},", i % 25));
        }
        text.push_str("\"k3\":\"last\"}");
        same_as_serde(&text).unwrap();
        let v = from_str(&text).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 25);
        assert_eq!(v["k3"], "last");
        assert_eq!(v["k20"], 20);
    }

    #[test]
    fn nesting_is_refused_where_serde_json_refuses_it() {
        for depth in [1, 126, 127, 128, 129, 300] {
            let arrays = "[".repeat(depth) + &"]".repeat(depth);
            same_as_serde(&arrays).unwrap();
            let objects = "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth);
            same_as_serde(&objects).unwrap();
        }
    }

    #[test]
    fn the_reader_itself_reads_ordinary_documents() {
        // Not handed back to serde_json: otherwise the reader would be correct and useless.
        let texts = [
            r#"{"items":[{"id":0,"v":0},{"id":1,"v":-1.25e2}],"s":"a\"b\\c\u00e9","n":null}"#,
            "[true,false,null,\"\",[],{}]",
            r#"{"a":{"b":{"c":[1,2,{"d":"e"}]}}}"#,
        ];
        for text in texts {
            let read = Reader::new(text).document();
            assert_eq!(read, serde(text).ok(), "{text}");
        }
        for handed_back in ["-0", "\"\\ud83d\\ude00\"", "12345678901234567890", "[1,]"] {
            assert_eq!(Reader::new(handed_back).document(), None, "{handed_back}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_get_serde_jsons_error() {
        let bytes = b"\"\xff\"";
        assert_eq!(
            from_slice(bytes).map_err(|e| e.to_string()),
            serde_json::from_slice::<Value>(bytes).map_err(|e| e.to_string())
        );
        assert_eq!(from_slice(b"[1, 2]").unwrap(), crate::json!([1, 2]));
    }

    /// Numbers as JSON writes them, and near misses.
    fn number_text() -> impl Strategy<Value = String> {
        (
            prop::option::of(prop_oneof![Just("-"), Just("+")]),
            "[0-9]{0,25}",
            prop::option::of("\\.[0-9]{0,20}"),
            prop::option::of("[eE][+-]?[0-9]{0,4}"),
        )
            .prop_map(|(sign, int, frac, exp)| {
                format!(
                    "{}{int}{}{}",
                    sign.unwrap_or(""),
                    frac.unwrap_or_default(),
                    exp.unwrap_or_default()
                )
            })
    }

    /// Strings with every kind of escape and character, and some broken ones.
    fn string_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z0-9 ]{0,12}",
            1 => Just("\\\"".to_owned()),
            1 => Just("\\\\".to_owned()),
            1 => prop_oneof![Just("\\n"), Just("\\t"), Just("\\/"), Just("\\b"), Just("\\f"), Just("\\r")].prop_map(str::to_owned),
            1 => "\\\\u[0-9a-fA-F]{4}",
            1 => "\\\\u[dD][89abAB][0-9a-f]{2}(\\\\u[dD][c-fC-F][0-9a-f]{2})?",
            1 => "[\u{80}-\u{10ffff}]{1,3}",
            1 => "[\u{0}-\u{1f}]",
            1 => "\\\\[a-z]",
        ];
        prop::collection::vec(piece, 0..8).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    /// Documents built of the above, with white space and the odd stray character.
    fn document_text() -> impl Strategy<Value = String> {
        let ws = "[ \t\n\r]{0,2}";
        let leaf = prop_oneof![
            number_text(),
            string_text(),
            Just("true".to_owned()),
            Just("null".to_owned()),
            Just("fals".to_owned()),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                (
                    prop::collection::vec((ws, inner.clone()), 0..6),
                    ws,
                    any::<bool>()
                )
                    .prop_map(|(items, end, trailing)| {
                        let body: Vec<String> =
                            items.into_iter().map(|(w, v)| format!("{w}{v}")).collect();
                        let comma = if trailing { "," } else { "" };
                        format!("[{}{comma}{end}]", body.join(","))
                    }),
                (
                    prop::collection::vec((string_text(), ws, inner), 0..20),
                    any::<bool>()
                )
                    .prop_map(|(members, trailing)| {
                        let body: Vec<String> = members
                            .into_iter()
                            .map(|(k, w, v)| format!("{k}{w}:{v}"))
                            .collect();
                        let comma = if trailing { "," } else { "" };
                        format!("{{{}{comma}}}", body.join(","))
                    }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn numbers_read_as_serde_json_reads_them(text in number_text()) {
            same_as_serde(&text)?;
        }

        #[test]
        fn strings_read_as_serde_json_reads_them(text in string_text()) {
            same_as_serde(&text)?;
        }

        #[test]
        fn documents_read_as_serde_json_reads_them(text in document_text()) {
            same_as_serde(&text)?;
        }

        #[test]
        fn any_float_written_reads_back_as_serde_json_reads_it(f in any::<f64>()) {
            prop_assume!(f.is_finite());
            same_as_serde(&format!("{f:e}"))?;
            same_as_serde(&format!("{f}"))?;
            same_as_serde(&serde_json::to_string(&f).unwrap())?;
        }
    }
}
