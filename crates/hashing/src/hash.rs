//! The one hash every algorithm uses: XXH64 (Yann Collet, the xxHash specification) with seed 0,
//! over little-endian byte encodings. Fixed and documented, so a placement can be recomputed
//! anywhere, and identical natively and in wasm (no `usize`, no platform hasher).

use std::hash::Hasher;
use twox_hash::XxHash64;

/// XXH64 of `bytes` with seed 0.
pub fn xxh64(bytes: &[u8]) -> u64 {
    let mut h = XxHash64::with_seed(0);
    h.write(bytes);
    h.finish()
}

/// The hash of key `k` (its 8 little-endian bytes).
pub fn key(k: u64) -> u64 {
    xxh64(&k.to_le_bytes())
}

/// The hash of a pair, e.g. (server, vnode) or (key, server): 16 little-endian bytes.
pub fn pair(a: u64, b: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    xxh64(&bytes)
}

/// A hash mapped into (0, 1), never 0 or 1 (for logarithms).
pub fn unit(h: u64) -> f64 {
    ((h >> 12) as f64 + 0.5) / (1u64 << 52) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_matches_the_specification_test_vectors() {
        // From the xxHash repository's sanity checks (seed 0).
        assert_eq!(xxh64(b""), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a"), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc"), 0x44BC_2CF5_AD77_0999);
    }

    #[test]
    fn unit_stays_strictly_inside_zero_and_one() {
        assert!(unit(0) > 0.0);
        assert!(unit(u64::MAX) < 1.0);
    }
}
