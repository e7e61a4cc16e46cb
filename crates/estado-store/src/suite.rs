//! The test suite every backend must pass. (Being written.)
