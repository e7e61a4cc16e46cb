//! Payload templates. (Being written.)
