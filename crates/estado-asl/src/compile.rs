//! Definition JSON -> [`Program`]. Run [`crate::validate`] first: compilation reports only the
//! first problem it meets, with a message naming the place, and never panics.

use std::collections::HashMap;
use std::sync::Arc;

use estado_expr::path::Path;
use estado_expr::template::{Dynamic, Template};
use estado_json::Map as JsonMap;
use estado_json::Value;
use estado_jsonata::{expression_text, JsonataTemplate};

use crate::model::*;

#[derive(Debug, thiserror::Error)]
#[error("{message} at {location}")]
pub struct CompileError {
    pub message: String,
    pub location: String,
}

type Result<T> = std::result::Result<T, CompileError>;

/// Compile a definition (already parsed JSON).
pub fn compile(definition: &Value) -> Result<Program> {
    let root = definition
        .as_object()
        .ok_or_else(|| err("/", "Definition must be a JSON object"))?;
    let ql = match root.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => QueryLanguage::Jsonata,
        _ => QueryLanguage::JsonPath,
    };
    let timeout_seconds = root.get("TimeoutSeconds").and_then(Value::as_u64);
    let mut c = Compiler {
        lists: Vec::new(),
        top_ql: ql,
    };
    c.list(root, "")?;
    Ok(Program {
        lists: c.lists,
        timeout_seconds,
        query_language: ql,
    })
}

fn err(location: &str, message: impl Into<String>) -> CompileError {
    CompileError {
        message: message.into(),
        location: if location.is_empty() {
            "/".into()
        } else {
            location.into()
        },
    }
}

struct Compiler {
    lists: Vec<StateList>,
    top_ql: QueryLanguage,
}

struct Ctx<'a> {
    obj: &'a JsonMap,
    loc: String,
    ql: QueryLanguage,
    names: &'a HashMap<&'a str, StateId>,
}

impl<'a> Ctx<'a> {
    fn get(&self, k: &str) -> Option<&'a Value> {
        self.obj.get(k)
    }
    fn at(&self, field: &str) -> String {
        format!("{}/{}", self.loc, field)
    }
    fn str(&self, k: &str) -> Result<Option<&'a str>> {
        match self.obj.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(err(
                &self.at(k),
                format!("The field '{k}' must be a string"),
            )),
        }
    }
    fn target(&self, k: &str, name: &str) -> Result<StateId> {
        self.names
            .get(name)
            .copied()
            .ok_or_else(|| err(&self.at(k), format!("Missing 'Next' target: {name}")))
    }
    fn path_field(&self, k: &str, reference: bool) -> Result<PathField> {
        match self.obj.get(k) {
            None => Ok(PathField::Default),
            Some(Value::Null) => Ok(PathField::Null),
            Some(Value::String(s)) => {
                let p = if reference {
                    Path::parse_reference(s)
                } else {
                    Path::parse(s)
                };
                p.map(PathField::Path)
                    .map_err(|e| err(&self.at(k), e.to_string()))
            }
            Some(_) => Err(err(
                &self.at(k),
                format!("The field '{k}' must be a string or null"),
            )),
        }
    }
    fn template(&self, k: &str) -> Result<Option<Template>> {
        self.obj
            .get(k)
            .map(|v| Template::compile(v).map_err(|e| err(&self.at(k), e.to_string())))
            .transpose()
    }
    fn jsonata(&self, k: &str) -> Result<Option<JsonataTemplate>> {
        self.obj
            .get(k)
            .map(|v| jsonata_at(v, &self.at(k)))
            .transpose()
    }
    fn assign(&self) -> Result<Option<Assign>> {
        assign_of(self.obj, &self.loc, self.ql)
    }
    /// `Field` (literal or JSONata) or `FieldPath` (reference path).
    fn value_spec(&self, k: &str, path_key: Option<&str>) -> Result<Option<ValueSpec>> {
        if let Some(v) = self.obj.get(k) {
            return Ok(Some(self.literal_or_jsonata(v, &self.at(k))?));
        }
        if let Some(pk) = path_key {
            if let Some(s) = self.str(pk)? {
                let p = Path::parse_reference(s)
                    .or_else(|_| Path::parse(s))
                    .map_err(|e| err(&self.at(pk), e.to_string()))?;
                return Ok(Some(ValueSpec::Path(p)));
            }
        }
        Ok(None)
    }
    fn literal_or_jsonata(&self, v: &Value, loc: &str) -> Result<ValueSpec> {
        if self.ql == QueryLanguage::Jsonata {
            if let Value::String(s) = v {
                if expression_text(s).is_some() {
                    return jsonata_at(v, loc).map(ValueSpec::Jsonata);
                }
            }
        }
        Ok(ValueSpec::Literal(v.clone()))
    }
}

