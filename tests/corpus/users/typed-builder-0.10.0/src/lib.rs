//! typed-builder 0.10 (syn 1): compile-time checked builders, defaults, `setter(into)`.
use typed_builder::TypedBuilder;

/// A request.
#[derive(Debug, TypedBuilder)]
pub struct Request {
    pub url: String,
    #[builder(default = 30)]
    pub timeout: u32,
    #[builder(default, setter(strip_option))]
    pub body: Option<Vec<u8>>,
    #[builder(setter(into))]
    pub method: String,
}

/// Generic, with the builder documented.
#[derive(Debug, TypedBuilder)]
#[builder(doc)]
pub struct Pair<A, B: Default> {
    pub a: A,
    #[builder(default)]
    pub b: B,
}

pub fn example() -> Request {
    Request::builder().url("http://x".to_owned()).method("GET").build()
}

pub fn pair() -> Pair<u8, String> {
    Pair::builder().a(1).build()
}
