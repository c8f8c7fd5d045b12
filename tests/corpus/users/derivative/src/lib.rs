//! derivative's derives with per-field behaviour.
use derivative::Derivative;

/// Custom Debug, Default, PartialEq and Hash.
#[derive(Derivative)]
#[derivative(Debug, Default, PartialEq, Hash, Clone)]
pub struct Account {
    pub id: u64,
    #[derivative(Debug = "ignore", PartialEq = "ignore", Hash = "ignore")]
    pub password: String,
    #[derivative(Default(value = "3"))]
    pub retries: u8,
    #[derivative(Debug(format_with = "fmt_balance"))]
    pub balance: i64,
}

fn fmt_balance(v: &i64, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(f, "{}.{:02}", v / 100, v % 100)
}

/// Bounds on generics.
#[derive(Derivative)]
#[derivative(Debug(bound = ""), Clone(bound = ""), Copy(bound = ""), Eq(bound = ""), PartialEq(bound = ""))]
pub struct Id<T> {
    pub raw: u32,
    marker: std::marker::PhantomData<fn() -> T>,
}

/// Enums and default variants.
#[derive(Derivative)]
#[derivative(Debug, Default, PartialEq, Eq, Clone)]
pub enum State {
    #[derivative(Default)]
    Idle,
    Busy(u32),
    Done { code: i32 },
}
