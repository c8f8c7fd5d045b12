//! Syntax corners for the expansion comparison: raw and non-ASCII identifiers, literals of
//! every kind in attributes, doc comments, const generics, where clauses, nested generics,
//! attributes the derives must pass over, and items inside functions.

#![allow(non_camel_case_types)]

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Raw identifiers and a non-ASCII one.
#[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
pub struct r#Keywords {
    pub r#type: u8,
    pub r#match: Option<bool>,
    pub größe: u16,
    /// A doc comment with "quotes", \backslashes\ and a `code span`.
    #[doc = "and a second line"]
    pub documented: (),
}

/// Const generics, a lifetime bound and a nested generic in a where clause.
#[derive(Serialize, Debug)]
pub struct Matrix<'a, T: 'a + Serialize, const N: usize>
where
    Vec<Option<&'a T>>: Clone,
{
    pub rows: Vec<[u8; 2]>,
    #[serde(skip)]
    pub size: [(); N],
    pub refs: Vec<Option<&'a T>>,
}

/// Literals in attributes: byte strings, raw strings, escapes, numbers with suffixes.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename = "edge::Lits")]
pub struct Lits {
    #[serde(rename = "tab\tnewline\nquote\"unicode\u{1F600}")]
    pub a: i32,
    #[serde(rename = r#"raw "string""#)]
    pub b: i32,
    #[serde(default = "Lits::seven")]
    pub c: u64,
}

impl Lits {
    fn seven() -> u64 {
        0x7_u64
    }
}

/// An error whose messages use every kind of format argument.
#[derive(Error, Debug)]
pub enum Fancy<'a, T: std::fmt::Display> {
    /// Width, precision and fill.
    #[error("[{0:>8.3}] [{1:_<6}] {{literal braces}}")]
    Padded(f64, &'a str),
    /// A generic field displayed.
    #[error("value: {value}")]
    Generic { value: T },
}

/// Derives on items inside a function body and in a nested module.
pub fn local_items() -> String {
    #[derive(Serialize)]
    struct Local<'x> {
        inner: &'x str,
    }
    mod nested {
        #[derive(serde::Serialize)]
        pub enum E {
            #[serde(rename = "v")]
            V(#[serde(skip)] u8, u8),
        }
    }
    format!(
        "{}{}",
        serde_json::to_string(&Local { inner: "x" }).unwrap_or_default(),
        serde_json::to_string(&nested::E::V(1, 2)).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_behave() {
        let k = Keywords { r#type: 1, r#match: Some(true), größe: 3, documented: () };
        let text = serde_json::to_string(&k).unwrap();
        assert_eq!(text, r#"{"type":1,"match":true,"größe":3,"documented":null}"#);
        assert_eq!(serde_json::from_str::<Keywords>(&text).unwrap(), k);
        let m = Matrix::<u8, 2> { rows: vec![[1, 2], [3, 4]], size: [(); 2], refs: vec![Some(&5), None] };
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"rows":[[1,2],[3,4]],"refs":[5,null]}"#);
        let l = Lits { a: 1, b: 2, c: 3 };
        assert_eq!(serde_json::to_string(&l).unwrap(), r#"{"tab\tnewline\nquote\"unicode😀":1,"raw \"string\"":2,"c":3}"#);
        assert_eq!(serde_json::from_str::<Lits>(r#"{"raw \"string\"":2,"tab\tnewline\nquote\"unicode😀":1}"#).unwrap().c, 7);
        assert_eq!(Fancy::<u8>::Padded(3.14159, "ab").to_string(), "[   3.142] [ab____] {literal braces}");
        assert_eq!(Fancy::Generic { value: "g" }.to_string(), "value: g");
        assert_eq!(local_items(), r#"{"inner":"x"}{"v":[2]}"#);
    }
}
