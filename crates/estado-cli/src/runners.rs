//! The task runners `estado serve` and `estado run` share: local Lambda functions and HTTP
//! Tasks, in that order.

use std::sync::Arc;

use estado_engine::Registry;

/// The registry for a process whose Lambda functions `functions` hosts.
pub fn registry(functions: Arc<estado_functions::FunctionHost>) -> Registry {
    Registry::new(vec![
        Arc::new(estado_runners::LambdaRunner::new(functions)),
        Arc::new(estado_runners::HttpRunner::new()),
    ])
}
