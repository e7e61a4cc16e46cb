//! Compiled definitions, shared: a definition is validated and compiled once, not per step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use estado_asl::model::Program;

/// Most definitions a server holds at once before the cache starts over.
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct Programs {
    cache: Mutex<HashMap<String, Arc<Program>>>,
}

impl Programs {
    pub fn new() -> Self {
        Self::default()
    }

    /// The compiled program of `definition` (which was validated when it was stored).
    pub fn get(&self, definition: &str) -> Result<Arc<Program>, String> {
        if let Some(p) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(definition)
        {
            return Ok(p.clone());
        }
        let value: estado_json::Value =
            serde_json::from_str(definition).map_err(|e| e.to_string())?;
        let program = Arc::new(estado_asl::compile(&value).map_err(|e| e.to_string())?);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(definition.to_owned(), program.clone());
        Ok(program)
    }
}
