//! paste's `paste!` in items, expressions and macro_rules!, with case modifiers.
use paste::paste;

/// Generates getters and setters for fields.
macro_rules! accessors {
    ($name:ident { $($field:ident : $ty:ty),* }) => {
        pub struct $name { $($field: $ty),* }
        paste! {
            impl $name {
                $(
                    #[doc = "Gets `" $field "`."]
                    pub fn [<get_ $field>](&self) -> &$ty { &self.$field }
                    #[doc = "Sets `" $field "`."]
                    pub fn [<set_ $field>](&mut self, v: $ty) { self.$field = v; }
                )*
            }
        }
    };
}

accessors!(Point { x: i32, y: i32, label: String });

paste! {
    /// A constant with a pasted, upper-cased name.
    pub const [<MAX_ items:upper>]: usize = 16;
    /// A snake-cased function name.
    pub fn [<MakeThing:snake>]() -> u8 { 7 }
    /// A camel-cased type name.
    pub struct [<http_server:camel>];
}

/// Pasted identifiers in an expression.
pub fn total(p: &Point) -> i32 {
    paste! { p.[<get_ x>]() + p.[<get_ y>]() }
}

/// Pasted literals and lifetimes.
pub fn name() -> &'static str {
    paste!(stringify!([<loop _ 1>]))
}
