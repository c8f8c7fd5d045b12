//! Names of temporary files and directories that no other writer uses (write, then rename).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A tag no other call returns, in this process or another: the process id (where there is
/// one: WASI has none, and `std::process::id` panics there), the time, and a counter.
pub fn unique_tag() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    if cfg!(target_os = "wasi") {
        format!("{nanos:x}-{seq}")
    } else {
        format!("{}-{nanos:x}-{seq}", std::process::id())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_differ() {
        let (a, b) = (super::unique_tag(), super::unique_tag());
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("{}-", std::process::id())), "{a}");
    }
}
