//! displaydoc's `Display` from doc comments.
use displaydoc::Display;

/// Errors of a parser.
#[derive(Display, Debug)]
pub enum ParseError {
    /// unexpected end of input
    Eof,
    /// unexpected token `{0}` at {1}
    Unexpected(char, usize),
    /// invalid number {value:?} in field {field}
    Number { field: String, value: String },
    /// io error: {0:?}
    Io(std::io::Error),
}

/// connection to {host}:{port} refused
#[derive(Display, Debug)]
pub struct Refused {
    pub host: String,
    pub port: u16,
}

/// A generic wrapper: {0}
#[derive(Display)]
pub struct Labelled<T: std::fmt::Display>(pub T);

/// An ignored-extra-lines doc.
///
/// This paragraph is not part of the message.
#[derive(Display)]
#[ignore_extra_doc_attributes]
pub struct Quiet;
