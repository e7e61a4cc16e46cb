//! `States.UUID`.

use estado_json::Value;
use estado_types::StatesError;

use super::args::Invocation;

/// `States.UUID()`: a version 4 UUID (`xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx`, lowercase),
/// its 122 random bits taken from the scope's entropy.
pub(crate) fn uuid(inv: &Invocation) -> Result<Value, StatesError> {
    let hi = inv.scope.entropy.next_u64();
    let lo = inv.scope.entropy.next_u64();
    Ok(Value::String(format_v4(hi, lo)))
}

/// Formats 128 bits as a version 4, RFC 4122 variant UUID.
pub(crate) fn format_v4(hi: u64, lo: u64) -> String {
    let hi = (hi & !0xF000) | 0x4000; // version 4 in bits 12..16 of the third group
    let lo = (lo & !(0xC000 << 48)) | (0x8000 << 48); // variant 10xx
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}
