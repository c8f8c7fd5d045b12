//! serde: container and field attributes, every enum shape and representation, generics,
//! borrowed lifetimes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field attributes: rename, default, skip, skip_serializing_if, flatten, alias.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    pub user_id: u64,
    #[serde(rename = "name")]
    pub display_name: String,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(skip)]
    pub session: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<String>,
    #[serde(alias = "mail")]
    pub email_address: Option<String>,
    #[serde(default = "default_quota")]
    pub quota: u32,
}

fn default_quota() -> u32 {
    100
}

/// Flattening a struct and a map into the parent.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Envelope {
    pub id: u32,
    #[serde(flatten)]
    pub meta: Meta,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Flattened into [`Envelope`].
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Meta {
    pub kind: String,
    pub version: u8,
}

/// Every variant shape, externally tagged (the default).
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub enum Shape {
    Unit,
    Newtype(u32),
    Tuple(i8, String),
    Struct { x: f64, y: f64 },
}

/// Internally tagged.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Started,
    Progress { percent: u8 },
    Finished { ok: bool, message: String },
}

/// Adjacently tagged.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "t", content = "c")]
pub enum Message {
    Ping,
    Text(String),
    Pair(u8, u8),
    Move { dx: i32, dy: i32 },
}

/// Untagged.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Text(String),
    List(Vec<Value>),
    Point { x: i32, y: i32 },
}

/// Generics with bounds and a where clause.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Page<T, M = ()>
where
    T: Clone,
{
    pub items: Vec<T>,
    pub next: Option<u32>,
    pub meta: M,
}

/// Borrowed data: lifetimes and `#[serde(borrow)]`.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Borrowed<'a> {
    pub name: &'a str,
    #[serde(borrow)]
    pub note: Cow<'a, str>,
}

/// Newtype, tuple and unit structs; `transparent`.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Meters(pub f32);

/// A tuple struct.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A unit struct.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Nothing;

/// Serialised as its only field.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(transparent)]
pub struct Wrapper {
    pub inner: Vec<u8>,
}

/// `rename_all` on variants, `other`, per-variant rename, `from`/`into`.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Level {
    VeryLow,
    High,
    #[serde(rename = "max!")]
    Maximum,
    #[serde(other)]
    Unknown,
}

/// Converted through [`Celsius`] on the wire.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
#[serde(from = "Celsius", into = "Celsius")]
pub struct Kelvin(pub f64);

/// The wire form of [`Kelvin`].
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
pub struct Celsius {
    pub celsius: f64,
}

impl From<Celsius> for Kelvin {
    fn from(c: Celsius) -> Self {
        Kelvin(c.celsius + 273.0)
    }
}

