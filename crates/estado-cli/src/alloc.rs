//! The process's global allocator: mimalloc, counting the heap bytes in use and the highest
//! count since the last [`reset_peak`], so `estado bench` can report the heap an execution
//! really needs (not the RSS, which includes freed pages the allocator keeps).
//!
//! The counting is two relaxed atomic operations per allocation. This is the only `unsafe`
//! code in Estado: implementing `GlobalAlloc` requires it, and each method only forwards to
//! mimalloc with the caller's own arguments.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use mimalloc::MiMalloc;

struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every method forwards to MiMalloc, a correct GlobalAlloc, with unchanged arguments;
// the counters do not affect the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { MiMalloc.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { MiMalloc.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { MiMalloc.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; `new_size` is the caller's.
        let p = unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static HEAP: Counting = Counting;

/// Heap bytes allocated and not yet freed, process-wide.
pub fn in_use() -> usize {
    IN_USE.load(Relaxed)
}

/// The highest [`in_use`] since the last [`reset_peak`] (or since the process started).
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Start a new peak window at the current [`in_use`].
pub fn reset_peak() {
    PEAK.store(in_use(), Relaxed);
}
