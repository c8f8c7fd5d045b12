//! smart-default's `SmartDefault`: per-field defaults from literals and expressions, enums.
use smart_default::SmartDefault;

/// Server settings.
#[derive(Debug, SmartDefault)]
pub struct Settings {
    #[default = 8080]
    pub port: u16,
    #[default = "localhost"]
    pub host: String,
    #[default(_code = "vec![1, 2, 3]")]
    pub retries: Vec<u8>,
    #[default(Some(std::time::Duration::from_secs(5)))]
    pub timeout: Option<std::time::Duration>,
    pub verbose: bool,
}

/// The default variant, with field defaults.
#[derive(Debug, SmartDefault)]
pub enum Mode {
    Off,
    #[default]
    On {
        #[default = 3]
        level: u8,
        name: String,
    },
}

/// Generic with a bound.
#[derive(Debug, SmartDefault)]
pub struct Pair<T: Default> {
    pub left: T,
    #[default(T::default())]
    pub right: T,
}
