//! JSONata for ASL. (Being written.)
