//! A loaded module: the manifest read at load time, and expansion in fresh instances.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use wasmtime::InstancePre;
use wpm_abi::{exports, tokens, DiagnosticLevel, Manifest, Request, SpanHandle, TokenTree, ABI_VERSION};

use crate::config::{Limits, ENV_DIAGNOSTIC_KIB, ENV_MAX_DIAGNOSTICS};
use crate::error::{HostError, MacroError};
use crate::expansions::{ExpansionCache, Output, Recorder, Want};
use crate::runs::{self, Piece};
use crate::runtime::Compiler;
use crate::session::Session;
use crate::spans::{NoSpans, SpanServer};
use crate::state::HostState;

/// How a module was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadInfo {
    /// `true` if the compiled code came from the on-disk cache.
    pub from_cache: bool,
    /// `false` if the manifest came from the expansion cache and the module was not
    /// compiled: it is compiled at the first expansion the cache cannot answer.
    pub compiled: bool,
    /// Wall time of the whole load (checks, compile or cache fetch, manifest read).
    pub load_time: Duration,
}

/// A module's compiled code: ready, or compiled when an expansion first needs it.
pub(crate) struct Code {
    pre: OnceLock<Result<InstancePre<HostState>, HostError>>,
    /// What compiling takes, when the load did not compile.
    source: Option<(Arc<Compiler>, Box<[u8]>)>,
}

impl Code {
    /// Code compiled at load.
    pub(crate) fn ready(pre: InstancePre<HostState>) -> Code {
        Code { pre: OnceLock::from(Ok(pre)), source: None }
    }

    /// Code to compile from `bytes` on first use.
    pub(crate) fn deferred(compiler: Arc<Compiler>, bytes: &[u8]) -> Code {
        Code { pre: OnceLock::new(), source: Some((compiler, bytes.into())) }
    }

    /// The instance template, compiling first if needed (once; a failure is remembered).
    fn get(&self, name: &str) -> Result<&InstancePre<HostState>, HostError> {
        let compiled = self.pre.get_or_init(|| match &self.source {
            Some((compiler, bytes)) => compiler.compile(name, bytes).map(|(pre, _)| pre),
            None => Err(HostError::module(name, "has no code to compile")),
        });
        compiled.as_ref().map_err(Clone::clone)
    }
}

/// A loaded module: its manifest and a pre-instantiated, ready-to-run instance template
/// (or what it takes to make one; see [`LoadInfo::compiled`]).
/// Cheap to share between threads (`Send + Sync`).
pub struct MacroModule {
    name: String,
    manifest: Manifest,
    code: Code,
    limits: Limits,
    info: LoadInfo,
    /// The expansion cache and the SHA-256 of the module's bytes, when caching is on.
    expansions: Option<(Arc<ExpansionCache>, [u8; 32])>,
}

impl std::fmt::Debug for MacroModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MacroModule")
            .field("name", &self.name)
            .field("manifest", &self.manifest)
            .field("limits", &self.limits)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl MacroModule {
    /// A module with a manifest already read and checked ([`read_manifest`]).
    pub(crate) fn new(
        name: &str,
        manifest: Manifest,
        code: Code,
        limits: Limits,
        info: LoadInfo,
        expansions: Option<(Arc<ExpansionCache>, [u8; 32])>,
    ) -> Self {
        MacroModule { name: name.to_owned(), manifest, code, limits, info, expansions }
    }

    /// The macros the module provides, in declaration order.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The file name (or the name given to `load_bytes`) used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The limits every expansion of this module is held to.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// How the module was loaded (cache hit, time taken).
    pub fn load_info(&self) -> LoadInfo {
        self.info
    }

    /// Whether the module's code is compiled: at load, or (when the load found its
    /// manifest on record) at the first expansion the expansion cache could not answer.
    pub fn is_compiled(&self) -> bool {
        self.code.pre.get().is_some_and(Result::is_ok)
    }

    /// Runs macro `macro_index` on `request` in a fresh instance, or answers from the
    /// expansion cache when the same expansion ran before and its span questions get the
    /// same answers now (then diagnostics it emitted are emitted again).
    ///
    /// # Errors
    /// `Err(HostError)` if `macro_index` is not in the manifest. `Ok(Err(MacroError))`
    /// when the macro itself fails (panic, trap, limits, malformed output): the message is
    /// meant for the macro's call site.
    pub fn expand(
        &self,
        macro_index: usize,
        request: &Request,
        spans: &mut dyn SpanServer,
    ) -> Result<Result<Vec<TokenTree>, MacroError>, HostError> {
        Ok(self.expand_as(macro_index, request, spans, Want::Trees)?.map(|output| match output {
            Output::Trees(trees) => trees,
            Output::Pieces(_) => unreachable!("trees were asked for"),
        }))
    }

    /// [`Self::expand`], with the output prepared for rustc ([`crate::pieces`]): what the
    /// adapter builds a token stream from. A cache hit gives the pieces stored with the
    /// entry, so runs are neither decoded token by token nor looked for again.
    ///
    /// # Errors
    /// As [`Self::expand`].
    pub fn expand_pieces(
        &self,
        macro_index: usize,
        request: &Request,
        spans: &mut dyn SpanServer,
    ) -> Result<Result<Vec<Piece>, MacroError>, HostError> {
        Ok(self.expand_as(macro_index, request, spans, Want::Pieces)?.map(|output| match output {
            Output::Pieces(pieces) => pieces,
            Output::Trees(_) => unreachable!("pieces were asked for"),
        }))
    }

    fn expand_as(
        &self,
        macro_index: usize,
        request: &Request,
        spans: &mut dyn SpanServer,
        want: Want,
    ) -> Result<Result<Output, MacroError>, HostError> {
        let count = self.manifest.macros.len();
        let Some(index) = u32::try_from(macro_index).ok().filter(|_| macro_index < count) else {
            return Err(HostError::module(
                &self.name,
                format!("has no macro number {macro_index}: its manifest declares {count}"),
            ));
        };
        let input = request.encode();
        let Some((cache, module)) = &self.expansions else {
            let result = self.run(self.code.get(&self.name)?, index, &input, spans);
            return Ok(result.map(|trees| match want {
                Want::Trees => Output::Trees(trees),
                Want::Pieces => Output::Pieces(runs::pieces(trees)),
            }));
        };
        let key = ExpansionCache::key(module, index, &self.limits, &input);
        let what = || format!("{} `{}`", self.name, self.manifest.macros[macro_index].name);
        if let Some(output) = cache.lookup(&key, request, spans, &what, want) {
            return Ok(Ok(output));
        }
        let pre = self.code.get(&self.name)?;
        let mut recorder = Recorder::new(spans);
        let result = self.run(pre, index, &input, &mut recorder);
        Ok(result.map(|trees| match want {
            Want::Trees => {
                cache.store(&key, &recorder.transcript, &runs::pieces(trees.clone()));
                Output::Trees(trees)
            }
            Want::Pieces => {
                let pieces = runs::pieces(trees);
                cache.store(&key, &recorder.transcript, &pieces);
                Output::Pieces(pieces)
            }
        }))
    }

    fn run(
        &self,
        pre: &InstancePre<HostState>,
        index: u32,
        input: &[u8],
        spans: &mut dyn SpanServer,
    ) -> Result<Vec<TokenTree>, MacroError> {
        let mut session = Session::new(pre, spans, self.limits)?;
        let result = (|| {
            let ptr = session.write_input(input)?;
            let len = input.len() as u32; // write_input checked that it fits
            let packed: u64 = session.call(exports::EXPAND, (index, ptr, len))?;
            let bytes = session.output(exports::EXPAND, packed)?;
            tokens::decode_stream(bytes).map_err(MacroError::MalformedOutput)
        })();
        let suppressed = session.suppressed_diagnostics();
        drop(session);
        if suppressed > 0 {
            spans.diagnostic(DiagnosticLevel::Note, SpanHandle::CALL_SITE, &suppressed_note(suppressed, &self.limits));
        }
        result
    }
}

