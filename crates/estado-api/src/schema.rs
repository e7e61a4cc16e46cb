//! The constraint schema of request shapes, as the generated tables describe it.
//!
//! `tools/gen_api.py` turns every shape an operation input reaches into a `static` [`Shape`];
//! `decode.rs` reads the tables to type-check a body and `validate.rs` to check the model's
//! constraints, so the rules live in data generated from the model, not in hand-written code.

/// One model shape: its name, whether AWS treats its values as sensitive (never echoed in
/// messages), and its kind with the constraints the model puts on it.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub sensitive: bool,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    String(StringRules),
    Boolean,
    /// A Java `int`: 32 bits.
    Integer(Range),
    /// A Java `long`: 64 bits.
    Long(Range),
    Float(FloatRange),
    List {
        member: &'static Shape,
        min: Option<u64>,
        max: Option<u64>,
    },
    Structure(&'static [Member]),
}

/// A member of a structure shape, in the model's member order.
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub shape: &'static Shape,
    pub required: bool,
}

#[derive(Debug)]
pub struct StringRules {
    /// Least length (UTF-16 code units, as Java counts, or UTF-8 bytes when `utf8_size`).
    pub min: Option<u64>,
    pub max: Option<u64>,
    /// The limits apply to the UTF-8 encoded size (execution data) rather than the length.
    pub utf8_size: bool,
    /// The enum values, in the model's order; empty when the string is not an enum.
    pub values: &'static [&'static str],
    /// The same values in the order AWS lists them in a violation message.
    pub values_in_message: &'static [&'static str],
    pub pattern: Option<&'static Pattern>,
}

#[derive(Debug)]
pub struct Range {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug)]
pub struct FloatRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A model `pattern` trait: its text (quoted in violation messages) and a matcher for it.
pub struct Pattern {
    pub text: &'static str,
    /// Whether the whole value matches (Java `Pattern.matches` semantics).
    pub matches: fn(&str) -> bool,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Pattern").field(&self.text).finish()
    }
}
