//! Assembles a WebAssembly text file into a binary module: `wat2wasm IN.wat OUT.wasm`.
//!
//! The fork's UI tests (`tests/fork/run.py`) use it to turn the adversarial guests of
//! `tests/guests/wat/` into the modules they hand to rustc. It is a crate of its own, with
//! no wasmtime behind it, so that building it costs seconds.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: wat2wasm IN.wat OUT.wasm");
        return ExitCode::from(2);
    };
    let bytes = match wat::parse_file(input) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("wat2wasm: {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(output, bytes) {
        eprintln!("wat2wasm: cannot write {output}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
