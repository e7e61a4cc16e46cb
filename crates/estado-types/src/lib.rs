//! Shared vocabulary of Estado: the ASL error type that expressions and states raise, the scope
//! an expression is evaluated in, and the execution history events named as AWS names them.
//!
//! This crate does no I/O and knows no clock: time and randomness reach expressions as values
//! through [`Scope`].

pub mod errors;
pub mod history;
pub mod scope;

pub use errors::StatesError;
pub use scope::{Entropy, NoVars, Scope, SplitMix64, VarLookup};
