//! strum's derives on enums.
use strum::{AsRefStr, Display, EnumCount, EnumIter, EnumString, IntoStaticStr, VariantNames};

/// Colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Display, EnumString, EnumIter, EnumCount, AsRefStr, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum Color {
    Red,
    #[strum(serialize = "grn", serialize = "green")]
    Green,
    DarkBlue,
    #[strum(disabled)]
    Hidden,
}

/// Shapes with data.
#[derive(Debug, Display, EnumString, strum::EnumDiscriminants)]
#[strum_discriminants(name(ShapeKind), derive(EnumIter))]
pub enum Shape {
    #[strum(to_string = "circle of {radius}")]
    Circle { radius: u32 },
    Square(u32),
    #[strum(default)]
    Other(String),
}

/// Properties and messages.
#[derive(strum::EnumMessage, strum::EnumProperty, strum::EnumIs)]
pub enum Level {
    #[strum(message = "all good", props(code = "0"))]
    Ok,
    #[strum(message = "bad", detailed_message = "something went wrong")]
    Error,
}
