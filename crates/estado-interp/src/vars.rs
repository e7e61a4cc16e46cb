//! Workflow variable scopes. The top level is scope 0; each Parallel branch and Map iteration
//! gets a scope whose parent is the scope of the state that started it, so it can read the
//! outer variables while its own assignments stay inside it (AWS's scoping rules). A
//! distributed Map's iterations are separate executions: their scopes have no parent.

use std::collections::HashMap;

use estado_types::VarLookup;
use serde_json::{Map, Value};

pub type ScopeId = u64;

#[derive(Debug, Default, Clone)]
struct ScopeData {
    parent: Option<ScopeId>,
    vars: Map<String, Value>,
}

#[derive(Debug, Default, Clone)]
pub struct Scopes {
    scopes: HashMap<ScopeId, ScopeData>,
    next: ScopeId,
}

impl Scopes {
    pub fn new() -> Self {
        let mut s = Scopes::default();
        s.open(None);
        s
    }
    pub fn open(&mut self, parent: Option<ScopeId>) -> ScopeId {
        let id = self.next;
        self.next += 1;
        self.scopes.insert(id, ScopeData { parent, vars: Map::new() });
        id
    }
    pub fn close(&mut self, id: ScopeId) {
        if id != 0 {
            self.scopes.remove(&id);
        }
    }
    pub fn assign(&mut self, id: ScopeId, vars: Map<String, Value>) {
        if let Some(s) = self.scopes.get_mut(&id) {
            for (k, v) in vars {
                s.vars.insert(k, v);
            }
        }
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
