//! `TokenStream`: a shared, copy-on-write vector of token trees.
//!
//! Cloning is a reference-count bump (rustc's streams are `Arc<Vec<_>>`; ours are `Rc`, which
//! also keeps the type `!Send` like the real one). Appending to a stream nobody else holds
//! mutates it in place.

use std::fmt;
use std::rc::Rc;
use std::str::FromStr;

use crate::{Group, Ident, LexError, Literal, Punct, TokenTree};

/// An abstract sequence of token trees: the input and output of every procedural macro.
#[derive(Clone, Default)]
pub struct TokenStream(pub(crate) Option<Rc<Vec<TokenTree>>>);

impl TokenStream {
    /// An empty stream.
    pub fn new() -> TokenStream {
        TokenStream(None)
    }

    /// Whether the stream has no token trees.
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|v| v.is_empty())
    }

    /// Expands macros in an expression; needs the compiler, which a guest does not have.
    pub fn expand_expr(&self) -> Result<TokenStream, ExpandError> {
        crate::unsupported("TokenStream::expand_expr")
    }

    pub(crate) fn from_vec(trees: Vec<TokenTree>) -> TokenStream {
        if trees.is_empty() {
            TokenStream(None)
        } else {
            TokenStream(Some(Rc::new(trees)))
        }
    }

    /// The trees, without copying.
    pub(crate) fn trees(&self) -> &[TokenTree] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// The trees as an owned vector; copies only if the stream is shared.
    pub(crate) fn into_vec(self) -> Vec<TokenTree> {
        match self.0 {
            None => Vec::new(),
            Some(rc) => Rc::try_unwrap(rc).unwrap_or_else(|rc| (*rc).clone()),
        }
    }

    fn vec_mut(&mut self) -> &mut Vec<TokenTree> {
        Rc::make_mut(self.0.get_or_insert_with(|| Rc::new(Vec::new())))
    }
}

/// Error returned by `TokenStream::expand_expr`.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExpandError;

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("macro expansion failed")
    }
}

impl std::error::Error for ExpandError {}

impl FromStr for TokenStream {
    type Err = LexError;

    /// Lexes Rust source into tokens, all spanning the call site. Doc comments become
    /// `#[doc = "..."]` attributes.
    fn from_str(src: &str) -> Result<TokenStream, LexError> {
        crate::lexer::lex(src).map(TokenStream::from_vec).map_err(LexError::new)
    }
}

impl fmt::Display for TokenStream {
    /// Prints the stream as rustc's token pretty-printer does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::print::trees_to_string(self.trees()))
    }
}

impl fmt::Debug for TokenStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenStream ")?;
        f.debug_list().entries(self.clone()).finish()
    }
}

impl From<TokenTree> for TokenStream {
    fn from(tree: TokenTree) -> TokenStream {
        TokenStream(Some(Rc::new(vec![tree])))
    }
}

impl FromIterator<TokenTree> for TokenStream {
    fn from_iter<I: IntoIterator<Item = TokenTree>>(trees: I) -> Self {
        TokenStream::from_vec(trees.into_iter().collect())
    }
}

impl FromIterator<TokenStream> for TokenStream {
    fn from_iter<I: IntoIterator<Item = TokenStream>>(streams: I) -> Self {
        let mut out = TokenStream::new();
        out.extend(streams);
        out
    }
}

impl Extend<TokenTree> for TokenStream {
    fn extend<I: IntoIterator<Item = TokenTree>>(&mut self, trees: I) {
        let mut iter = trees.into_iter().peekable();
        if iter.peek().is_some() {
            self.vec_mut().extend(iter);
        }
    }
}

impl Extend<TokenStream> for TokenStream {
    fn extend<I: IntoIterator<Item = TokenStream>>(&mut self, streams: I) {
        for stream in streams {
            let Some(other) = stream.0 else { continue };
            if self.is_empty() {
                // Share rather than copy when appending to nothing.
                self.0 = Some(other);
                continue;
            }
            match Rc::try_unwrap(other) {
                Ok(v) => self.vec_mut().extend(v),
                Err(rc) => self.vec_mut().extend(rc.iter().cloned()),
            }
        }
    }
}

macro_rules! extend_items {
    ($($item:ident)*) => {$(
        impl Extend<$item> for TokenStream {
            fn extend<T: IntoIterator<Item = $item>>(&mut self, iter: T) {
                self.extend(iter.into_iter().map(TokenTree::$item));
            }
        }
    )*};
}
extend_items!(Group Literal Punct Ident);

/// Iteration over a `TokenStream`'s trees.
pub mod token_stream {
    use crate::{TokenStream, TokenTree};

    /// An iterator over a stream's trees. Shallow: groups come out whole.
    #[derive(Clone)]
    pub struct IntoIter(std::vec::IntoIter<TokenTree>);

    impl Iterator for IntoIter {
        type Item = TokenTree;

        fn next(&mut self) -> Option<TokenTree> {
            self.0.next().map(|mut t| {
                t.clear_hidden();
                t
            })
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            self.0.size_hint()
        }

        fn count(self) -> usize {
            self.0.count()
        }
    }

    impl IntoIterator for TokenStream {
        type Item = TokenTree;
        type IntoIter = IntoIter;

        fn into_iter(self) -> IntoIter {
            IntoIter(self.into_vec().into_iter())
        }
    }
}
