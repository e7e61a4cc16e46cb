//! History events (filled in by the generator).
