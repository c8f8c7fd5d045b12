// The programs the example picker offers; the first is what a new visitor sees.

export const EXAMPLES = [
  {
    name: "Hello, world",
    crates: [],
    code: `fn main() {
    let name = "WebAssembly";
    println!("Hello from rustc running in {name}!");
    let squares: Vec<u32> = (1..=5).map(|n| n * n).collect();
    println!("squares: {squares:?}");
}
`,
  },
  {
    name: "serde_json round trip (derive)",
    crates: ["serde", "serde_json"],
    code: `use serde::{Deserialize, Serialize};

// The derives run as a WebAssembly module, sandboxed inside the compiler.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Crate {
    name: String,
    downloads: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<String>,
}

fn main() {
    let serde = Crate { name: "serde".into(), downloads: 700_000_000, keywords: vec!["derive".into()] };
    let json = serde_json::to_string(&serde).unwrap();
    println!("{json}");
    let back: Crate = serde_json::from_str(&json).unwrap();
    assert_eq!(back, serde);
    println!("round trip ok: {back:?}");
}
`,
  },
  {
    name: "thiserror",
    crates: ["thiserror"],
    code: `use thiserror::Error;

#[derive(Error, Debug)]
enum ConfigError {
    #[error("missing key \`{0}\`")]
    Missing(String),
    #[error("value {value} is out of range {min}..={max}")]
    Range { value: i64, min: i64, max: i64 },
}

fn check(value: i64) -> Result<i64, ConfigError> {
    if (0..=10).contains(&value) { Ok(value) } else { Err(ConfigError::Range { value, min: 0, max: 10 }) }
}

fn main() {
    println!("{}", ConfigError::Missing("port".into()));
    match check(42) {
        Ok(v) => println!("ok {v}"),
        Err(e) => println!("error: {e}"),
    }
}
`,
  },
  {
    name: "A type error",
    crates: [],
    code: `fn double(x: i32) -> i32 {
    x * 2
}

fn main() {
    let n: i32 = double("four");
    println!("{n}");
}
`,
  },
];
