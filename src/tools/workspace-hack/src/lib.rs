//! No code: a dependency that unifies the features of shared crates across the
//! workspace (see `Cargo.toml`).