impl From<Kelvin> for Celsius {
    fn from(k: Kelvin) -> Self {
        Celsius { celsius: k.0 - 273.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{from_str, json, to_string};

    fn round_trip<T>(value: &T, expected: &str)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let text = to_string(value).unwrap();
        assert_eq!(text, expected);
        assert_eq!(&from_str::<T>(&text).unwrap(), value);
    }

    #[test]
    fn field_attributes() {
        let user = User {
            user_id: 7,
            display_name: "Ada".into(),
            is_admin: true,
            session: None,
            tags: vec![],
            email_address: Some("ada@example.org".into()),
            quota: 5,
        };
        round_trip(&user, r#"{"userId":7,"name":"Ada","isAdmin":true,"emailAddress":"ada@example.org","quota":5}"#);
        let err = from_str::<User>(r#"{"userId":1,"name":"B","session":null}"#).unwrap_err();
        assert_eq!(err.to_string(), "unknown field `session`, expected one of `userId`, `name`, `isAdmin`, `tags`, `emailAddress`, `mail`, `quota` at line 1 column 32");
        let parsed: User = from_str(r#"{"userId":1,"name":"B","mail":"b@x"}"#).unwrap();
        assert_eq!(parsed.email_address.as_deref(), Some("b@x"));
        assert!(!parsed.is_admin);
        assert_eq!(parsed.quota, 100);
        assert_eq!(parsed.session, None);
        let err = from_str::<User>(r#"{"name":"B"}"#).unwrap_err();
        assert_eq!(err.to_string(), "missing field `userId` at line 1 column 12");
    }

    #[test]
    fn flatten() {
        let mut extra = BTreeMap::new();
        extra.insert("colour".to_owned(), json!("red"));
        let env = Envelope { id: 3, meta: Meta { kind: "note".into(), version: 2 }, extra };
        round_trip(&env, r#"{"id":3,"kind":"note","version":2,"colour":"red"}"#);
    }

    #[test]
    fn externally_tagged() {
        round_trip(&Shape::Unit, r#""Unit""#);
        round_trip(&Shape::Newtype(5), r#"{"Newtype":5}"#);
        round_trip(&Shape::Tuple(-1, "t".into()), r#"{"Tuple":[-1,"t"]}"#);
        round_trip(&Shape::Struct { x: 1.5, y: -2.0 }, r#"{"Struct":{"x":1.5,"y":-2.0}}"#);
        let err = from_str::<Shape>(r#""Circle""#).unwrap_err();
        assert_eq!(err.to_string(), "unknown variant `Circle`, expected one of `Unit`, `Newtype`, `Tuple`, `Struct` at line 1 column 8");
    }

    #[test]
    fn internally_adjacently_untagged() {
        round_trip(&Event::Started, r#"{"type":"started"}"#);
        round_trip(&Event::Progress { percent: 50 }, r#"{"type":"progress","percent":50}"#);
        round_trip(&Event::Finished { ok: false, message: "x".into() }, r#"{"type":"finished","ok":false,"message":"x"}"#);
        round_trip(&Message::Ping, r#"{"t":"Ping"}"#);
        round_trip(&Message::Text("hi".into()), r#"{"t":"Text","c":"hi"}"#);
        round_trip(&Message::Pair(1, 2), r#"{"t":"Pair","c":[1,2]}"#);
        round_trip(&Message::Move { dx: -1, dy: 1 }, r#"{"t":"Move","c":{"dx":-1,"dy":1}}"#);
        round_trip(&Value::Int(4), "4");
        round_trip(&Value::Text("s".into()), r#""s""#);
        round_trip(&Value::List(vec![Value::Int(1), Value::Point { x: 1, y: 2 }]), r#"[1,{"x":1,"y":2}]"#);
        let err = from_str::<Value>("true").unwrap_err();
        assert_eq!(err.to_string(), "data did not match any variant of untagged enum Value");
    }

    #[test]
    fn generics_and_lifetimes() {
        round_trip(&Page::<u8> { items: vec![1, 2], next: Some(3), meta: () }, r#"{"items":[1,2],"next":3,"meta":null}"#);
        round_trip(&Page { items: vec!['a'], next: None, meta: "m".to_owned() }, r#"{"items":["a"],"next":null,"meta":"m"}"#);
        let text = r#"{"name":"borrowed","note":"also"}"#;
        let b: Borrowed<'_> = from_str(text).unwrap();
        assert_eq!(b.name, "borrowed");
        assert!(matches!(b.note, Cow::Borrowed("also")));
        assert_eq!(to_string(&b).unwrap(), text);
    }

    #[test]
    fn struct_shapes_and_conversions() {
        round_trip(&Meters(1.5), "1.5");
        round_trip(&Rgb(1, 2, 3), "[1,2,3]");
        round_trip(&Nothing, "null");
        round_trip(&Wrapper { inner: vec![9] }, "[9]");
        round_trip(&Level::VeryLow, r#""VERY-LOW""#);
        round_trip(&Level::Maximum, r#""max!""#);
        assert_eq!(from_str::<Level>(r#""whatever""#).unwrap(), Level::Unknown);
        round_trip(&Kelvin(300.0), r#"{"celsius":27.0}"#);
    }
}
