//! tracing's `#[instrument]` with fields, levels, skips, errors, async functions and methods.
use tracing::instrument;

/// A plain function.
#[instrument]
pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

/// With a level, a name, skipped and extra fields.
#[instrument(level = "debug", name = "load", skip(data), fields(len = data.len(), kind = "bytes"))]
pub fn load(path: &str, data: &[u8]) -> usize {
    tracing::info!(path, "loading");
    data.len()
}

/// Recording errors and return values.
#[instrument(err, ret)]
pub fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

/// An async function.
#[instrument(skip_all, fields(id = %id))]
pub async fn fetch(id: u64, body: Vec<u8>) -> Option<u8> {
    body.first().copied()
}

/// Methods, with `self` skipped and a target.
pub struct Service {
    pub name: String,
}

impl Service {
    #[instrument(skip(self), target = "svc", fields(service = %self.name))]
    pub fn handle(&self, request: u32) -> u32 {
        request + 1
    }

    #[instrument(name = "svc.start", skip_all, err(Display))]
    pub async fn start(&mut self) -> Result<(), String> {
        Ok(())
    }
}
