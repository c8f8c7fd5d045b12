//! A loaded module: the manifest read at load time, and expansion in fresh instances.

use std::time::Duration;

use wasmtime::InstancePre;
use wpm_abi::{exports, tokens, DiagnosticLevel, Manifest, Request, SpanHandle, TokenTree, ABI_VERSION};

use crate::config::{Limits, ENV_DIAGNOSTIC_KIB, ENV_MAX_DIAGNOSTICS};
use crate::error::{HostError, MacroError};
use crate::expansions::{ExpansionCache, Recorder};
use crate::session::Session;
use crate::spans::{NoSpans, SpanServer};
use crate::state::HostState;

/// How a module was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadInfo {
    /// `true` if the compiled code came from the on-disk cache.
    pub from_cache: bool,
    /// Wall time of the whole load (checks, compile or cache fetch, manifest read).
    pub load_time: Duration,
}

/// A loaded module: its manifest and a pre-instantiated, ready-to-run instance template.
/// Cheap to share between threads (`Send + Sync`).
pub struct MacroModule {
    name: String,
    manifest: Manifest,
    pre: InstancePre<HostState>,
    limits: Limits,
    info: LoadInfo,
    /// The expansion cache and the SHA-256 of the module's bytes, when caching is on.
    expansions: Option<(std::sync::Arc<ExpansionCache>, [u8; 32])>,
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
    /// Calls `wpm_abi_version` and `wpm_manifest` once, in a throwaway instance.
    pub(crate) fn new(
        name: &str,
        pre: InstancePre<HostState>,
        limits: Limits,
        info: LoadInfo,
        expansions: Option<(std::sync::Arc<ExpansionCache>, [u8; 32])>,
    ) -> Result<Self, HostError> {
        let manifest = read_manifest(name, &pre, limits)?;
        Ok(MacroModule { name: name.to_owned(), manifest, pre, limits, info, expansions })
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
        let count = self.manifest.macros.len();
        let Some(index) = u32::try_from(macro_index).ok().filter(|_| macro_index < count) else {
            return Err(HostError::module(
                &self.name,
                format!("has no macro number {macro_index}: its manifest declares {count}"),
            ));
        };
        let input = request.encode();
        let Some((cache, module)) = &self.expansions else { return Ok(self.run(index, &input, spans)) };
        let key = ExpansionCache::key(module, index, &self.limits, &input);
        let what = || format!("{} `{}`", self.name, self.manifest.macros[macro_index].name);
        if let Some(output) = cache.lookup(&key, request, spans, &what) {
            return Ok(Ok(output));
        }
        let mut recorder = Recorder::new(spans);
        let result = self.run(index, &input, &mut recorder);
        if let Ok(output) = &result {
            cache.store(&key, &recorder.transcript, output);
        }
        Ok(result)
    }

    fn run(&self, index: u32, input: &[u8], spans: &mut dyn SpanServer) -> Result<Vec<TokenTree>, MacroError> {
        let mut session = Session::new(&self.pre, spans, self.limits)?;
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

fn read_manifest(name: &str, pre: &InstancePre<HostState>, limits: Limits) -> Result<Manifest, HostError> {
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
    Ok(manifest)
}
