//! Amazon States Language definitions.
//!
//! - [`validate`]: static validation as `ValidateStateMachineDefinition` does it, with AWS's
//!   diagnostic codes and locations, all problems at once.
//! - [`model`] / [`compile`]: a validated definition compiled into a [`compile::Program`] the
//!   interpreter runs (states in vectors, paths and templates pre-parsed).

pub mod validate;
