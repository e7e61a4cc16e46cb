//! The process's global allocator: mimalloc, which can count the heap bytes in use and the
//! highest count since the last [`reset_peak`], so `estado bench` can report the heap an
//! execution really needs (not the RSS, which includes freed pages the allocator keeps).
//!
//! Counting is off unless [`set_counting`] turns it on: it costs two locked atomic operations
//! per allocation, which would show in the very timings `estado bench` takes, so the bench
//! counts in runs of their own and times runs that do not count. This is the only `unsafe`
//! code in Estado: implementing `GlobalAlloc` requires it, and each method only forwards to
//! mimalloc with the caller's own arguments.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

use libmimalloc_sys::{mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned};
use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};

/// Every mimalloc block is aligned to at least a machine word, so requests that need no more
/// (nearly all of Rust's: strings, vectors, boxes, `Arc`s) go to `mi_malloc`. The aligned entry
/// points that the `mimalloc` crate uses for everything take a slow path (over-allocating) in
/// mimalloc 3 for any block whose size is not a power of two above 1 KiB: a 1,280-byte vector
/// cost 220 instructions instead of 30.
const WORD: usize = std::mem::size_of::<usize>();

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
// Signed: blocks allocated before counting began may be freed while it is on.
static IN_USE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(by: usize) {
    if COUNTING.load(Relaxed) {
        let by = by as isize;
        let now = IN_USE.fetch_add(by, Relaxed) + by;
        PEAK.fetch_max(now, Relaxed);
    }
}

fn shrank(by: usize) {
    if COUNTING.load(Relaxed) {
        IN_USE.fetch_sub(by as isize, Relaxed);
    }
}

// SAFETY: every method forwards to mimalloc with the caller's size; a block from `mi_malloc`,
// `mi_zalloc` or `mi_realloc` is word-aligned, which satisfies any layout of alignment up to a
// word; larger alignments go to mimalloc's aligned functions. `mi_free` frees blocks from all of
// them. The counters do not affect the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation functions accept any size and alignment.
        let p = unsafe {
            if layout.align() <= WORD {
                mi_malloc(layout.size())
            } else {
                mi_malloc_aligned(layout.size(), layout.align())
            }
        } as *mut u8;
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        let p = unsafe {
            if layout.align() <= WORD {
                mi_zalloc(layout.size())
            } else {
                mi_zalloc_aligned(layout.size(), layout.align())
            }
        } as *mut u8;
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from one of mimalloc's allocation functions (see `alloc`).
        unsafe { mi_free(ptr.cast()) };
        shrank(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; `new_size` is the caller's;
        // `mi_realloc` keeps word alignment, the aligned variant any other.
        let p = unsafe {
            if layout.align() <= WORD {
                mi_realloc(ptr.cast(), new_size)
            } else {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align())
            }
        } as *mut u8;
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static HEAP: Counting = Counting;

/// Count (or stop counting) from now on. While counting, [`in_use`] and [`peak`] follow
/// the heap; blocks allocated while not counting and freed while counting make [`in_use`]
/// read low, so compare figures taken inside one counted window.
pub fn set_counting(on: bool) {
    COUNTING.store(on, Relaxed);
}

/// Heap bytes allocated and not yet freed while counting, process-wide.
pub fn in_use() -> usize {
    IN_USE.load(Relaxed).max(0) as usize
}

/// The highest [`in_use`] since the last [`reset_peak`] (or since the process started).
pub fn peak() -> usize {
    PEAK.load(Relaxed).max(0) as usize
}

/// Start a new peak window at the current [`in_use`].
pub fn reset_peak() {
    PEAK.store(IN_USE.load(Relaxed), Relaxed);
}
