//! Static validation. (Being written.)
