pub mod bench;
pub mod bench_functions;
pub mod load;
pub mod run;
pub mod serve;
pub mod validate;
