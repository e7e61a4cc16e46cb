pub mod bench;
pub mod run;
pub mod validate;
