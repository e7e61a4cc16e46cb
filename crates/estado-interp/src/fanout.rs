//! Parallel branches and Map iterations: child frames inside one execution, started up to the
//! Map's concurrency, their results gathered by index, the first failure (beyond the Map's
//! tolerance) aborting the rest.

use std::sync::Arc;

use estado_asl::model::{self, Flow, Kind, ListId, Program, Selector, State, ValueSpec};
use estado_json::Value;
use estado_types::history::{
    EventDetails as D, MapIterationEventDetails, MapStateStartedEventDetails,
};
use estado_types::{errors, StatesError};
use serde::{Deserialize, Serialize};

use crate::exec::{as_count, Execution, Frame, FrameId, Phase};
use crate::flow;
use crate::running::Running;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Fanout {
    map: Option<MapRun>,
    /// Parallel: one list per branch. Map: the item processor.
    lists: Vec<ListId>,
    results: Vec<Value>,
    /// Index -> frame of the children still running.
    running: Running,
    next: usize,
    finished: usize,
    /// Id of `MapStateStarted` / `ParallelStateStarted`: children's first events follow it.
    started_event: i64,
    last_event: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct MapRun {
    /// Shared: an iteration without `ItemSelector` gets its item without a copy.
    items: Vec<Arc<Value>>,
    /// What `ItemSelector` evaluates against (the effective input).
    selector_input: Arc<Value>,
    max_concurrency: usize,
    failures: usize,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    distributed: bool,
    /// Items already went through `ItemSelector` (batching applies it first).
    selected: bool,
}

impl Fanout {
    pub fn running_children(&self) -> Vec<FrameId> {
        self.running.values().collect()
    }
    fn total(&self) -> usize {
        match &self.map {
            Some(m) => m.items.len(),
            None => self.lists.len(),
        }
    }
}

pub(crate) fn start_parallel(
    x: &mut Execution,
    program: &Program,
    fid: FrameId,
    f: &mut Frame,
    _st: &State,
    branches: &[ListId],
    input: Arc<Value>,
) {
    let started = x.push_event(f.prev, D::ParallelStateStarted);
    f.prev = started;
    let mut fo = Fanout {
        map: None,
        lists: branches.to_vec(),
        results: vec![Value::Null; branches.len()],
        running: Running::default(),
        next: branches.len(),
        finished: 0,
        started_event: started,
        last_event: started,
    };
    for (i, list) in branches.iter().enumerate() {
        let start = program.lists[*list as usize].start_at;
        // The branch shares its parent's scope until it assigns (see `Frame::owns_scope`).
        let child = x.spawn(
            program,
            *list,
            start,
            input.clone(),
            Some((fid, i)),
            f.scope,
            false,
            started,
        );
        fo.running.insert(i, child);
    }
    f.fanout = Some(Box::new(fo));
    if branches.is_empty() {
        finish_fanout(x, f, started);
    }
}

/// Returns false when there are no items (the Map ends at once with `[]`).
pub(crate) fn start_map(
    x: &mut Execution,
    program: &Program,
    fid: FrameId,
    f: &mut Frame,
    st: &State,
    map: &model::Map,
) -> Result<bool, StatesError> {
    if let Some(resource) = &map.item_reader {
        return Err(StatesError::new(
            errors::ITEM_READER_FAILED,
            format!("Estado cannot read this Map's items from '{resource}': an ItemReader needs a service integration, which is not available here yet."),
        ));
    }
    let (items, selector_input) = map_items(x, f, st, map)?;
    let (items, selected) = match &map.item_batcher {
        None => (items, false),
        Some(b) => (batches(x, f, st, map, b, items, &selector_input)?, true),
    };
    let max_concurrency = match &map.max_concurrency {
        None => 0,
        Some(spec) => count_field(x, f, st, spec, &selector_input, "MaxConcurrency", "integer")?
            .max(0) as usize,
    };
    let tolerated_count = match &map.tolerated_failure_count {
        None => None,
        Some(spec) => {
            let n = count_field(
                x,
                f,
                st,
                spec,
                &selector_input,
                "ToleratedFailureCount",
                "integer",
            )?;
            if n < 0 {
                return Err(StatesError::runtime(
                    "ToleratedFailureCount cannot be negative.",
                ));
            }
            Some(n as u64)
        }
    };
    let tolerated_percentage = match &map.tolerated_failure_percentage {
        None => None,
        Some(spec) => {
            let p = float_field(
                x,
                f,
                st,
                spec,
                &selector_input,
                "ToleratedFailurePercentage",
            )?;
            if !(0.0..=100.0).contains(&p) {
                return Err(StatesError::runtime(
                    "ToleratedFailurePercentage must be between 0 and 100.",
                ));
            }
            Some(p)
        }
    };
    let started = x.push_event(
        f.prev,
        D::MapStateStarted(MapStateStartedEventDetails::new(items.len() as u32)),
    );
    f.prev = started;
    if items.is_empty() {
        let id = x.push_event(started, D::MapStateSucceeded);
        f.prev = id;
        return Ok(false);
    }
    let n = items.len();
    f.fanout = Some(Box::new(Fanout {
        map: Some(MapRun {
            items: items.into_iter().map(Arc::new).collect(),
            selector_input,
            max_concurrency,
            failures: 0,
            tolerated_count,
            tolerated_percentage,
            distributed: map.distributed,
            selected,
        }),
        lists: vec![map.processor],
        results: vec![Value::Null; n],
        running: Running::default(),
        next: 0,
        finished: 0,
        started_event: started,
        last_event: started,
    }));
    fill(x, program, fid, f, st)?;
    Ok(true)
}

fn map_items(
    x: &Execution,
    f: &Frame,
    st: &State,
    map: &model::Map,
) -> Result<(Vec<Value>, Arc<Value>), StatesError> {
    match &st.flow {
        Flow::JsonPath(fl) => {
            let eff = x.scoped(f, st, None, |s| flow::input_path(fl, &f.input, s))?;
            let items = match &map.items_path {
                model::PathField::Path(p) => x.scoped(f, st, None, |s| p.select(&eff, s))?,
                _ => (*eff).clone(),
            };
            match items {
                Value::Array(a) => Ok((a, eff)),
                other => Err(StatesError::runtime(format!(
                    "Map state input must be an array but was: {}",
                    compact(&other)
                ))),
            }
        }
        Flow::Jsonata(_) => {
            let items = match &map.items {
                Some(t) => {
                    let states = x.states_value(f, st);
                    let v = x.scoped(f, st, None, |s| t.eval(&states, s, "Items"))?;
                    match v {
                        Value::Array(a) => a,
                        other => {
                            let src = map.items_text.as_str();
                            return Err(StatesError::query(format!(
                                "The JSONata expression '{src}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {}",
                                other.type_name(),
                                compact(&other)
                            )));
                        }
                    }
                }
                None => match &*f.input {
                    Value::Array(a) => a.clone(),
                    other => {
                        return Err(StatesError::query(format!(
                            "Map state input must be an array but was: {}",
                            compact(other)
                        )))
                    }
                },
            };
            Ok((items, f.input.clone()))
        }
    }
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn field_value(
    x: &Execution,
    f: &Frame,
    st: &State,
    spec: &ValueSpec,
    input: &Value,
    field: &str,
) -> Result<Option<Value>, StatesError> {
    x.spec_value(f, st, spec, input, field)
}

fn count_field(
    x: &Execution,
    f: &Frame,
    st: &State,
    spec: &ValueSpec,
    input: &Value,
    field: &str,
    kind: &str,
) -> Result<i64, StatesError> {
    let v = field_value(x, f, st, spec, input, field)?;
    match v.as_ref().and_then(as_count) {
        Some(n) => Ok(n),
        None => Err(bad_number(spec, field, kind, v)),
    }
}

fn float_field(
    x: &Execution,
    f: &Frame,
    st: &State,
    spec: &ValueSpec,
    input: &Value,
    field: &str,
) -> Result<f64, StatesError> {
    let v = field_value(x, f, st, spec, input, field)?;
    let n = match &v {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    n.ok_or_else(|| bad_number(spec, field, "float", v))
}

fn bad_number(spec: &ValueSpec, field: &str, kind: &str, v: Option<Value>) -> StatesError {
    let shown = match &v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => compact(other),
        None => "null".into(),
    };
    match spec {
        ValueSpec::Path(p) => StatesError::runtime(format!(
            "The {field}Path field refers to value \"{shown}\" which is not a valid {kind}: {}",
            p.source()
        )),
        ValueSpec::Jsonata(_) => StatesError::query(format!(
            "The {field} field must evaluate to a valid {kind}, but was: {shown}"
        )),
        _ => StatesError::runtime(format!(
            "The {field} field must be a valid {kind}, but was: {shown}"
        )),
    }
}

/// Start iterations until the concurrency limit or the end of the items.
fn fill(
    x: &mut Execution,
    program: &Program,
    fid: FrameId,
    f: &mut Frame,
    st: &State,
) -> Result<(), StatesError> {
    let Kind::Map(map) = &st.kind else {
        return Ok(());
    };
    loop {
        let Some(fo) = f.fanout.as_mut() else {
            return Ok(());
        };
        let Some(m) = fo.map.as_ref() else {
            return Ok(());
        };
        if fo.next >= m.items.len()
            || (m.max_concurrency > 0 && fo.running.len() >= m.max_concurrency)
        {
            return Ok(());
        }
        let index = fo.next;
        fo.next += 1;
        let item = m.items[index].clone();
        let selector_input = m.selector_input.clone();
        let distributed = m.distributed;
        let list = fo.lists[0];
        let input = if m.selected || map.item_selector.is_none() {
            item
        } else {
            Arc::new(select_item(x, f, st, map, index, &item, &selector_input)?)
        };
        let started = x.push_event(
            f.prev,
            D::MapIterationStarted(MapIterationEventDetails::new(st.name.clone(), index as u32)),
        );
        f.prev = started;
        // A distributed Map's iterations are separate executions: they see no outer
        // variables. Inline iterations share the Map's scope until they assign.
        let (scope, owns) = if distributed {
            (x.scopes.open(None), true)
        } else {
            (f.scope, false)
        };
        let start = program.lists[list as usize].start_at;
        let child = x.spawn(
            program,
            list,
            start,
            input,
            Some((fid, index)),
            scope,
            owns,
            started,
        );
        if let Some(fo) = f.fanout.as_mut() {
            fo.running.insert(index, child);
        }
    }
}

/// A child frame ended: record it, start more, or end the fan-out.
pub(crate) fn child_ended(
    x: &mut Execution,
    program: &Program,
    parent: FrameId,
    index: usize,
    last: i64,
    outcome: Result<Arc<Value>, StatesError>,
) {
    let Some(f) = x.frame_mut(parent) else { return };
    let mut f = std::mem::replace(f, placeholder());
    let st = &program.lists[f.list as usize].states[f.state as usize];
    let result = handle_child(x, program, &mut f, st, index, last, outcome);
    if let Err(e) = result {
        abort_children(x, program, &mut f, st);
        f.phase = Phase::Error(Box::new(e));
        x.make_ready(parent);
    }
    if let Some(slot) = x.frame_mut(parent) {
        *slot = f;
    }
}

fn handle_child(
    x: &mut Execution,
    program: &Program,
    f: &mut Frame,
    st: &State,
    index: usize,
    last: i64,
    outcome: Result<Arc<Value>, StatesError>,
) -> Result<(), StatesError> {
    let parent = f.self_id;
    let Some(fo) = f.fanout.as_mut() else {
        return Ok(());
    };
    fo.running.remove(&index);
    fo.finished += 1;
    let is_map = fo.map.is_some();
    match outcome {
        Ok(out) => {
            fo.results[index] = Arc::try_unwrap(out).unwrap_or_else(|a| (*a).clone());
            fo.last_event = if is_map {
                x.push_event(
                    last,
                    D::MapIterationSucceeded(MapIterationEventDetails::new(
                        st.name.clone(),
                        index as u32,
                    )),
                )
            } else {
                last
            };
        }
        Err(e) => {
            if let Some(m) = fo.map.as_mut() {
                m.failures += 1;
                let id = x.push_event(
                    last,
                    D::MapIterationFailed(MapIterationEventDetails::new(
                        st.name.clone(),
                        index as u32,
                    )),
                );
                fo.last_event = id;
                let total = m.items.len();
                let tolerated = match (m.tolerated_count, m.tolerated_percentage) {
                    (None, None) => false,
                    (c, p) => {
                        let by_count = c.is_some_and(|c| m.failures as u64 <= c);
                        let by_pct =
                            p.is_some_and(|p| (m.failures as f64) * 100.0 / total as f64 <= p);
                        by_count || by_pct
                    }
                };
                if !tolerated {
                    let e = if m.tolerated_count.is_some() || m.tolerated_percentage.is_some() {
                        StatesError::new(
                            errors::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                            "The specified tolerated failure threshold was exceeded",
                        )
                    } else {
                        e
                    };
                    return Err(e);
                }
                fo.results[index] = e.output();
            } else {
                fo.last_event = last;
                return Err(e);
            }
        }
    }
    if fo.finished == fo.total() {
        let last = fo.last_event;
        finish_fanout(x, f, last);
        x.make_ready(parent);
        return Ok(());
    }
    // The next iteration AWS starts links to the last state event of the one that just ended.
    f.prev = last;
    fill(x, program, parent, f, st)
}

fn finish_fanout(x: &mut Execution, f: &mut Frame, last: i64) {
    let Some(fo) = f.fanout.take() else { return };
    let d = if fo.map.is_some() {
        D::MapStateSucceeded
    } else {
        D::ParallelStateSucceeded
    };
    f.prev = x.push_event(last.max(fo.started_event), d);
    f.phase = Phase::Done(Arc::new(Value::Array(fo.results)));
}

fn abort_children(x: &mut Execution, program: &Program, f: &mut Frame, st: &State) {
    let Some(fo) = f.fanout.take() else { return };
    let is_map = fo.map.is_some();
    for (index, child) in fo.running.iter() {
        x.abort_frame(program, child);
        if is_map {
            x.push_event(
                fo.last_event,
                D::MapIterationAborted(MapIterationEventDetails::new(
                    st.name.clone(),
                    index as u32,
                )),
            );
        }
    }
    let d = if is_map {
        D::MapStateFailed
    } else {
        D::ParallelStateFailed
    };
    f.prev = x.push_event(fo.last_event, d);
}

fn placeholder() -> Frame {
    Frame {
        self_id: u64::MAX,
        list: 0,
        state: 0,
        input: Arc::new(Value::Null),
        parent: None,
        scope: 0,
        owns_scope: false,
        prev: 0,
        entered: 0,
        entered_at: 0,
        retries: Vec::new(),
        phase: Phase::Blocked,
        fanout: None,
        waiting: Vec::new(),
        task_token: None,
    }
}

/// `ItemSelector` applied to one item (with `$$.Map.Item` in the context).
fn select_item(
    x: &Execution,
    f: &Frame,
    st: &State,
    map: &model::Map,
    index: usize,
    item: &Value,
    selector_input: &Value,
) -> Result<Value, StatesError> {
    match &map.item_selector {
        None => Ok(item.clone()),
        Some(Selector::JsonPath(t)) => {
            x.scoped(f, st, Some((index, item)), |s| t.eval(selector_input, s))
        }
        Some(Selector::Jsonata(t)) => {
            let states = x.states_value_with_item(f, st, index, item);
            x.scoped(f, st, Some((index, item)), |s| {
                t.eval(&states, s, "ItemSelector")
            })
        }
    }
}

/// `ItemBatcher`: selected items grouped into `{"BatchInput": ..., "Items": [...]}` by item
/// count and serialized size.
#[allow(clippy::too_many_arguments)]
fn batches(
    x: &Execution,
    f: &Frame,
    st: &State,
    map: &model::Map,
    b: &model::ItemBatcher,
    items: Vec<Value>,
    selector_input: &Arc<Value>,
) -> Result<Vec<Value>, StatesError> {
    let max_items = match &b.max_items {
        Some(spec) => Some(
            count_field(
                x,
                f,
                st,
                spec,
                selector_input,
                "MaxItemsPerBatch",
                "integer",
            )?
            .max(1) as usize,
        ),
        None => None,
    };
    let max_bytes = match &b.max_bytes {
        Some(spec) => count_field(
            x,
            f,
            st,
            spec,
            selector_input,
            "MaxInputBytesPerBatch",
            "integer",
        )?
        .max(1) as usize,
        None => crate::limits::PAYLOAD_LIMIT_BYTES,
    };
    let batch_input = match &b.batch_input {
        None => None,
        Some(Selector::JsonPath(t)) => Some(x.scoped(f, st, None, |s| t.eval(selector_input, s))?),
        Some(Selector::Jsonata(t)) => {
            let states = x.states_value(f, st);
            Some(x.scoped(f, st, None, |s| {
                t.eval(&states, s, "ItemBatcher/BatchInput")
            })?)
        }
    };
    let mut out = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut bytes = 0usize;
    let close = |current: &mut Vec<Value>, out: &mut Vec<Value>| {
        let mut m = estado_json::Map::new();
        if let Some(bi) = &batch_input {
            m.insert("BatchInput", bi.clone());
        }
        m.insert("Items", Value::Array(std::mem::take(current)));
        out.push(Value::Object(m));
    };
    for (index, item) in items.into_iter().enumerate() {
        let selected = select_item(x, f, st, map, index, &item, selector_input)?;
        let size = serde_json::to_string(&selected)
            .map(|t| t.len())
            .unwrap_or(0)
            + 1;
        let full = max_items.is_some_and(|n| current.len() >= n)
            || (!current.is_empty() && bytes + size > max_bytes);
        if full {
            close(&mut current, &mut out);
            bytes = 0;
        }
        bytes += size;
        current.push(selected);
    }
    if !current.is_empty() {
        close(&mut current, &mut out);
    }
    Ok(out)
}