/// The one note that stands for the diagnostics an expansion's budget dropped.
fn suppressed_note(count: u64, limits: &Limits) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!(
        "{count} more diagnostic{s} from this macro suppressed: it may emit {} diagnostics with {} KiB of \
         messages (set by the {ENV_MAX_DIAGNOSTICS} and {ENV_DIAGNOSTIC_KIB} environment variables)",
        limits.diagnostics,
        limits.diagnostic_bytes >> 10
    )
}

/// Calls `wpm_abi_version` and `wpm_manifest` once, in a throwaway instance, and checks
/// the answer ([`check_manifest`]).
pub(crate) fn read_manifest(name: &str, pre: &InstancePre<HostState>, limits: Limits) -> Result<Manifest, HostError> {
    let fail = |what: &str, e: MacroError| HostError::module(name, format!("{what} failed: {e}"));
    let mut spans = NoSpans;
    let mut session = Session::new(pre, &mut spans, limits).map_err(|e| fail("instantiation", e))?;
    let version: u32 = session.call(exports::ABI_VERSION, ()).map_err(|e| fail(exports::ABI_VERSION, e))?;
    if version != ABI_VERSION {
        return Err(HostError::module(
            name,
            format!("was built for wpm ABI version {version}; this host supports version {ABI_VERSION}"),
        ));
    }
    let packed: u64 = session.call(exports::MANIFEST, ()).map_err(|e| fail(exports::MANIFEST, e))?;
    let bytes = session.output(exports::MANIFEST, packed).map_err(|e| fail(exports::MANIFEST, e))?;
    let manifest = Manifest::decode(bytes).map_err(|e| HostError::module(name, format!("has a bad manifest: {e}")))?;
    check_manifest(name, &manifest, version)?;
    Ok(manifest)
}

/// Checks what a manifest says against the ABI version the module reported, and that
/// no macro or helper attribute has an empty name.
pub(crate) fn check_manifest(name: &str, manifest: &Manifest, version: u32) -> Result<(), HostError> {
    if manifest.abi_version != version {
        return Err(HostError::module(
            name,
            format!(
                "has a bad manifest: it says ABI version {} but `{}` returned {version}",
                manifest.abi_version,
                exports::ABI_VERSION
            ),
        ));
    }
    if let Some(m) = manifest.macros.iter().find(|m| m.name.is_empty()) {
        return Err(HostError::module(
            name,
            format!("has a bad manifest: a {} macro has an empty name", m.kind.as_str()),
        ));
    }
    if let Some(m) = manifest.macros.iter().find(|m| m.helpers.iter().any(String::is_empty)) {
        return Err(HostError::module(
            name,
            format!(
                "has a bad manifest: {} macro `{}` has a helper attribute with an empty name",
                m.kind.as_str(),
                m.name
            ),
        ));
    }
    Ok(())
}
