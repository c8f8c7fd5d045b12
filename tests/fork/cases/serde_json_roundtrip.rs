//@ run-pass
//@ wasm-proc-macro: serde_derive=serde_derive
//@ aux: serde serde_json
// serde's derives from a wasm module, on serde and serde_json built by the fork.
use serde_derive::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Order {
    order_id: u64,
    customer: Customer,
    lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    status: Status,
    payment: Payment,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Customer {
    name: String,
    #[serde(rename = "e-mail")]
    email: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Line {
    sku: String,
    qty: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Status {
    Open,
    Shipped { carrier: String },
    Cancelled(Reason),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Payment {
    Card { last4: String },
    Cash,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Reason {
    OutOfStock,
    Customer(String),
}

fn main() {
    let order = Order {
        order_id: 42,
        customer: Customer { name: "Ada".into(), email: "ada@example.org".into() },
        lines: vec![Line { sku: "A-1".into(), qty: 2 }, Line { sku: "B-7".into(), qty: 1 }],
        note: None,
        status: Status::Shipped { carrier: "post".into() },
        payment: Payment::Card { last4: "4242".into() },
    };
    let json = serde_json::to_string(&order).unwrap();
    println!("{json}");
    let back: Order = serde_json::from_str(&json).unwrap();
    assert_eq!(back, order);
    let cancelled: Order = serde_json::from_str(
        r#"{"orderId":1,"customer":{"name":"Bob","e-mail":"b@x"},"lines":[],"note":"late",
            "status":{"Cancelled":{"Customer":"changed mind"}},"payment":{"type":"cash"}}"#,
    )
    .unwrap();
    println!("{cancelled:?}");
    let err = serde_json::from_str::<Order>(r#"{"orderId":"x"}"#).unwrap_err();
    println!("error: {err}");
}
