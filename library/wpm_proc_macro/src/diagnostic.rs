//! `Diagnostic`: errors, warnings, notes and help messages sent to the host.

use wpm_abi::DiagnosticLevel;

use crate::{host, Span};

/// The severity of a [`Diagnostic`].
#[derive(Copy, Clone, Debug)]
#[non_exhaustive]
pub enum Level {
    /// An error.
    Error,
    /// A warning.
    Warning,
    /// A note.
    Note,
    /// A help message.
    Help,
}

impl Level {
    fn to_abi(self) -> DiagnosticLevel {
        match self {
            Level::Error => DiagnosticLevel::Error,
            Level::Warning => DiagnosticLevel::Warning,
            Level::Note => DiagnosticLevel::Note,
            Level::Help => DiagnosticLevel::Help,
        }
    }
}

/// Something that can be turned into the spans of a diagnostic.
pub trait MultiSpan {
    /// Converts `self` into a list of spans.
    fn into_spans(self) -> Vec<Span>;
}

impl MultiSpan for Span {
    fn into_spans(self) -> Vec<Span> {
        vec![self]
    }
}

impl MultiSpan for Vec<Span> {
    fn into_spans(self) -> Vec<Span> {
        self
    }
}

impl MultiSpan for &[Span] {
    fn into_spans(self) -> Vec<Span> {
        self.to_vec()
    }
}

/// A diagnostic message with optional children, emitted with [`Diagnostic::emit`].
#[derive(Clone, Debug)]
pub struct Diagnostic {
    level: Level,
    message: String,
    spans: Vec<Span>,
    children: Vec<Diagnostic>,
}

macro_rules! diagnostic_child_methods {
    ($spanned:ident, $regular:ident, $level:expr) => {
        /// Adds a child diagnostic with this level at the given spans.
        pub fn $spanned<S, T>(mut self, spans: S, message: T) -> Diagnostic
        where
            S: MultiSpan,
            T: Into<String>,
        {
            self.children.push(Diagnostic::spanned(spans, $level, message));
            self
        }

        /// Adds a child diagnostic with this level and no span.
        pub fn $regular<T: Into<String>>(mut self, message: T) -> Diagnostic {
            self.children.push(Diagnostic::new($level, message));
            self
        }
    };
}

/// Iterator over the children of a diagnostic.
#[derive(Debug, Clone)]
pub struct Children<'a>(std::slice::Iter<'a, Diagnostic>);

impl<'a> Iterator for Children<'a> {
    type Item = &'a Diagnostic;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl Diagnostic {
    /// A new diagnostic with no span.
    pub fn new<T: Into<String>>(level: Level, message: T) -> Diagnostic {
        Diagnostic { level, message: message.into(), spans: vec![], children: vec![] }
    }

    /// A new diagnostic at the given spans.
    pub fn spanned<S, T>(spans: S, level: Level, message: T) -> Diagnostic
    where
        S: MultiSpan,
        T: Into<String>,
    {
        Diagnostic { level, message: message.into(), spans: spans.into_spans(), children: vec![] }
    }

    diagnostic_child_methods!(span_error, error, Level::Error);
    diagnostic_child_methods!(span_warning, warning, Level::Warning);
    diagnostic_child_methods!(span_note, note, Level::Note);
    diagnostic_child_methods!(span_help, help, Level::Help);

    /// The level.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Sets the level.
    pub fn set_level(&mut self, level: Level) {
        self.level = level;
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Sets the message.
    pub fn set_message<T: Into<String>>(&mut self, message: T) {
        self.message = message.into();
    }

    /// The spans.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Sets the spans.
    pub fn set_spans<S: MultiSpan>(&mut self, spans: S) {
        self.spans = spans.into_spans();
    }

    /// The children.
    pub fn children(&self) -> Children<'_> {
        Children(self.children.iter())
    }

    /// Sends the diagnostic to the host: one `diagnostic` call for it, at its first span
    /// (the call site if it has none), then one per child in order.
    pub fn emit(self) {
        let span = self.spans.first().copied().unwrap_or_else(Span::call_site);
        host::diagnostic(self.level.to_abi(), span.handle, &self.message);
        for child in self.children {
            child.emit();
        }
    }
}
