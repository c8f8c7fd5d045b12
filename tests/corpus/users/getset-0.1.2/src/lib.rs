//! getset 0.1 (syn 1, proc-macro-error 1): getters and setters, per struct and per field.
use getset::{CopyGetters, Getters, MutGetters, Setters};

/// Struct-level attributes with field overrides.
#[derive(Getters, Setters, MutGetters, CopyGetters, Default)]
#[getset(set = "pub")]
pub struct Config {
    #[getset(get = "pub")]
    name: String,
    #[getset(get_copy = "pub", set = "pub", get_mut = "pub")]
    port: u16,
    #[getset(get = "pub(crate)")]
    tags: Vec<String>,
}

/// Field-level attributes only, generic.
#[derive(Getters, MutGetters)]
pub struct Holder<T> {
    #[getset(get = "pub", get_mut = "pub")]
    value: T,
    #[allow(dead_code)]
    hidden: u8,
}

pub fn rename(c: &mut Config) -> &str {
    c.set_name("x".to_owned()).set_port(1);
    *c.port_mut() += 1;
    c.name()
}
