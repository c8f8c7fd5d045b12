//! serde's derives on structs, enums and generics, with field and container attributes.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A user record.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    pub user_id: u64,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(rename = "tags")]
    pub labels: Vec<String>,
    #[serde(skip)]
    pub cached: bool,
}

/// Internally tagged events.
#[derive(Serialize, Deserialize, Debug)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    Created { id: u64 },
    Renamed(String, String),
    Deleted,
    #[serde(other)]
    Unknown,
}

/// Untagged values.
#[derive(Serialize, Deserialize, Debug)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Text(String),
    List(Vec<Value>),
}

/// A generic wrapper with a borrowed field and a flattened map.
#[derive(Serialize, Deserialize, Debug)]
#[serde(bound(deserialize = "T: Deserialize<'de> + Default"))]
pub struct Envelope<'a, T> {
    #[serde(borrow)]
    pub source: &'a str,
    #[serde(default)]
    pub payload: T,
    #[serde(flatten)]
    pub extra: BTreeMap<String, String>,
}

/// A newtype and a unit struct.
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
#[serde(transparent)]
pub struct Meters(pub f64);

/// A unit struct.
#[derive(Serialize, Deserialize)]
pub struct Marker;

/// Remote derive through `with`.
#[derive(Serialize, Deserialize)]
pub struct Timed {
    #[serde(with = "secs")]
    pub timeout: std::time::Duration,
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
        u64::deserialize(d).map(std::time::Duration::from_secs)
    }
}
