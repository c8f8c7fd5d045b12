//@ build-pass
//@ wasm-proc-macro: Demo=demo
//@ fresh-cache
//@ compile-flags: --target wasm32-wasip1 -Zunpretty=expanded
// A target other than the host, with the stub metadata compiled in this run: that nested
// compilation is for the host and runs first, and must not set LLVM's process-wide options
// (it did: "-exception-model=wasm only allowed with at least one of -wasm-enable-eh or
// -wasm-enable-sjlj", and rustc exited). `no_core`: the native fork has no std for the target.
#![feature(no_core)]
#![no_core]

Demo::make_answer!(the_answer);
