//! Workflow variable scopes. The top level is scope 0; each Parallel branch and Map iteration
//! gets a scope whose parent is the scope of the state that started it, so it can read the
//! outer variables while its own assignments stay inside it (AWS's scoping rules). A
//! distributed Map's iterations are separate executions: their scopes have no parent.

use rustc_hash::FxHashMap as HashMap;

use estado_json::{Map, Value};
use estado_types::VarLookup;
use serde::{Deserialize, Serialize};

pub type ScopeId = u64;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct ScopeData {
    parent: Option<ScopeId>,
    vars: Map,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Scopes {
    scopes: HashMap<ScopeId, ScopeData>,
    next: ScopeId,
    /// Serialized size of every variable held, for the 10 MiB execution limit.
    bytes: usize,
}

impl Scopes {
    /// The top-level scope (id 0) exists implicitly and is stored on its first assignment, so
    /// an execution without variables allocates nothing here.
    pub fn new() -> Self {
        Scopes {
            next: 1,
            ..Scopes::default()
        }
    }
    pub fn open(&mut self, parent: Option<ScopeId>) -> ScopeId {
        // Id 0 is the top-level scope; opened scopes start at 1.
        let id = self.next.max(1);
        self.next = id + 1;
        self.scopes.insert(
            id,
            ScopeData {
                parent,
                vars: Map::new(),
            },
        );
        id
    }
    pub fn close(&mut self, id: ScopeId) {
        if id != 0 {
            if let Some(s) = self.scopes.remove(&id) {
                let freed: usize = s.vars.values().map(crate::limits::size_of).sum();
                self.bytes = self.bytes.saturating_sub(freed);
            }
        }
    }
    /// Set variables in scope `id`. Errors (and changes nothing) when a variable, the whole
    /// assignment, or all variables together would exceed AWS's size limits.
    pub fn assign(&mut self, id: ScopeId, vars: Map) -> Result<(), String> {
        use crate::limits::{size_of, VARIABLES_TOTAL_LIMIT_BYTES, VARIABLE_LIMIT_BYTES};
        let s = if id == 0 {
            self.scopes.entry(0).or_default()
        } else {
            match self.scopes.get_mut(&id) {
                Some(s) => s,
                None => return Ok(()),
            }
        };
        let mut added = 0usize;
        let mut removed = 0usize;
        for (k, v) in &vars {
            let n = size_of(v);
            if n > VARIABLE_LIMIT_BYTES {
                return Err(format!("The variable '{k}' is {n} bytes, over the maximum variable size of {VARIABLE_LIMIT_BYTES} bytes."));
            }
            added += n;
            removed += s.vars.get(k).map(size_of).unwrap_or(0);
        }
        if added > VARIABLE_LIMIT_BYTES {
            return Err(format!("The variables assigned by this state total {added} bytes, over the maximum of {VARIABLE_LIMIT_BYTES} bytes for one Assign."));
        }
        let total = (self.bytes + added).saturating_sub(removed);
        if total > VARIABLES_TOTAL_LIMIT_BYTES {
            return Err(format!("The execution's variables would total {total} bytes, over the maximum of {VARIABLES_TOTAL_LIMIT_BYTES} bytes."));
        }
        self.bytes = total;
        for (k, v) in vars {
            s.vars.insert(k, v);
        }
        Ok(())
    }
    pub fn view(&self, id: ScopeId) -> View<'_> {
        View { scopes: self, id }
    }
}

/// A [`VarLookup`] over one scope and its ancestors.
pub struct View<'a> {
    scopes: &'a Scopes,
    id: ScopeId,
}

impl VarLookup for View<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        let mut cur = Some(self.id);
        while let Some(id) = cur {
            let s = self.scopes.scopes.get(&id)?;
            if let Some(v) = s.vars.get(name) {
                return Some(v);
            }
            cur = s.parent;
        }
        None
    }
}
