//! Jayway-style evaluation: every step is applied to every node the previous steps selected,
//! with Jayway's rules for when a missing member or a wrong type is an error (only while the
//! path so far is definite) and when it is silently skipped.

use std::borrow::Cow;
use std::fmt::Write as _;

use estado_json::{Map, Value};

use super::ast::{Chain, Step, SubPath, SubRoot};
use super::function::Param;
use super::{filter, java};

/// Why evaluation stopped. Both carry Jayway's message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Jayway's `PathNotFoundException`: nothing there (`No results for path: $['x']`).
    NotFound(String),
    /// Jayway's `InvalidPathException` / `JsonPathException`: the path cannot be applied.
    Invalid(String),
}

impl Fail {
    pub(crate) fn message(&self) -> &str {
        match self {
            Fail::NotFound(m) | Fail::Invalid(m) => m,
        }
    }
}

/// The common case without the walker's bookkeeping: a chain of single names and single
/// non-negative indexes that finds its node. `None` (missing node, other steps) means "let
/// the walker decide", which also produces Jayway's exact messages.
#[inline]
pub(crate) fn simple_lookup<'a>(chain: &Chain, start: &'a Value) -> Option<&'a Value> {
    let mut node = start;
    for step in &chain.steps {
        node = match step {
            Step::Props { names, .. } if names.len() == 1 => {
                node.as_object()?.get(names[0].as_str())?
            }
            Step::Indexes(indexes) if indexes.len() == 1 && indexes[0] >= 0 => {
                node.as_array()?.get(indexes[0] as usize)?
            }
            _ => return None,
        };
    }
    Some(node)
}

/// Evaluates `chain` from `start`, shaping the result as Jayway's `getValue` does: a definite
/// chain gives its single value (absence is `NotFound("No results for path: ..")`), an
/// indefinite one an array.
pub(crate) fn evaluate<'a>(
    chain: &'a Chain,
    start: &'a Value,
    document: &'a Value,
    root_fragment: &str,
    require_properties: bool,
) -> Result<Cow<'a, Value>, Fail> {
    if let Some(found) = simple_lookup(chain, start) {
        return Ok(Cow::Borrowed(found));
    }
    let mut walker = Walker {
        document,
        require_properties,
        root_fragment,
        trail: Vec::new(),
        out: Vec::new(),
    };
    walker.walk(chain, 0, start)?;
    if chain.definite {
        let mut out = walker.out;
        if out.is_empty() {
            let mut normalized = root_fragment.to_string();
            normalized.push_str(&chain.fragments_from(0));
            return Err(Fail::NotFound(format!("No results for path: {normalized}")));
        }
        Ok(out.swap_remove(0))
    } else {
        Ok(Cow::Owned(Value::Array(
            walker.out.into_iter().map(Cow::into_owned).collect(),
        )))
    }
}

/// Evaluates a path written inside a filter or as a function argument.
pub(crate) fn evaluate_sub<'a>(
    sub: &'a SubPath,
    item: &'a Value,
    document: &'a Value,
    require_properties: bool,
) -> Result<Cow<'a, Value>, Fail> {
    match sub.root {
        SubRoot::Current => evaluate(&sub.chain, item, document, "@", require_properties),
        SubRoot::Document => evaluate(&sub.chain, document, document, "$", require_properties),
    }
}

/// One segment of the concrete location being visited (for messages).
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Name(&'a str),
    Index(i64),
}

struct Walker<'a, 'r> {
    /// What `$` means inside filters and function arguments.
    document: &'a Value,
    /// Jayway's `REQUIRE_PROPERTIES` option (used for filter existence tests).
    require_properties: bool,
    root_fragment: &'r str,
    trail: Vec<Seg<'a>>,
    out: Vec<Cow<'a, Value>>,
}

