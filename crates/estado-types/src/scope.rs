//! What an expression (JSONPath, intrinsic, JSONata) can see besides its input.

use estado_json::Value;

/// Workflow variables visible to a state (`$name` in JSONPath, `$name` in JSONata).
/// Implementations layer scopes (an inner Map/Parallel scope sees the outer one).
pub trait VarLookup {
    fn lookup(&self, name: &str) -> Option<&Value>;
}

/// No variables at all.
pub struct NoVars;
impl VarLookup for NoVars {
    fn lookup(&self, _name: &str) -> Option<&Value> {
        None
    }
}

impl VarLookup for estado_json::Map {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// Deterministic randomness (for `States.UUID`, `States.MathRandom`, `$random()`, `$uuid()`).
/// The interpreter seeds it from the execution so that replay yields the same values.
/// Interior mutability: `next_u64` takes `&self`.
pub trait Entropy {
    fn next_u64(&self) -> u64;
}

/// Everything an expression evaluates against, besides the state's input.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The context object (`$$` in JSONPath, `$states.context` in JSONata).
    pub context: &'a Value,
    /// Workflow variables.
    pub vars: &'a dyn VarLookup,
    /// Randomness source.
    pub entropy: &'a dyn Entropy,
    /// The execution's notion of "now", in milliseconds since the Unix epoch (for JSONata
    /// `$now()` / `$millis()`).
    pub now_millis: i64,
}

/// A small deterministic generator (SplitMix64) usable as [`Entropy`].
#[derive(Debug)]
pub struct SplitMix64(std::cell::Cell<u64>);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(std::cell::Cell::new(seed))
    }
    pub fn state(&self) -> u64 {
        self.0.get()
    }
}

impl Entropy for SplitMix64 {
    fn next_u64(&self) -> u64 {
        let s = self.0.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.0.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// An empty context object, for tests and tools.
pub fn empty_context() -> Value {
    Value::Object(Default::default())
}
