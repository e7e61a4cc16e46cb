//! Interpreter. (Being written.)
