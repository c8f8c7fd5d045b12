//! rustversion's attributes and its `cfg`-like selection (on versions both compilers agree on).

/// Only on stable.
#[rustversion::stable]
pub const CHANNEL: &str = "stable";

/// Only on nightly.
#[rustversion::nightly]
pub const CHANNEL: &str = "nightly";

/// Only on beta.
#[rustversion::beta]
pub const CHANNEL: &str = "beta";

/// Since 1.70.
#[rustversion::since(1.70)]
pub fn modern() -> bool {
    true
}

/// Before 1.70.
#[rustversion::before(1.70)]
pub fn modern() -> bool {
    false
}

/// An attribute added conditionally.
#[rustversion::attr(since(1.60), derive(Debug, Clone))]
pub struct Config {
    pub level: u8,
}

/// A combination.
#[rustversion::any(all(stable, since(1.65)), nightly)]
pub fn combined() -> u8 {
    1
}

/// `not`.
#[rustversion::not(since(1.50))]
pub fn ancient() {}

/// A const fn only where it can be one.
#[rustversion::attr(since(1.61), const)]
pub fn twice(x: u32) -> u32 {
    x * 2
}
