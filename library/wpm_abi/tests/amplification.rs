//! The decoders' memory is bounded by their input: a hostile buffer cannot make the host
//! allocate more than a small constant times its size, whatever counts it claims. Measured
//! with a counting allocator (peak live bytes of this thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use wpm_abi::{tokens, Manifest};

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counters are plain thread-locals without
// destructors, so touching them cannot allocate or recurse.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|l| {
            l.set(l.get() + layout.size());
            let _ = PEAK.try_with(|p| p.set(p.get().max(l.get())));
        });
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|l| l.set(l.get().saturating_sub(layout.size())));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes allocated by `f` on this thread, beyond what was live before.
fn peak_of(f: impl FnOnce()) -> usize {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    f();
    PEAK.with(Cell::get) - base
}

/// The bound every decoder must keep, in bytes of host memory per input byte: a tree per
/// 4 bytes reserved from the budget, at most 3 trees' worth per 4 bytes more while vectors
/// grow by pushing, so one tree per input byte, plus the strings' own bytes.
const MAX_AMPLIFICATION: usize = size_of::<wpm_abi::TokenTree>() + 8;

fn leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn assert_bounded(what: &str, buf: &[u8], decode: impl FnOnce(&[u8])) {
    let peak = peak_of(|| decode(buf));
    assert!(
        peak <= MAX_AMPLIFICATION * buf.len(),
        "{what}: decoding {} bytes allocated {peak} bytes ({}x)",
        buf.len(),
        peak / buf.len().max(1)
    );
}

#[test]
fn decoders_allocate_in_proportion_to_their_input() {
    // Nested group headers, each claiming as many trees as the zeros after them could
    // hold: per-level reservations would ask for ~depth x the honest maximum.
    let depth = 1000;
    let tail = 200_000;
    let mut nested = Vec::new();
    for _ in 0..depth {
        leb(&mut nested, (tail / 4) as u32);
        nested.extend_from_slice(&[0, 0, 0, 0, 0]); // group, parenthesis, three spans
    }
    nested.extend(std::iter::repeat_n(0u8, tail));
    assert_bounded("nested headers", &nested, |b| assert!(tokens::decode_stream(b).is_err()));

    // The densest honest stream: puncts of 4 bytes each.
    let count = 1 << 18;
    let mut flat = Vec::new();
    leb(&mut flat, count);
    for _ in 0..count {
        flat.extend_from_slice(&[2, 0, b'+', 0]);
    }
    assert_bounded("flat puncts", &flat, |b| assert_eq!(tokens::decode_stream(b).unwrap().len(), count as usize));

    // Deep and wide: 1000 nested groups, each with a thousand puncts.
    let mut deep = Vec::new();
    for _ in 0..1000 {
        leb(&mut deep, 1001);
        for _ in 0..1000 {
            deep.extend_from_slice(&[2, 0, b'+', 0]);
        }
        deep.extend_from_slice(&[0, 0, 0, 0, 0]);
    }
    leb(&mut deep, 0);
    assert_bounded("deep and wide", &deep, |b| assert!(tokens::decode_stream(b).is_ok()));

    // A manifest whose macros each claim a helper list as long as the rest of the data,
    // then one whose helpers are all empty strings (one byte each on the wire).
    let macros = 1000;
    let mut lying = b"wpmM\x01".to_vec();
    leb(&mut lying, macros);
    for _ in 0..macros {
        lying.extend_from_slice(&[0, 1, b'D']);
        leb(&mut lying, 1 << 17);
    }
    lying.extend(std::iter::repeat_n(0u8, 1 << 17));
    assert_bounded("lying helper counts", &lying, |b| drop(Manifest::decode(b)));
    let helpers = 1 << 18;
    let mut empty = b"wpmM\x01\x01\x00\x01D".to_vec();
    leb(&mut empty, helpers);
    empty.extend(std::iter::repeat_n(0u8, helpers as usize));
    assert_bounded("empty helpers", &empty, |b| {
        assert_eq!(Manifest::decode(b).unwrap().macros[0].helpers.len(), helpers as usize)
    });
}
