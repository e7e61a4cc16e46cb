//! LZ4 (block format) in the framing Estado stores compressed bytes in: a format byte, the
//! uncompressed length (4 bytes, little-endian), then the compressed bytes. History chunks
//! ([`crate::chunks`]) and a backend's large documents use it, each with its own format byte.

/// Why framed bytes do not decompress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Lz4Error {
    #[error("is truncated")]
    Truncated,
    #[error("claims a length over the limit")]
    TooLong,
    #[error("does not decompress")]
    Corrupt,
}

/// `raw` compressed and framed with `format`, when that saves at least an eighth of its size;
/// `None` when it does not (or `raw` is 4 GiB or more).
pub fn compress(format: u8, raw: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(raw.len()).ok()?;
    let mut out = vec![0; 5 + lz4_flex::block::get_maximum_output_size(raw.len())];
    out[0] = format;
    out[1..5].copy_from_slice(&len.to_le_bytes());
    match lz4_flex::block::compress_into(raw, &mut out[5..]) {
        Ok(n) if 5 + n + (5 + n) / 8 <= raw.len() => {
            out.truncate(5 + n);
            Some(out)
        }
        _ => None,
    }
}

/// The bytes framed in `framed` (what follows its format byte), which may claim at most
/// `max` bytes, so that a damaged length cannot make the reader allocate gigabytes.
pub fn decompress(framed: &[u8], max: usize) -> Result<Vec<u8>, Lz4Error> {
    let (len, packed) = framed.split_first_chunk::<4>().ok_or(Lz4Error::Truncated)?;
    let len = u32::from_le_bytes(*len) as usize;
    if len > max {
        return Err(Lz4Error::TooLong);
    }
    let mut raw = vec![0; len];
    match lz4_flex::block::decompress_into(packed, &mut raw) {
        Ok(n) if n == len => Ok(raw),
        _ => Err(Lz4Error::Corrupt),
    }
}
