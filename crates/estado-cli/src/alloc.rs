//! The process's global allocator: the system allocator, counting the heap bytes in use and
//! the highest count since the last [`reset_peak`], so `estado bench` can report the heap an
//! execution really needs (not the RSS, which includes freed pages the allocator keeps).
//!
//! The counting is two relaxed atomic operations per allocation, so every command pays it; it
//! is kept in the whole binary because a global allocator cannot be switched at run time.
//! `peak_alloc` provides it because the workspace forbids `unsafe` code, which implementing
//! `GlobalAlloc` needs. Its `realloc` is allocate + copy + free, so a growing vector briefly
//! counts both buffers: the peak is an upper bound, never an underestimate.

use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Heap bytes allocated and not yet freed, process-wide.
pub fn in_use() -> usize {
    HEAP.current_usage()
}

/// The highest [`in_use`] since the last [`reset_peak`] (or since the process started).
pub fn peak() -> usize {
    HEAP.peak_usage()
}

/// Start a new peak window at the current [`in_use`].
pub fn reset_peak() {
    HEAP.reset_peak_usage();
}
