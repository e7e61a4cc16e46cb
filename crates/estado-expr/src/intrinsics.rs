//! Intrinsic functions. (Being written.)
