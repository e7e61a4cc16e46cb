//! The parsed form of a path: a chain of steps, each applied to every node the previous steps
//! selected (Jayway's token chain), and the filter expressions that `[?(...)]` steps hold.

use std::fmt::Write as _;

use estado_json::Value;

/// One step of a path.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// `.name`, `['name']`, `['a','b']`: object members. Several names as the last step merge
    /// into one object (Jayway); elsewhere each name continues the path on its own.
    /// `quote` is the delimiter written in the source, which Jayway keeps in its normalized form.
    Props { names: Vec<String>, quote: char },
    /// `[0]`, `[-1]`, `[0,2]`: array elements; negative counts from the end.
    Indexes(Vec<i32>),
    /// `[1:3]`, `[1:]`, `[:2]`, `[-2:]` (Jayway has no step: `[::2]` is rejected).
    Slice { from: Option<i32>, to: Option<i32> },
    /// `.*`, `[*]`: every member value or element.
    Wildcard,
    /// `..`: the next step applied at every depth (Jayway's scan token).
    Scan,
    /// `[?(...)]`.
    Filter(Box<FilterExpr>),
    /// `.length()`, `.min()`, ...: Jayway path functions (only as the last step).
    Function(super::function::Function),
}

impl Step {
    /// Jayway's `isTokenDefinite`: whether this step selects at most one node from one node.
    pub(crate) fn is_definite(&self, is_last: bool) -> bool {
        match self {
            Step::Props { names, .. } => names.len() == 1 || is_last,
            Step::Indexes(indexes) => indexes.len() == 1,
            Step::Function(_) => true,
            Step::Slice { .. } | Step::Wildcard | Step::Scan | Step::Filter(_) => false,
        }
    }

    /// Appends the step as Jayway's `getPathFragment` writes it (`['a']`, `[0]`, `[*]`, ...).
    pub(crate) fn write_fragment(&self, out: &mut String) {
        match self {
            Step::Props { names, quote } => {
                out.push('[');
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push(*quote);
                    out.push_str(&name.replace('\\', "\\\\").replace('\'', "\\'"));
                    out.push(*quote);
                }
                out.push(']');
            }
            Step::Indexes(indexes) => {
                out.push('[');
                for (i, index) in indexes.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{index}");
                }
                out.push(']');
            }
            Step::Slice { from, to } => {
                out.push('[');
                if let Some(from) = from {
                    let _ = write!(out, "{from}");
                }
                out.push(':');
                if let Some(to) = to {
                    let _ = write!(out, "{to}");
                }
                out.push(']');
            }
            Step::Wildcard => out.push_str("[*]"),
            Step::Scan => out.push_str(".."),
            Step::Filter(_) => out.push_str("[?]"),
            Step::Function(f) => f.write_fragment(out),
        }
    }
}

/// A parsed step list plus the facts evaluation needs about it.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub(crate) steps: Vec<Step>,
    /// `upstream_definite[i]`: every step before `i` is definite (Jayway's `isUpstreamDefinite`).
    pub(crate) upstream_definite: Vec<bool>,
    /// Every step is definite: the result is one value, not a list.
    pub(crate) definite: bool,
}

impl Chain {
    pub(crate) fn new(steps: Vec<Step>) -> Chain {
        let last = steps.len().saturating_sub(1);
        let mut upstream_definite = Vec::with_capacity(steps.len());
        let mut so_far = true;
        for (i, step) in steps.iter().enumerate() {
            upstream_definite.push(so_far);
            so_far = so_far && step.is_definite(i == last);
        }
        Chain {
            steps,
            upstream_definite,
            definite: so_far,
        }
    }

    /// The fragments of `steps[from..]`, as Jayway prints a token and its tail.
    pub(crate) fn fragments_from(&self, from: usize) -> String {
        let mut out = String::new();
        for step in self.steps.iter().skip(from) {
            step.write_fragment(&mut out);
        }
        out
    }
}

/// Where a path inside a filter starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubRoot {
    /// `@`: the element being tested.
    Current,
    /// `$`: the document the outer path is evaluated against.
    Document,
}

/// A path inside a filter (`@.price`, `$.limit`).
#[derive(Debug, Clone)]
pub(crate) struct SubPath {
    pub(crate) root: SubRoot,
    pub(crate) chain: Chain,
}

/// A filter expression (Jayway grammar: `||` binds looser than `&&`; `!` negates a
/// parenthesised expression or marks a path as "must not exist").
#[derive(Debug, Clone)]
pub(crate) enum FilterExpr {
    Or(Vec<FilterExpr>),
    And(Vec<FilterExpr>),
    Not(Box<FilterExpr>),
    /// `@.a` (exists) or `!@.a` (does not exist).
    Exists {
        path: SubPath,
        should_exist: bool,
    },
    Relation {
        left: Operand,
        op: RelOp,
        right: Operand,
    },
}

/// An operand of a relational expression.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Path(SubPath),
    String(String),
    /// A number literal; `text` is kept because Jayway compares numbers with strings textually.
    Number {
        value: f64,
        text: String,
    },
    Bool(bool),
    Null,
    /// `[...]` or `{...}` literal.
    Json(Value),
    /// `/regex/flags`, compiled to match the whole input as Java's `Matcher.matches` does.
    Pattern(regex::Regex),
}

/// Jayway's relational operators (matched case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelOp {
    Eq,
    Ne,
    TypeSafeEq,
    TypeSafeNe,
    Lt,
    Lte,
    Gt,
    Gte,
    Regex,
    In,
    Nin,
    All,
    Contains,
    Size,
    Empty,
    Exists,
    Type,
    Matches,
    SubsetOf,
    AnyOf,
    NoneOf,
}

impl RelOp {
    pub(crate) fn from_text(s: &str) -> Option<RelOp> {
        let op = match s.to_ascii_lowercase().as_str() {
            "==" => RelOp::Eq,
            "!=" => RelOp::Ne,
            "===" => RelOp::TypeSafeEq,
            "!==" => RelOp::TypeSafeNe,
            "<" => RelOp::Lt,
            "<=" => RelOp::Lte,
            ">" => RelOp::Gt,
            ">=" => RelOp::Gte,
            "=~" => RelOp::Regex,
            "in" => RelOp::In,
            "nin" => RelOp::Nin,
            "all" => RelOp::All,
            "contains" => RelOp::Contains,
            "size" => RelOp::Size,
            "empty" => RelOp::Empty,
            "exists" => RelOp::Exists,
            "type" => RelOp::Type,
            "matches" => RelOp::Matches,
            "subsetof" => RelOp::SubsetOf,
            "anyof" => RelOp::AnyOf,
            "noneof" => RelOp::NoneOf,
            _ => return None,
        };
        Some(op)
    }
}
