//! Amazon States Language definitions.
//!
//! - [`validate`]: static validation as `ValidateStateMachineDefinition` does it, with AWS's
//!   diagnostic codes and locations, all problems at once.
//! - [`model`] / [`compile`]: a validated definition compiled into a [`model::Program`] the
//!   interpreter runs (states in vectors, paths and templates pre-parsed).

pub mod compile;
pub mod model;
pub mod validate;

pub use compile::{compile, CompileError};
pub use model::Program;
