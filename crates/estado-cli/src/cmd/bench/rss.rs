//! The process's resident-set high-water mark (`VmHWM` in `/proc/self/status`), reset
//! between workloads through `/proc/self/clear_refs`. The reset lowers the mark to the current
//! RSS, which still holds memory the allocator kept from earlier workloads (glibc does not give
//! freed heap back at once): after a big workload the next ones show at least its RSS. Run one
//! workload alone (`--filter`) for its own figure; the counted heap peak has no such bias.

/// `VmHWM` in bytes, or `None` where `/proc` does not have it.
pub fn high_water_mark() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Lower `VmHWM` to the current RSS (writing `5` to `clear_refs`, Linux 4.0+). False when the
/// kernel refuses, in which case the mark keeps counting from the start of the process.
pub fn reset_high_water_mark() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