impl<'a> Walker<'a, '_> {
    /// The concrete path of the node being visited, as Jayway prints it (`$['a'][0]`).
    fn current_path(&self) -> String {
        let mut s = self.root_fragment.to_string();
        for seg in &self.trail {
            match seg {
                Seg::Name(n) => {
                    let _ = write!(s, "['{n}']");
                }
                Seg::Index(i) => {
                    let _ = write!(s, "[{i}]");
                }
            }
        }
        s
    }

    fn walk(&mut self, chain: &'a Chain, at: usize, node: &'a Value) -> Result<(), Fail> {
        let Some(step) = chain.steps.get(at) else {
            self.out.push(Cow::Borrowed(node));
            return Ok(());
        };
        match step {
            Step::Props { names, .. } => self.props(chain, at, names, node),
            Step::Indexes(indexes) => {
                let Some(items) = self.array_model(chain, at, node)? else {
                    return Ok(());
                };
                for &index in indexes {
                    self.array_index(chain, at, items, i64::from(index))?;
                }
                Ok(())
            }
            Step::Slice { from, to } => {
                let Some(items) = self.array_model(chain, at, node)? else {
                    return Ok(());
                };
                for index in slice_indexes(items.len(), *from, *to) {
                    self.array_index(chain, at, items, index)?;
                }
                Ok(())
            }
            Step::Wildcard => self.wildcard(chain, at, node),
            Step::Scan => self.scan(chain, at + 1, node),
            Step::Filter(expr) => match node {
                Value::Object(_) => {
                    if filter::accept(expr, node, self.document) {
                        self.walk(chain, at + 1, node)?;
                    }
                    Ok(())
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if filter::accept(expr, item, self.document) {
                            self.array_index(chain, at, items, index_i64(i))?;
                        }
                    }
                    Ok(())
                }
                _ if chain.upstream_definite[at] => Err(Fail::Invalid(format!(
                    "Filter: {} can not be applied to primitives. Current context is: {}",
                    chain.fragments_from(at),
                    java::to_java_string(node)
                ))),
                _ => Ok(()),
            },
            Step::Function(function) => {
                let mut args = Vec::with_capacity(function.params.len());
                for param in &function.params {
                    args.push(match param {
                        Param::Json(v) => v.clone(),
                        Param::Path(sub) => {
                            evaluate_sub(sub, self.document, self.document, false)?.into_owned()
                        }
                    });
                }
                let result = function.apply(node, &args).map_err(Fail::Invalid)?;
                self.out.push(Cow::Owned(result));
                Ok(())
            }
        }
    }

    fn props(
        &mut self,
        chain: &'a Chain,
        at: usize,
        names: &'a [String],
        node: &'a Value,
    ) -> Result<(), Fail> {
        let Value::Object(map) = node else {
            if !chain.upstream_definite[at] {
                return Ok(());
            }
            let mut fragment = String::new();
            chain.steps[at].write_fragment(&mut fragment);
            return Err(Fail::NotFound(format!(
                "Expected to find an object with property {fragment} in path {} but found '{}'. \
                 This is not a json object according to the JsonProvider: '{}'.",
                self.current_path(),
                java::class_name(node),
                java::JSON_PROVIDER
            )));
        };
        let is_leaf = at + 1 == chain.steps.len();
        if names.len() > 1 && is_leaf {
            return self.merge(map, names);
        }
        let token_definite = names.len() == 1;
        for name in names {
            self.object_property(chain, at, map, name, token_definite)?;
        }
        Ok(())
    }

    /// Jayway's `handleObjectProperty` for one name.
    fn object_property(
        &mut self,
        chain: &'a Chain,
        at: usize,
        map: &'a Map,
        name: &'a str,
        token_definite: bool,
    ) -> Result<(), Fail> {
        let is_leaf = at + 1 == chain.steps.len();
        match map.get(name) {
            None if is_leaf => {
                if self.require_properties {
                    Err(Fail::NotFound(format!(
                        "No results for path: {}['{name}']",
                        self.current_path()
                    )))
                } else {
                    Ok(())
                }
            }
            None => {
                // Jayway reports a missing member only while the path so far is definite (or
                // when properties are required); otherwise the branch is just empty.
                if (chain.upstream_definite[at] && token_definite) || self.require_properties {
                    Err(Fail::NotFound(format!(
                        "Missing property in path {}['{name}']",
                        self.current_path()
                    )))
                } else {
                    Ok(())
                }
            }
            Some(child) => {
                self.trail.push(Seg::Name(name));
                let r = self.walk(chain, at + 1, child);
                self.trail.pop();
                r
            }
        }
    }

    /// `['a','b']` as the last step: one object holding the members that exist.
    fn merge(&mut self, map: &'a Map, names: &'a [String]) -> Result<(), Fail> {
        let mut merged = Map::new();
        for name in names {
            match map.get(name) {
                Some(v) => {
                    merged.insert(name.clone(), v.clone());
                }
                None if self.require_properties => {
                    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
                    return Err(Fail::NotFound(format!(
                        "Missing property in path {}[{}]",
                        self.current_path(),
                        quoted.join(", ")
                    )));
                }
                None => {}
            }
        }
        self.out.push(Cow::Owned(Value::Object(merged)));
        Ok(())
    }

    /// Jayway's `checkArrayModel`: `Some(items)` to go on, `None` to skip this node.
    fn array_model(
        &self,
        chain: &Chain,
        at: usize,
        node: &'a Value,
    ) -> Result<Option<&'a Vec<Value>>, Fail> {
        match node {
            Value::Array(items) => Ok(Some(items)),
            _ if !chain.upstream_definite[at] => Ok(None),
            Value::Null => Err(Fail::NotFound(format!(
                "The path {} is null",
                self.current_path()
            ))),
            _ => Err(Fail::NotFound(format!(
                "Filter: {} can only be applied to arrays. Current context is: {}",
                chain.fragments_from(at),
                java::to_java_string(node)
            ))),
        }
    }

    /// Jayway's `handleArrayIndex`: negative counts from the end; out of range is skipped.
    fn array_index(
        &mut self,
        chain: &'a Chain,
        at: usize,
        items: &'a [Value],
        index: i64,
    ) -> Result<(), Fail> {
        let len = index_i64(items.len());
        let effective = if index < 0 { len + index } else { index };
        let Some(child) = usize::try_from(effective).ok().and_then(|i| items.get(i)) else {
            return Ok(());
        };
        self.trail.push(Seg::Index(index));
        let r = self.walk(chain, at + 1, child);
        self.trail.pop();
        r
    }

    fn wildcard(&mut self, chain: &'a Chain, at: usize, node: &'a Value) -> Result<(), Fail> {
        match node {
            Value::Object(map) => {
                for (name, child) in map {
                    self.trail.push(Seg::Name(name));
                    let r = self.walk(chain, at + 1, child);
                    self.trail.pop();
                    r?;
                }
                Ok(())
            }
            Value::Array(items) => {
                for i in 0..items.len() {
                    match self.array_index(chain, at, items, index_i64(i)) {
                        // Jayway's wildcard swallows "not found" below array elements.
                        Err(Fail::NotFound(_)) if !self.require_properties => {}
                        other => other?,
                    }
                }
                Ok(())
            }
            // Only where the path so far is definite: under an indefinite step (`$[1,0][*][0]`)
            // a primitive is skipped like any other branch that finds nothing, and the other
            // branches' results stand.
            _ if at + 1 < chain.steps.len() && chain.upstream_definite[at] => {
                Err(Fail::NotFound(format!(
                    "Expected to find an object or array in path {} but found '{}'. ",
                    self.current_path(),
                    java::class_name(node)
                )))
            }
            _ => Ok(()),
        }
    }

    /// Jayway's scan (`..`): applies the step at `target` at every depth, objects before their
    /// members, arrays before their elements.
    fn scan(&mut self, chain: &'a Chain, target: usize, node: &'a Value) -> Result<(), Fail> {
        let Some(step) = chain.steps.get(target) else {
            return Ok(());
        };
        match node {
            Value::Object(map) => {
                if self.scan_matches(chain, target, step, node) {
                    self.walk(chain, target, node)?;
                }
                for (name, child) in map {
                    self.trail.push(Seg::Name(name));
                    let r = self.scan(chain, target, child);
                    self.trail.pop();
                    r?;
                }
            }
            Value::Array(items) => {
                if self.scan_matches(chain, target, step, node) {
                    if target + 1 == chain.steps.len() {
                        self.walk(chain, target, node)?;
                    } else {
                        // Jayway skips the matched token and applies the rest to each element.
                        for (i, item) in items.iter().enumerate() {
                            self.trail.push(Seg::Index(index_i64(i)));
                            let r = self.walk(chain, target + 1, item);
                            self.trail.pop();
                            r?;
                        }
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    self.trail.push(Seg::Index(index_i64(i)));
                    let r = self.scan(chain, target, item);
                    self.trail.pop();
                    r?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Jayway's scan predicates: which nodes the step after `..` is tried on.
    fn scan_matches(&self, chain: &Chain, target: usize, step: &Step, node: &Value) -> bool {
        match step {
            Step::Props { names, .. } => {
                let Value::Object(map) = node else {
                    return false;
                };
                let is_leaf = target + 1 == chain.steps.len();
                let token_definite = names.len() == 1 || is_leaf;
                if self.require_properties || !token_definite {
                    return true;
                }
                names.iter().all(|n| map.contains_key(n))
            }
            Step::Indexes(_) | Step::Slice { .. } => node.is_array(),
            Step::Wildcard => true,
            Step::Filter(expr) => filter::accept(expr, node, self.document),
            Step::Scan | Step::Function(_) => false,
        }
    }
}

/// Jayway's slice arithmetic (`ArraySliceToken`), including its quirks: in `[from:to]` a
/// negative `from` is not normalised up front (each index is, later) and a negative `to`
/// selects nothing.
fn slice_indexes(len: usize, from: Option<i32>, to: Option<i32>) -> Vec<i64> {
    let len = index_i64(len);
    match (from, to) {
        (Some(from), None) => {
            let mut from = i64::from(from);
            if from < 0 {
                from += len;
            }
            let from = from.max(0);
            if len == 0 || from >= len {
                return Vec::new();
            }
            (from..len).collect()
        }
        (Some(from), Some(to)) => {
            let from = i64::from(from);
            let to = i64::from(to).min(len);
            if from >= to || len == 0 {
                return Vec::new();
            }
            (from..to).collect()
        }
        (None, Some(to)) => {
            if len == 0 {
                return Vec::new();
            }
            let mut to = i64::from(to);
            if to < 0 {
                to += len;
            }
            (0..to.min(len)).collect()
        }
        (None, None) => Vec::new(),
    }
}

fn index_i64(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}
