//! Round-trips a value through JSON with derives from `serde_derive`, which `wpm-rustc`
//! provides from a wasm module; prints the JSON and the value read back.

use serde_derive::{Deserialize, Serialize};

/// A struct with renamed and defaulted fields.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
struct Order {
    order_id: u32,
    #[serde(default)]
    rush: bool,
    items: Vec<Item>,
}

/// An internally tagged enum.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "kind")]
enum Item {
    Book { title: String },
    Gift,
}

fn main() {
    let order = Order { order_id: 7, rush: false, items: vec![Item::Book { title: "Dune".into() }, Item::Gift] };
    let json = serde_json::to_string(&order).unwrap_or_default();
    println!("{json}");
    let back: Result<Order, _> = serde_json::from_str(r#"{"order-id":7,"items":[{"kind":"Book","title":"Dune"},{"kind":"Gift"}]}"#);
    println!("{}", back.map(|b| b == order).unwrap_or(false));
}
