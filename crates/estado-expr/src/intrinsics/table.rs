//! The function table: every intrinsic as (name, arity, implementation), as jaq keeps its
//! built-ins. The parser resolves names and checks arity here; evaluation calls `run`.

use std::fmt;

use estado_json::Value;
use estado_types::StatesError;

use super::args::Invocation;
use super::{array, encoding, generic, json, math, string, uuid};

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arity {
    Exactly(usize),
    /// At least this many, any number more.
    AtLeast(usize),
    /// Between the bounds, both included.
    Between(usize, usize),
}

impl Arity {
    pub(crate) fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exactly(k) => n == k,
            Arity::AtLeast(k) => n >= k,
            Arity::Between(lo, hi) => (lo..=hi).contains(&n),
        }
    }
}

impl fmt::Display for Arity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match *self {
            Arity::Exactly(k) => write!(f, "exactly {k} argument{}", plural(k)),
            Arity::AtLeast(k) => write!(f, "at least {k} argument{}", plural(k)),
            Arity::Between(lo, hi) => write!(f, "{lo} to {hi} arguments"),
        }
    }
}

pub(crate) type Run = fn(&Invocation) -> Result<Value, StatesError>;

/// One intrinsic function.
pub(crate) struct Function {
    /// Full name, `States.` included.
    pub name: &'static str,
    pub arity: Arity,
    pub run: Run,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function")
            .field("name", &self.name)
            .field("arity", &self.arity)
            .finish_non_exhaustive()
    }
}

const fn func(name: &'static str, arity: Arity, run: Run) -> Function {
    Function { name, arity, run }
}

use Arity::{AtLeast, Between, Exactly};

/// Every intrinsic AWS offers to JSONPath states.
pub(crate) static FUNCTIONS: &[Function] = &[
    func("States.Format", AtLeast(1), generic::format),
    func("States.StringToJson", Exactly(1), json::string_to_json),
    func("States.JsonToString", Exactly(1), json::json_to_string),
    func("States.Array", AtLeast(0), array::array),
    func("States.ArrayPartition", Exactly(2), array::array_partition),
    func("States.ArrayContains", Exactly(2), array::array_contains),
    func("States.ArrayRange", Exactly(3), array::array_range),
    func("States.ArrayGetItem", Exactly(2), array::array_get_item),
    func("States.ArrayLength", Exactly(1), array::array_length),
    func("States.ArrayUnique", Exactly(1), array::array_unique),
    func("States.Base64Encode", Exactly(1), encoding::base64_encode),
    func("States.Base64Decode", Exactly(1), encoding::base64_decode),
    func("States.Hash", Exactly(2), encoding::hash),
    func("States.JsonMerge", Exactly(3), json::json_merge),
    func("States.MathRandom", Between(2, 3), math::math_random),
    func("States.MathAdd", Exactly(2), math::math_add),
    func("States.StringSplit", Exactly(2), string::string_split),
    func("States.UUID", Exactly(0), uuid::uuid),
];

/// The function named `name` (`States.` included), if AWS has one.
pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}
