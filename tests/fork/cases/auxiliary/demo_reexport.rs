//! An rlib built with `--wasm-proc-macro Demo=...` that re-exports a derive of the module and
//! uses it itself: its users reach `Demo` only as a transitive dependency.
pub use Demo::SomeMacro;

#[derive(SomeMacro)]
pub struct Config {
    #[some(primary)]
    pub port: u16,
}