fn jsonata_at(v: &Value, loc: &str) -> Result<JsonataTemplate> {
    JsonataTemplate::compile(v).map_err(|e| err(loc, e.to_string()))
}

fn assign_of(obj: &JsonMap, loc: &str, ql: QueryLanguage) -> Result<Option<Assign>> {
    let Some(v) = obj.get("Assign") else {
        return Ok(None);
    };
    let loc = format!("{loc}/Assign");
    Ok(Some(match ql {
        QueryLanguage::JsonPath => {
            Assign::JsonPath(Template::compile(v).map_err(|e| err(&loc, e.to_string()))?)
        }
        QueryLanguage::Jsonata => Assign::Jsonata(jsonata_at(v, &loc)?),
    }))
}

fn state_ql(obj: &JsonMap, inherited: QueryLanguage) -> QueryLanguage {
    match obj.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => QueryLanguage::Jsonata,
        Some("JSONPath") => QueryLanguage::JsonPath,
        _ => inherited,
    }
}

fn errors_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Compiler {
    /// Compile a `{StartAt, States}` object into a new list; returns its id.
    fn list(&mut self, obj: &JsonMap, loc: &str) -> Result<ListId> {
        let id = self.lists.len() as ListId;
        self.lists.push(StateList {
            start_at: 0,
            states: Vec::new(),
        });
        let states = obj
            .get("States")
            .and_then(Value::as_object)
            .ok_or_else(|| err(loc, "These fields are required: [States]"))?;
        let names: HashMap<&str, StateId> = states
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i as StateId))
            .collect();
        let start = obj
            .get("StartAt")
            .and_then(Value::as_str)
            .ok_or_else(|| err(loc, "These fields are required: [StartAt]"))?;
        let start_at = *names.get(start).ok_or_else(|| {
            err(
                &format!("{loc}/StartAt"),
                format!("Missing 'Next' target: {start}"),
            )
        })?;
        let mut compiled = Vec::with_capacity(states.len());
        for (name, sv) in states {
            let sloc = format!("{loc}/States/{name}");
            let sobj = sv
                .as_object()
                .ok_or_else(|| err(&sloc, "A state must be a JSON object"))?;
            compiled.push(self.state(name, sobj, sloc, &names)?);
        }
        self.lists[id as usize] = StateList {
            start_at,
            states: compiled,
        };
        Ok(id)
    }

    fn state(
        &mut self,
        name: &str,
        obj: &JsonMap,
        loc: String,
        names: &HashMap<&str, StateId>,
    ) -> Result<State> {
        let ql = state_ql(obj, self.top_ql);
        let c = Ctx {
            obj,
            loc,
            ql,
            names,
        };
        let ty = c
            .str("Type")?
            .ok_or_else(|| err(&c.loc, "These fields are required: [Type]"))?;
        let next = match c.str("Next")? {
            Some(n) => Some(c.target("Next", n)?),
            None => None,
        };
        let kind = match ty {
            "Pass" => Kind::Pass {
                result: obj.get("Result").cloned(),
            },
            "Succeed" => Kind::Succeed,
            "Fail" => Kind::Fail(Box::new(self.fail(&c)?)),
            "Wait" => Kind::Wait(self.wait(&c)?),
            "Task" => Kind::Task(Box::new(Task {
                resource: c.str("Resource")?.unwrap_or_default().to_owned(),
                timeout: c.value_spec("TimeoutSeconds", Some("TimeoutSecondsPath"))?,
                heartbeat: c.value_spec("HeartbeatSeconds", Some("HeartbeatSecondsPath"))?,
                credentials: obj.get("Credentials").cloned(),
            })),
            "Choice" => Kind::Choice(Box::new(self.choice(&c)?)),
            "Parallel" => {
                let arr = obj
                    .get("Branches")
                    .and_then(Value::as_array)
                    .ok_or_else(|| {
                        err(&c.at("Branches"), "The field 'Branches' must be an array")
                    })?;
                let mut branches = Vec::with_capacity(arr.len());
                for (i, b) in arr.iter().enumerate() {
                    let bloc = format!("{}/Branches/{i}", c.loc);
                    let bobj = b
                        .as_object()
                        .ok_or_else(|| err(&bloc, "A branch must be a JSON object"))?;
                    branches.push(self.list(bobj, &bloc)?);
                }
                Kind::Parallel { branches }
            }
            "Map" => Kind::Map(Box::new(self.map(&c)?)),
            other => return Err(err(&c.at("Type"), format!("Unknown state type: {other}"))),
        };
        let flow = match ql {
            QueryLanguage::JsonPath => Flow::JsonPath(Box::new(JsonPathFlow {
                input_path: c.path_field("InputPath", false)?,
                // Map's Parameters is the legacy ItemSelector: compiled into the Map kind.
                parameters: if ty == "Map" {
                    None
                } else {
                    c.template("Parameters")?
                },
                result_selector: c.template("ResultSelector")?,
                result_path: c.path_field("ResultPath", true)?,
                output_path: c.path_field("OutputPath", false)?,
            })),
            QueryLanguage::Jsonata => Flow::Jsonata(JsonataFlow {
                arguments: c.jsonata("Arguments")?,
                output: c.jsonata("Output")?,
            }),
        };
        let retry = self.retriers(&c)?;
        let catch = self.catchers(&c)?;
        let needs_context = needs_context(&Value::Object(obj.clone()), ql, ty);
        Ok(State {
            name: Arc::from(name),
            ql,
            kind,
            next,
            flow,
            assign: c.assign()?,
            retry,
            catch,
            needs_context,
        })
    }

    fn fail(&mut self, c: &Ctx) -> Result<Fail> {
        let dyn_path = |k: &str| -> Result<Option<ValueSpec>> {
            match c.str(k)? {
                Some(s) => Dynamic::parse(s)
                    .map(|d| Some(ValueSpec::Dynamic(d)))
                    .map_err(|e| err(&c.at(k), e.to_string())),
                None => Ok(None),
            }
        };
        let error = match c.get("Error") {
            Some(v) => Some(c.literal_or_jsonata(v, &c.at("Error"))?),
            None => dyn_path("ErrorPath")?,
        };
        let cause = match c.get("Cause") {
            Some(v) => Some(c.literal_or_jsonata(v, &c.at("Cause"))?),
            None => dyn_path("CausePath")?,
        };
        Ok(Fail { error, cause })
    }

    fn wait(&mut self, c: &Ctx) -> Result<Wait> {
        if let Some(s) = c.value_spec("Seconds", Some("SecondsPath"))? {
            return Ok(Wait::Seconds(s));
        }
        if let Some(s) = c.value_spec("Timestamp", Some("TimestampPath"))? {
            return Ok(Wait::Timestamp(s));
        }
        Err(err(
            &c.loc,
            "A Wait state needs one of Seconds, SecondsPath, Timestamp, TimestampPath",
        ))
    }

    fn choice(&mut self, c: &Ctx) -> Result<Choice> {
        let arr = c
            .get("Choices")
            .and_then(Value::as_array)
            .ok_or_else(|| err(&c.at("Choices"), "The field 'Choices' must be an array"))?;
        let mut rules = Vec::with_capacity(arr.len());
        for (i, r) in arr.iter().enumerate() {
            let rloc = format!("{}/Choices/{i}", c.loc);
            let robj = r
                .as_object()
                .ok_or_else(|| err(&rloc, "A choice rule must be a JSON object"))?;
            let next_name = robj
                .get("Next")
                .and_then(Value::as_str)
                .ok_or_else(|| err(&rloc, "These fields are required: [Next]"))?;
            let next = c.names.get(next_name).copied().ok_or_else(|| {
                err(
                    &format!("{rloc}/Next"),
                    format!("Missing 'Next' target: {next_name}"),
                )
            })?;
            let cond = if c.ql == QueryLanguage::Jsonata {
                let v = robj
                    .get("Condition")
                    .ok_or_else(|| err(&rloc, "These fields are required: [Condition]"))?;
                Cond::Jsonata(jsonata_at(v, &format!("{rloc}/Condition"))?)
            } else {
                cond(robj, &rloc)?
            };
            let output = match robj.get("Output") {
                Some(v) => Some(jsonata_at(v, &format!("{rloc}/Output"))?),
                None => None,
            };
            rules.push(ChoiceRule {
                cond,
                next,
                assign: assign_of(robj, &rloc, c.ql)?,
                output,
            });
        }
        let default = match c.str("Default")? {
            Some(n) => Some(c.target("Default", n)?),
            None => None,
        };
        Ok(Choice { rules, default })
    }

    fn map(&mut self, c: &Ctx) -> Result<Map> {
        let (proc_key, pobj) = match (c.get("ItemProcessor"), c.get("Iterator")) {
            (Some(Value::Object(o)), _) => ("ItemProcessor", o),
            (_, Some(Value::Object(o))) => ("Iterator", o),
            _ => return Err(err(&c.loc, "These fields are required: [ItemProcessor]")),
        };
        let distributed = pobj
            .get("ProcessorConfig")
            .and_then(|p| p.get("Mode"))
            .and_then(Value::as_str)
            == Some("DISTRIBUTED");
        let processor = self.list(pobj, &c.at(proc_key))?;
        let selector_key = if c.get("ItemSelector").is_some() {
            "ItemSelector"
        } else {
            "Parameters"
        };
        let item_selector = match c.get(selector_key) {
            None => None,
            Some(v) => Some(match c.ql {
                QueryLanguage::JsonPath => Selector::JsonPath(
                    Template::compile(v).map_err(|e| err(&c.at(selector_key), e.to_string()))?,
                ),
                QueryLanguage::Jsonata => Selector::Jsonata(jsonata_at(v, &c.at(selector_key))?),
            }),
        };
        Ok(Map {
            processor,
            items_path: c.path_field("ItemsPath", false)?,
            items: c.jsonata("Items")?,
            items_text: match c.get("Items") {
                Some(Value::String(s)) => expression_text(s).unwrap_or(s).trim().to_owned(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
            item_selector,
            max_concurrency: c.value_spec("MaxConcurrency", Some("MaxConcurrencyPath"))?,
            tolerated_failure_count: c
                .value_spec("ToleratedFailureCount", Some("ToleratedFailureCountPath"))?,
            tolerated_failure_percentage: c.value_spec(
                "ToleratedFailurePercentage",
                Some("ToleratedFailurePercentagePath"),
            )?,
            distributed,
            item_batcher: match c.get("ItemBatcher").and_then(Value::as_object) {
                None => None,
                Some(b) => {
                    let bc = Ctx {
                        obj: b,
                        loc: c.at("ItemBatcher"),
                        ql: c.ql,
                        names: c.names,
                    };
                    Some(ItemBatcher {
                        max_items: bc
                            .value_spec("MaxItemsPerBatch", Some("MaxItemsPerBatchPath"))?,
                        max_bytes: bc.value_spec(
                            "MaxInputBytesPerBatch",
                            Some("MaxInputBytesPerBatchPath"),
                        )?,
                        batch_input: match b.get("BatchInput") {
                            None => None,
                            Some(v) => Some(match c.ql {
                                QueryLanguage::JsonPath => Selector::JsonPath(
                                    Template::compile(v)
                                        .map_err(|e| err(&bc.at("BatchInput"), e.to_string()))?,
                                ),
                                QueryLanguage::Jsonata => {
                                    Selector::Jsonata(jsonata_at(v, &bc.at("BatchInput"))?)
                                }
                            }),
                        },
                    })
                }
            },
            item_reader: c
                .get("ItemReader")
                .and_then(|r| r.get("Resource"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    fn retriers(&mut self, c: &Ctx) -> Result<Vec<Retrier>> {
        let Some(arr) = c.get("Retry").and_then(Value::as_array) else {
            return Ok(Vec::new());
        };
        Ok(arr
            .iter()
            .map(|r| Retrier {
                errors: errors_list(r.get("ErrorEquals")),
                interval_seconds: r
                    .get("IntervalSeconds")
                    .and_then(Value::as_f64)
                    .unwrap_or(1.0),
                max_attempts: r
                    .get("MaxAttempts")
                    .and_then(Value::as_u64)
                    .map(|n| n.min(u32::MAX as u64) as u32)
                    .unwrap_or(3),
                backoff_rate: r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
                max_delay_seconds: r.get("MaxDelaySeconds").and_then(Value::as_f64),
                full_jitter: r.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
            })
            .collect())
    }

    fn catchers(&mut self, c: &Ctx) -> Result<Vec<Catcher>> {
        let Some(arr) = c.get("Catch").and_then(Value::as_array) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(arr.len());
        for (i, r) in arr.iter().enumerate() {
            let cloc = format!("{}/Catch/{i}", c.loc);
            let robj = r
                .as_object()
                .ok_or_else(|| err(&cloc, "A catcher must be a JSON object"))?;
            let next_name = robj
                .get("Next")
                .and_then(Value::as_str)
                .ok_or_else(|| err(&cloc, "These fields are required: [Next]"))?;
            let next = c.names.get(next_name).copied().ok_or_else(|| {
                err(
                    &format!("{cloc}/Next"),
                    format!("Missing 'Next' target: {next_name}"),
                )
            })?;
            let cc = Ctx {
                obj: robj,
                loc: cloc.clone(),
                ql: c.ql,
                names: c.names,
            };
            out.push(Catcher {
                errors: errors_list(robj.get("ErrorEquals")),
                next,
                result_path: cc.path_field("ResultPath", true)?,
                output: cc.jsonata("Output")?,
                assign: assign_of(robj, &cloc, c.ql)?,
            });
        }
        Ok(out)
    }
}

fn cond(obj: &JsonMap, loc: &str) -> Result<Cond> {
    let sub = |k: &str| -> Result<Vec<Cond>> {
        let arr = obj.get(k).and_then(Value::as_array).ok_or_else(|| {
            err(
                &format!("{loc}/{k}"),
                format!("The field '{k}' must be an array"),
            )
        })?;
        arr.iter()
            .enumerate()
            .map(|(i, v)| {
                let l = format!("{loc}/{k}/{i}");
                cond(
                    v.as_object()
                        .ok_or_else(|| err(&l, "A choice rule must be a JSON object"))?,
                    &l,
                )
            })
            .collect()
    };
    if obj.contains_key("And") {
        return Ok(Cond::And(sub("And")?));
    }
    if obj.contains_key("Or") {
        return Ok(Cond::Or(sub("Or")?));
    }
    if let Some(n) = obj.get("Not") {
        let l = format!("{loc}/Not");
        return Ok(Cond::Not(Box::new(cond(
            n.as_object()
                .ok_or_else(|| err(&l, "A choice rule must be a JSON object"))?,
            &l,
        )?)));
    }
    let var = obj
        .get("Variable")
        .and_then(Value::as_str)
        .ok_or_else(|| err(loc, "These fields are required: [Variable]"))?;
    let variable = Path::parse_reference(var)
        .or_else(|_| Path::parse(var))
        .map_err(|e| err(&format!("{loc}/Variable"), e.to_string()))?;
    for (k, v) in obj {
        let (name, is_path) = match k.strip_suffix("Path") {
            Some(base) if base != "Is" && op_of(base).is_some() => (base, true),
            _ => (k.as_str(), false),
        };
        let Some(op) = op_of(name) else { continue };
        let rhs = if is_path {
            let s = v.as_str().ok_or_else(|| {
                err(
                    &format!("{loc}/{k}"),
                    format!("The field '{k}' must be a string"),
                )
            })?;
            Rhs::Path(
                Path::parse_reference(s)
                    .or_else(|_| Path::parse(s))
                    .map_err(|e| err(&format!("{loc}/{k}"), e.to_string()))?,
            )
        } else {
            Rhs::Value(v.clone())
        };
        return Ok(Cond::Test { variable, op, rhs });
    }
    Err(err(loc, "A choice rule needs a comparison operator"))
}

fn op_of(name: &str) -> Option<Op> {
    use Op::*;
    Some(match name {
        "StringEquals" => StringEquals,
        "StringLessThan" => StringLessThan,
        "StringGreaterThan" => StringGreaterThan,
        "StringLessThanEquals" => StringLessThanEquals,
        "StringGreaterThanEquals" => StringGreaterThanEquals,
        "StringMatches" => StringMatches,
        "NumericEquals" => NumericEquals,
        "NumericLessThan" => NumericLessThan,
        "NumericGreaterThan" => NumericGreaterThan,
        "NumericLessThanEquals" => NumericLessThanEquals,
        "NumericGreaterThanEquals" => NumericGreaterThanEquals,
        "BooleanEquals" => BooleanEquals,
        "TimestampEquals" => TimestampEquals,
        "TimestampLessThan" => TimestampLessThan,
        "TimestampGreaterThan" => TimestampGreaterThan,
        "TimestampLessThanEquals" => TimestampLessThanEquals,
        "TimestampGreaterThanEquals" => TimestampGreaterThanEquals,
        "IsNull" => IsNull,
        "IsPresent" => IsPresent,
        "IsNumeric" => IsNumeric,
        "IsString" => IsString,
        "IsBoolean" => IsBoolean,
        "IsTimestamp" => IsTimestamp,
        _ => return None,
    })
}

/// Conservative: true unless no string in the state's own fields (nested lists excluded) can
/// reach the context object. JSONPath reaches it with `$$`; JSONata through `$states` as a
/// whole or `$states.context`.
fn needs_context(state: &Value, ql: QueryLanguage, ty: &str) -> bool {
    fn scan(v: &Value, ql: QueryLanguage, skip: &[&str]) -> bool {
        match v {
            Value::String(s) => match ql {
                QueryLanguage::JsonPath => s.contains("$$"),
                QueryLanguage::Jsonata => s.contains("context") || states_whole(s),
            },
            Value::Array(a) => a.iter().any(|x| scan(x, ql, &[])),
            Value::Object(o) => o
                .iter()
                .any(|(k, x)| !skip.contains(&k.as_str()) && scan(x, ql, &[])),
            _ => false,
        }
    }
    // `$states` not followed by `.input`, `.result` or `.errorOutput` may read the context.
    fn states_whole(s: &str) -> bool {
        s.match_indices("$states").any(|(i, _)| {
            let rest = &s[i + 7..];
            !(rest.starts_with(".input")
                || rest.starts_with(".result")
                || rest.starts_with(".errorOutput"))
        })
    }
    let _ = ty;
    // Map items always see `Map.Item` through the context when they have a selector.
    scan(state, ql, &["Branches", "ItemProcessor", "Iterator"])
}
