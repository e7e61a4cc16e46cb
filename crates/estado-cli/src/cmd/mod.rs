pub mod bench;
pub mod load;
pub mod run;
pub mod serve;
pub mod validate;
