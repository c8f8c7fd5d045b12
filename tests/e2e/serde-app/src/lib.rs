//! Ordinary application code using serde, thiserror and clap derives, with tests of what the
//! derived code does. The end-to-end tests build it with native and with wasm macros.

pub mod cli;
pub mod data;
pub mod edge;
pub mod errors;
