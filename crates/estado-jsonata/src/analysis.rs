//! What a compiled expression needs from its surroundings, found once at compile time by walking
//! the syntax tree, and the one rewrite ASL needs (`$now(picture, timezone)`).

use std::collections::BTreeSet;

use jsonata_core::ast::{AstNode, PathStep, Stage};
use jsonata_core::value::with_stack;

/// The facts about an expression that decide what each evaluation binds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// Every `$name` the expression reads (without the `$`), `states` included. Only these are
    /// looked up among the workflow variables and converted, so an expression that reads
    /// `$states.input.a` does not pay for every variable in scope.
    pub variables: BTreeSet<String>,
    /// The names of the functions the expression calls by name (`$f(...)`).
    pub called: BTreeSet<String>,
    /// Which parts of `$states` the expression reads.
    pub states: StatesUse,
    /// Whether the expression can reach `$random` or `$uuid` (called or as a value), which draw
    /// from the execution's entropy.
    pub entropy: bool,
}

/// How much of `$states` must be bound. `$states` holds the whole input, result and context
/// object; an expression that only reads `$states.input.x` gets a `$states` holding only
/// `input`, so the rest is never converted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum StatesUse {
    #[default]
    Unused,
    /// Only `$states.<field>...` paths: these fields.
    Fields(BTreeSet<String>),
    /// `$states` used as a value of its own.
    Whole,
}

impl StatesUse {
    fn add_field(&mut self, field: &str) {
        match self {
            StatesUse::Unused => *self = StatesUse::Fields([field.to_string()].into()),
            StatesUse::Fields(fields) => {
                fields.insert(field.to_string());
            }
            StatesUse::Whole => {}
        }
    }
}

impl Needs {
    /// What evaluating both `self` and `other` with one set of bindings needs.
    pub(crate) fn merge(&mut self, other: &Needs) {
        self.variables.extend(other.variables.iter().cloned());
        self.called.extend(other.called.iter().cloned());
        self.entropy |= other.entropy;
        match (&mut self.states, &other.states) {
            (_, StatesUse::Unused) | (StatesUse::Whole, _) => {}
            (mine, StatesUse::Whole) => *mine = StatesUse::Whole,
            (mine, StatesUse::Fields(fields)) => {
                for f in fields {
                    mine.add_field(f);
                }
            }
        }
    }
}

/// Walks `ast`, collecting [`Needs`] and rewriting `$now(args...)` with arguments into
/// `$fromMillis($millis(), args...)`, so that the picture/timezone forms of `$now` (jsonata-js
/// 2.0 accepts them; `jsonata-core` does not) format the execution's clock value.
pub(crate) fn analyse(ast: &mut AstNode) -> Needs {
    let mut needs = Needs::default();
    visit(ast, &mut needs);
    needs
}

/// The name `$states` is bound under.
pub(crate) const STATES: &str = "states";

/// `field` when `first.second` is the plain path `$states.field` (no predicate, focus or index
/// binding on `$states` itself, which would need the whole object).
fn states_field<'a>(first: &PathStep, second: &'a PathStep) -> Option<&'a str> {
    let plain = first.stages.is_empty()
        && first.focus.is_none()
        && first.index_var.is_none()
        && first.ancestor_label.is_none();
    match (&first.node, &second.node) {
        (AstNode::Variable(v), AstNode::Name(field)) if v == STATES && plain => Some(field),
        _ => None,
    }
}

fn note_function(name: &str, needs: &mut Needs) {
    if name == "random" || name == "uuid" {
        needs.entropy = true;
    }
}

fn visit(node: &mut AstNode, needs: &mut Needs) {
    with_stack(|| visit_inner(node, needs))
}

fn visit_all(nodes: &mut [AstNode], needs: &mut Needs) {
    for n in nodes {
        visit(n, needs);
    }
}

fn visit_pairs(pairs: &mut [(AstNode, AstNode)], needs: &mut Needs) {
    for (k, v) in pairs {
        visit(k, needs);
        visit(v, needs);
    }
}

fn visit_step(step: &mut PathStep, needs: &mut Needs) {
    visit(&mut step.node, needs);
    for stage in &mut step.stages {
        match stage {
            Stage::Filter(expr) => visit(expr, needs),
            Stage::KeepArray | Stage::Index(_) => {}
        }
    }
}

