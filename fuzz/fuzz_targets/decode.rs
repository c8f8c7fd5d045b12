//! Feeds arbitrary bytes to every wpm decoder. Oracle: no decoder panics, and whatever
//! decodes re-encodes to bytes that decode to the same value (the encoding is canonical
//! up to LEB128 padding, so values are compared, not bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wpm_abi::{tokens, Manifest, Request};

fuzz_target!(|data: &[u8]| {
    if let Ok(trees) = tokens::decode_stream(data) {
        let mut again = Vec::new();
        tokens::encode_stream(&trees, &mut again);
        assert_eq!(tokens::decode_stream(&again).as_ref(), Ok(&trees));
    }
    if let Ok(req) = Request::decode(data) {
        assert_eq!(Request::decode(&req.encode()).as_ref(), Ok(&req));
    }
    if let Ok(manifest) = Manifest::decode(data) {
        assert_eq!(Manifest::decode(&manifest.encode()).as_ref(), Ok(&manifest));
    }
});