fn visit_inner(node: &mut AstNode, needs: &mut Needs) {
    match node {
        AstNode::Variable(name) => {
            note_function(name, needs);
            if name == STATES {
                needs.states = StatesUse::Whole;
            }
            needs.variables.insert(name.clone());
        }
        AstNode::Function {
            name,
            args,
            is_builtin,
        } => {
            note_function(name, needs);
            needs.called.insert(name.clone());
            if *is_builtin && name == "now" && !args.is_empty() {
                let mut rewritten = vec![AstNode::Function {
                    name: "millis".to_string(),
                    args: Vec::new(),
                    is_builtin: true,
                }];
                rewritten.append(args);
                *name = "fromMillis".to_string();
                *args = rewritten;
            }
            visit_all(args, needs);
        }
        AstNode::Path { steps } => {
            let field = match steps.as_slice() {
                [first, second, ..] => states_field(first, second).map(str::to_string),
                _ => None,
            };
            // `$states.field...`: record the field and skip the `$states` step itself.
            let start = match field {
                Some(field) => {
                    needs.states.add_field(&field);
                    needs.variables.insert(STATES.to_string());
                    1
                }
                None => 0,
            };
            for step in &mut steps[start..] {
                visit_step(step, needs);
            }
        }
        AstNode::Binary { lhs, rhs, .. } => {
            visit(lhs, needs);
            visit(rhs, needs);
        }
        AstNode::Unary { operand, .. } => visit(operand, needs),
        AstNode::Call { procedure, args } => {
            visit(procedure, needs);
            visit_all(args, needs);
        }
        AstNode::Lambda { body, .. } => visit(body, needs),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            visit_all(items, needs)
        }
        AstNode::Object(pairs) => visit_pairs(pairs, needs),
        AstNode::ObjectTransform { input, pattern } => {
            visit(input, needs);
            visit_pairs(pattern, needs);
        }
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            visit(condition, needs);
            visit(then_branch, needs);
            if let Some(e) = else_branch {
                visit(e, needs);
            }
        }
        AstNode::FunctionApplication(inner) => visit(inner, needs),
        AstNode::Sort { input, terms } => {
            visit(input, needs);
            for (term, _) in terms {
                visit(term, needs);
            }
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            visit(location, needs);
            visit(update, needs);
            if let Some(d) = delete {
                visit(d, needs);
            }
        }
        AstNode::String(_)
        | AstNode::Name(_)
        | AstNode::Number(_)
        | AstNode::Boolean(_)
        | AstNode::Null
        | AstNode::Undefined
        | AstNode::Placeholder
        | AstNode::Regex { .. }
        | AstNode::ParentVariable(_)
        | AstNode::Wildcard
        | AstNode::Descendant
        | AstNode::Parent(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(src: &str) -> Needs {
        let mut ast = jsonata_core::parser::parse(src).expect("parses");
        analyse(&mut ast)
    }

    fn vars(src: &str) -> Vec<String> {
        needs(src).variables.into_iter().collect()
    }

    #[test]
    fn finds_variables_everywhere() {
        assert_eq!(vars("$states.input.a + $x"), ["states", "x"]);
        assert_eq!(vars("$a[$b > 1].{'k': $c}"), ["a", "b", "c"]);
        assert_eq!(vars("function($p) { $p + $q }"), ["p", "q"]);
        assert_eq!(vars("$f($g, $h ? $i : $j)"), ["g", "h", "i", "j"]);
        assert_eq!(vars("$a^(>$b)"), ["a", "b"]);
        assert_eq!(vars("($v := 1; $v)"), ["v"]);
        assert!(vars("'$notAVariable' & 1").is_empty());
    }

    #[test]
    fn states_is_bound_only_as_far_as_it_is_read() {
        let fields =
            |names: &[&str]| StatesUse::Fields(names.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            needs("$states.input.a + $states.result").states,
            fields(&["input", "result"])
        );
        assert_eq!(
            needs("$states.context.Execution.Id").states,
            fields(&["context"])
        );
        assert_eq!(needs("$states").states, StatesUse::Whole);
        assert_eq!(needs("$keys($states)").states, StatesUse::Whole);
        assert_eq!(needs("$states[0].input").states, StatesUse::Whole);
        assert_eq!(needs("$x").states, StatesUse::Unused);
        assert_eq!(vars("$states.input"), ["states"]);
    }

    #[test]
    fn needs_merge_to_the_union() {
        let mut a = needs("$states.input + $x");
        a.merge(&needs("$states.result + $random()"));
        assert_eq!(a.variables.into_iter().collect::<Vec<_>>(), ["states", "x"]);
        assert!(a.entropy);
        let mut b = needs("$states.input");
        b.merge(&needs("$states"));
        assert_eq!(b.states, StatesUse::Whole);
    }

    #[test]
    fn entropy_is_needed_only_by_random_and_uuid() {
        assert!(needs("$random()").entropy);
        assert!(needs("$map([1], $uuid)").entropy);
        assert!(!needs("$states.input").entropy);
    }

    #[test]
    fn now_with_arguments_formats_the_clock_value() {
        let mut ast = jsonata_core::parser::parse("$now('[Y]')").expect("parses");
        analyse(&mut ast);
        let expected =
            jsonata_core::parser::parse("$fromMillis($millis(), '[Y]')").expect("parses");
        assert_eq!(ast, expected);
    }
}
