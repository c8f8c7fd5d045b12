//! The expansion cache: a macro that already ran on the same input is not run again.
//!
//! A guest has no capabilities, so its output is a function of the module, the macro, the
//! request (attribute arguments and input, as wire tokens) and the answers the host gives
//! to its questions; the limits decide whether it fails. An entry is stored under a
//! SHA-256 key over the first three, the limits and the ABI version, and holds the output
//! plus the *transcript*: every host call the guest made, with its arguments and answer.
//! An entry is used only if asking the same questions of the current [`SpanServer`], in
//! the same order, gives the same answers; then the guest would do exactly what it did
//! before, so its stored output is what it would return now. Otherwise the guest runs and
//! the entry is overwritten.
//!
//! Spans: the request's handles are given out by the host in order of appearance, so the
//! same tokens give the same request bytes wherever they are in the file; where they are
//! matters only through the answers, which the transcript checks. Handles the guest got
//! from a host call (`edge`, `join`, `resolved_at`, `located_at`) are new in each run: the
//! replay asks the same call of the current server and maps the stored handle to the one
//! it answers, in later calls, in the output and in diagnostics.
//!
//! Only successful expansions are stored: a trap, a panic or a limit hit is never hidden
//! by a cache entry (the guest runs again, and fails again). Diagnostics the guest emitted
//! (and the host's note about suppressed ones) are calls of the transcript; a hit emits
//! them again, after the whole transcript has been checked.
//!
//! On disk: one file per key, `<cache root>/expansions/<key>` (one flat directory: creating
//! a directory costs far more than a file, and the size bound keeps the count moderate), written to a
//! temporary file (mode 0600) and renamed into place, so concurrent compilers never read
//! half an entry; read back through a checksum and the same validating decoder as guest
//! output, so a corrupt or truncated entry is a miss (and is rewritten), never trusted.
//! The directory is used only if private (`trust`). Its size is bounded: once past
//! [`DEFAULT_MAX_BYTES`] (or `WPM_EXPANSION_CACHE_MIB`), the least recently used entries
//! are deleted (a hit refreshes an entry's modification time when it is older than
//! [`MARK_INTERVAL`]).
//!
//! The cache also keeps each module's manifest (`manifests/<key>`, keyed by the module's
//! hash, the ABI version and the limits), written after a load that validated, compiled
//! and instantiated the module. A later load that finds it does not compile the module:
//! a process whose expansions all hit never compiles it at all (inside rustc.wasm, where
//! Pulley compiles for seconds, that is most of a warm build's macro time).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use wpm_abi::{tokens, DiagnosticLevel, Manifest, Request, SpanHandle, SpanLocation, TokenTree, ABI_VERSION};

use crate::config::Limits;
use crate::runs::{self, Piece};
use crate::spans::SpanServer;

/// Bumped whenever the key or the entry format changes.
const FORMAT: &[u8] = b"wpm-expansion-3\n";
/// The same for manifest records.
const MANIFEST_FORMAT: &[u8] = b"wpm-manifest-1\n";
/// The subdirectory of manifest records.
const MANIFESTS: &str = "manifests";
/// Touched after each trim: a process's first store trims only if this is older than
/// [`TRIM_INTERVAL`] (a trim stats every file, which a process that stores one expansion
/// should not pay every time).
const TRIM_MARKER: &str = ".last-trim";
/// See [`TRIM_MARKER`].
const TRIM_INTERVAL: Duration = Duration::from_secs(600);
/// A record used is marked so (its modification time set to now) only if it was last
/// marked longer ago than this: finer than trimming looks, and most hits of a build then
/// cost no write (a build that hits the same entries again within minutes is common).
const MARK_INTERVAL: Duration = TRIM_INTERVAL;

/// Default bound on the cache's total size.
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

/// Transcripts larger than this (in encoded bytes) are not stored: an expansion that
/// asks that much is cheaper to rerun than to check.
const MAX_TRANSCRIPT_BYTES: usize = 4 << 20;

/// Counts of what the cache did in this process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpansionStats {
    /// Expansions answered from the cache.
    pub hits: u64,
    /// Expansions that ran the guest (no entry, or an entry whose transcript differed).
    pub misses: u64,
    /// Entries written.
    pub stored: u64,
}

/// An expansion cache directory.
#[derive(Debug)]
pub(crate) struct ExpansionCache {
    dir: PathBuf,
    max_bytes: u64,
    log: bool,
    hits: AtomicU64,
    misses: AtomicU64,
    stored: AtomicU64,
    /// Bytes written since the last trim.
    written: AtomicU64,
    trimmed_once: AtomicBool,
}

/// Which form of an expansion's output a caller wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// The token trees, as the guest returned them.
    Trees,
    /// Prepared for rustc ([`runs::pieces`]).
    Pieces,
}

/// An expansion's output, in the form asked for.
#[derive(Debug)]
pub(crate) enum Output {
    /// See [`Want::Trees`].
    Trees(Vec<TokenTree>),
    /// See [`Want::Pieces`].
    Pieces(Vec<Piece>),
}

/// The 32-byte key of one expansion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key([u8; 32]);

impl Key {
    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl ExpansionCache {
    /// The cache in `dir` if it is private (else one warning and `None`).
    pub(crate) fn open(dir: PathBuf, max_bytes: u64, log: bool) -> Option<Self> {
        if let Err(why) = crate::trust::ensure_private_dir(&dir) {
            crate::trust::warn_untrusted(&dir, &why);
            return None;
        }
        Some(ExpansionCache {
            dir,
            max_bytes,
            log,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            written: AtomicU64::new(0),
            trimmed_once: AtomicBool::new(false),
        })
    }

    /// What the cache did so far.
    pub(crate) fn stats(&self) -> ExpansionStats {
        ExpansionStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            stored: self.stored.load(Ordering::Relaxed),
        }
    }

    /// The key of macro `index` of the module whose bytes hash to `module`, run on the
    /// encoded request `request` under `limits`.
    pub(crate) fn key(module: &[u8; 32], index: u32, limits: &Limits, request: &[u8]) -> Key {
        let mut h = Sha256::new();
        h.update(FORMAT);
        h.update(ABI_VERSION.to_le_bytes());
        h.update(module);
        h.update(index.to_le_bytes());
        hash_limits(&mut h, limits);
        h.update((request.len() as u64).to_le_bytes());
        h.update(request);
        Key(h.finalize().into())
    }

    fn path(&self, key: &Key) -> PathBuf {
        self.dir.join(key.hex())
    }

    /// The key of the manifest record of the module whose bytes hash to `module`.
    fn manifest_key(module: &[u8; 32], limits: &Limits) -> Key {
        let mut h = Sha256::new();
        h.update(MANIFEST_FORMAT);
        h.update(ABI_VERSION.to_le_bytes());
        h.update(module);
        hash_limits(&mut h, limits);
        Key(h.finalize().into())
    }

    fn manifest_path(&self, key: &Key) -> PathBuf {
        self.dir.join(MANIFESTS).join(key.hex())
    }

    /// The manifest stored for the module whose bytes hash to `module`, if its record is
    /// intact and decodes (the caller still checks it as it checks a guest's answer).
    pub(crate) fn manifest(&self, module: &[u8; 32], limits: &Limits) -> Option<Manifest> {
        let key = Self::manifest_key(module, limits);
        let path = self.manifest_path(&key);
        let record = Record::read(&path, self.max_bytes / 8)?;
        let manifest = Manifest::decode(unseal(MANIFEST_FORMAT, &key, &record.bytes)?).ok()?;
        record.mark_used(&path);
        Some(manifest)
    }

    /// Records the manifest of a module that loaded. Best effort, as [`Self::store`].
    pub(crate) fn store_manifest(&self, module: &[u8; 32], limits: &Limits, manifest: &Manifest) {
        let key = Self::manifest_key(module, limits);
        let _ = write_atomically(&self.manifest_path(&key), &seal(MANIFEST_FORMAT, &key, &manifest.encode()));
    }

    /// Answers an expansion from the cache: the stored output (handles mapped to the
    /// current server's) if the entry exists, decodes, and its transcript holds for
    /// `spans`; its diagnostics are then emitted to `spans`. `None` is a miss.
    pub(crate) fn lookup(
        &self,
        key: &Key,
        request: &Request,
        spans: &mut dyn SpanServer,
        what: &dyn Fn() -> String,
        want: Want,
    ) -> Option<Output> {
        let path = self.path(key);
        // Larger records are never stored (see `store`).
        let record = Record::read(&path, self.max_bytes / 8);
        let found = record.as_ref().and_then(|r| Entry::decode(key, &r.bytes, want));
        let output = found.and_then(|entry| entry.replay(request, spans));
        if let (Some(_), Some(record)) = (&output, &record) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            record.mark_used(&path);
            self.log("hit", what);
        } else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            self.log("miss", what);
        }
        output
    }

    /// Stores a successful expansion, its output as pieces. Best effort: a failure only
    /// means no entry.
    pub(crate) fn store(&self, key: &Key, transcript: &Transcript, pieces: &[Piece]) {
        if transcript.too_big {
            return;
        }
        let bytes = Entry::encode(key, &transcript.calls, pieces);
        if bytes.len() as u64 > self.max_bytes / 8 {
            return;
        }
        let path = self.path(key);
        if write_atomically(&path, &bytes).is_ok() {
            self.stored.fetch_add(1, Ordering::Relaxed);
            let written = self.written.fetch_add(bytes.len() as u64, Ordering::Relaxed) + bytes.len() as u64;
            // Trim on the first store of a process (unless some process trimmed within the
            // last TRIM_INTERVAL), then after each eighth of the bound.
            let first = !self.trimmed_once.swap(true, Ordering::Relaxed);
            if (first && trim_due(&self.dir)) || written > self.max_bytes / 8 {
                self.written.store(0, Ordering::Relaxed);
                trim(&self.dir, self.max_bytes);
                let _ = fs::write(self.dir.join(TRIM_MARKER), b"");
            }
        }
    }

    fn log(&self, what: &str, which: &dyn Fn() -> String) {
        if self.log {
            let s = self.stats();
            eprintln!("wpm: expansion cache {what}: {} ({} hits, {} misses so far)", which(), s.hits, s.misses);
        }
    }
}

/// Feeds every field of `limits` into `h`: keys differ whenever any limit does.
fn hash_limits(h: &mut Sha256, limits: &Limits) {
    for var in crate::config::LIMIT_VARS {
        h.update(var.value(limits).to_le_bytes());
    }
}

/// A record (entry or manifest) read through one open file, kept open to mark it used.
struct Record {
    file: fs::File,
    modified: Option<SystemTime>,
    bytes: Vec<u8>,
}

impl Record {
    /// The record at `path`, if it is a file of at most `limit` bytes that reads whole.
    /// One `open`, `fstat` and `read` (`fs::read` reads once more to see the end).
    fn read(path: &Path, limit: u64) -> Option<Record> {
        let mut file = fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > limit {
            return None;
        }
        let mut bytes = vec![0; usize::try_from(meta.len()).ok()?];
        file.read_exact(&mut bytes).ok()?;
        Some(Record { file, modified: meta.modified().ok(), bytes })
    }

    /// Marks the record used now (least recently used goes first when trimming), unless
    /// that was done within [`MARK_INTERVAL`]. Through the open file when the platform
    /// allows it (the owner may set times on a file opened for reading), else by path.
    fn mark_used(&self, path: &Path) {
        let recent = self.modified.and_then(|m| m.elapsed().ok()).is_some_and(|age| age < MARK_INTERVAL);
        if recent {
            return;
        }
        let now = SystemTime::now();
        if self.file.set_modified(now).is_err() {
            if let Ok(file) = fs::File::options().write(true).open(path) {
                let _ = file.set_modified(now);
            }
        }
    }
}

/// `format`, `key`, `body`, and the SHA-256 of all that: a record that [`unseal`] only
/// gives back intact and under the same key.
fn seal(format: &[u8], key: &Key, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(format.len() + 64 + body.len());
    out.extend_from_slice(format);
    out.extend_from_slice(&key.0);
    out.extend_from_slice(body);
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    out
}

/// The body of a record [`seal`]ed with `format` and `key`; `None` if it is damaged,
/// truncated, of another format or under another key.
fn unseal<'a>(format: &[u8], key: &Key, bytes: &'a [u8]) -> Option<&'a [u8]> {
    let (sealed, sum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
    if Sha256::digest(sealed).as_slice() != sum {
        return None;
    }
    sealed.strip_prefix(format)?.strip_prefix(&key.0[..])
}

/// Writes `bytes` to a temporary file beside `path` (mode 0600) and renames it into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-{}", crate::unique_tag()));
    let mut options = fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options.open(&tmp).and_then(|mut f| f.write_all(bytes)).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether no process trimmed `dir` within the last [`TRIM_INTERVAL`].
fn trim_due(dir: &Path) -> bool {
    let last = fs::metadata(dir.join(TRIM_MARKER)).and_then(|m| m.modified());
    last.map_or(true, |t| t.elapsed().map_or(true, |age| age >= TRIM_INTERVAL))
}

/// Deletes the least recently used entries and manifest records until the cache holds at
/// most three quarters of `max_bytes`, if it holds more than `max_bytes`. Also deletes the
/// `<2 hex>/` subdirectories of the layout before the flat one.
fn trim(dir: &Path, max_bytes: u64) {
    let mut entries = Vec::new();
    let mut total = 0u64;
    for sub in [dir.to_path_buf(), dir.join(MANIFESTS)] {
        for file in fs::read_dir(&sub).into_iter().flatten().flatten() {
            let Ok(meta) = file.metadata() else { continue };
            if meta.is_dir() {
                let name = file.file_name();
                if name.len() == 2 && name.to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_hexdigit())) {
                    let _ = fs::remove_dir_all(file.path());
                }
                continue;
            }
            if file.file_name() == TRIM_MARKER {
                continue;
            }
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            total += meta.len();
            entries.push((modified, meta.len(), file.path()));
        }
    }
    if total <= max_bytes {
        return;
    }
    entries.sort();
    for (_, len, path) in entries {
        if total <= max_bytes / 4 * 3 {
            break;
        }
        if fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

/// One host call of an expansion, with its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    SourceText(SpanHandle, Option<String>),
    File(SpanHandle, String),
    LocalFile(SpanHandle, Option<String>),
    Location(SpanHandle, SpanLocation, u32),
    Edge(SpanHandle, bool, SpanHandle),
    Join(SpanHandle, SpanHandle, Option<SpanHandle>),
    ResolvedAt(SpanHandle, SpanHandle, SpanHandle),
    LocatedAt(SpanHandle, SpanHandle, SpanHandle),
    Diagnostic(DiagnosticLevel, SpanHandle, String),
}

/// The calls of one expansion, recorded while the guest runs.
#[derive(Debug, Default)]
pub(crate) struct Transcript {
    calls: Vec<Call>,
    bytes: usize,
    too_big: bool,
}

impl Transcript {
    fn push(&mut self, call: Call) {
        if self.too_big {
            return;
        }
        self.bytes += 16
            + match &call {
                Call::SourceText(_, s) | Call::LocalFile(_, s) => s.as_ref().map_or(0, String::len),
                Call::File(_, s) | Call::Diagnostic(_, _, s) => s.len(),
                _ => 0,
            };
        if self.bytes > MAX_TRANSCRIPT_BYTES {
            self.too_big = true;
            self.calls = Vec::new();
        } else {
            self.calls.push(call);
        }
    }
}

/// A [`SpanServer`] that forwards to another and records every call in a [`Transcript`].
pub(crate) struct Recorder<'a> {
    inner: &'a mut dyn SpanServer,
    pub(crate) transcript: Transcript,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(inner: &'a mut dyn SpanServer) -> Self {
        Recorder { inner, transcript: Transcript::default() }
    }
}

impl SpanServer for Recorder<'_> {
    fn source_text(&mut self, span: SpanHandle) -> Option<String> {
        let answer = self.inner.source_text(span);
        self.transcript.push(Call::SourceText(span, answer.clone()));
        answer
    }
    fn file(&mut self, span: SpanHandle) -> String {
        let answer = self.inner.file(span);
        self.transcript.push(Call::File(span, answer.clone()));
        answer
    }
    fn local_file(&mut self, span: SpanHandle) -> Option<String> {
        let answer = self.inner.local_file(span);
        self.transcript.push(Call::LocalFile(span, answer.clone()));
        answer
    }
    fn location(&mut self, span: SpanHandle, which: SpanLocation) -> u32 {
        let answer = self.inner.location(span, which);
        self.transcript.push(Call::Location(span, which, answer));
        answer
    }
    fn edge(&mut self, span: SpanHandle, start: bool) -> SpanHandle {
        let answer = self.inner.edge(span, start);
        self.transcript.push(Call::Edge(span, start, answer));
        answer
    }
    fn join(&mut self, a: SpanHandle, b: SpanHandle) -> Option<SpanHandle> {
        let answer = self.inner.join(a, b);
        self.transcript.push(Call::Join(a, b, answer));
        answer
    }
    fn resolved_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle {
        let answer = self.inner.resolved_at(a, b);
        self.transcript.push(Call::ResolvedAt(a, b, answer));
        answer
    }
    fn located_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle {
        let answer = self.inner.located_at(a, b);
        self.transcript.push(Call::LocatedAt(a, b, answer));
        answer
    }
    fn diagnostic(&mut self, level: DiagnosticLevel, span: SpanHandle, message: &str) {
        self.inner.diagnostic(level, span, message);
        self.transcript.push(Call::Diagnostic(level, span, message.to_owned()));
    }
}

/// A decoded cache entry.
#[derive(Debug)]
struct Entry {
    calls: Vec<Call>,
    output: Output,
}

impl Entry {
    /// The transcript and the output as pieces, [`seal`]ed under `key`.
    fn encode(key: &Key, calls: &[Call], pieces: &[Piece]) -> Vec<u8> {
        let mut body = Vec::with_capacity(256);
        let mut transcript = Vec::new();
        for call in calls {
            encode_call(call, &mut transcript);
        }
        put_bytes(&mut body, &transcript);
        encode_pieces(pieces, &mut body);
        seal(FORMAT, key, &body)
    }

    /// The entry in `bytes`, if it is intact and belongs to `key`, with the output in the
    /// form wanted (trees are read back from the pieces: [`runs::trees`]).
    fn decode(key: &Key, bytes: &[u8], want: Want) -> Option<Entry> {
        let mut r = Reader(unseal(FORMAT, key, bytes)?);
        let mut transcript = Reader(r.bytes()?);
        let pieces = decode_pieces(&mut r, 0)?;
        if !r.0.is_empty() {
            return None;
        }
        let mut calls = Vec::new();
        while !transcript.0.is_empty() {
            calls.push(decode_call(&mut transcript)?);
        }
        let output = match want {
            Want::Trees => Output::Trees(runs::trees(pieces)?),
            Want::Pieces => Output::Pieces(pieces),
        };
        Some(Entry { calls, output })
    }

    /// Checks the transcript against `spans` and returns the output with its handles
    /// mapped, after emitting the stored diagnostics; `None` as soon as an answer differs.
    fn replay(self, request: &Request, spans: &mut dyn SpanServer) -> Option<Output> {
        if self.calls.is_empty() {
            // No question asked, no diagnostic: the output holds only reserved handles and
            // the request's, which the key fixes (numbered by first appearance). Most
            // derives are like this; nothing to check or map.
            return Some(self.output);
        }
        let mut known: HashSet<u32> = (0..SpanHandle::FIRST_DYNAMIC).collect();
        let mut collect = |trees: &[TokenTree]| {
            visit_spans(trees, &mut |h| {
                known.insert(h.0);
            });
        };
        if let Some(args) = &request.attr_args {
            collect(args);
        }
        collect(&request.input);
        let mut map = Handles { known, map: HashMap::new() };
        for call in &self.calls {
            let holds = match call {
                Call::SourceText(s, answer) => spans.source_text(map.get(*s)) == *answer,
                Call::File(s, answer) => spans.file(map.get(*s)) == *answer,
                Call::LocalFile(s, answer) => spans.local_file(map.get(*s)) == *answer,
                Call::Location(s, which, answer) => spans.location(map.get(*s), *which) == *answer,
                Call::Edge(s, start, answer) => map.answer(*answer, spans.edge(map.get(*s), *start)),
                Call::Join(a, b, answer) => match (answer, spans.join(map.get(*a), map.get(*b))) {
                    (Some(stored), Some(now)) => map.answer(*stored, now),
                    (None, None) => true,
                    _ => false,
                },
                Call::ResolvedAt(a, b, answer) => map.answer(*answer, spans.resolved_at(map.get(*a), map.get(*b))),
                Call::LocatedAt(a, b, answer) => map.answer(*answer, spans.located_at(map.get(*a), map.get(*b))),
                Call::Diagnostic(..) => true,
            };
            if !holds {
                return None;
            }
        }
        for call in &self.calls {
            if let Call::Diagnostic(level, span, message) = call {
                spans.diagnostic(*level, map.get(*span), message);
            }
        }
        let mut output = self.output;
        match &mut output {
            Output::Trees(trees) => map_spans(trees, &mut |h| map.get(h)),
            Output::Pieces(pieces) => runs::map_piece_spans(pieces, &mut |h| map.get(h)),
        }
        Some(output)
    }
}

/// Stored handles → the current server's, during a replay.
struct Handles {
    /// Handles whose meaning the stored run and this one share: the reserved ones and
    /// the request's.
    known: HashSet<u32>,
    /// Handles the stored run got from host calls → those this run got for the same calls.
    map: HashMap<u32, u32>,
}

impl Handles {
    fn get(&self, h: SpanHandle) -> SpanHandle {
        self.map.get(&h.0).map_or(h, |&now| SpanHandle(now))
    }

    /// Whether `now` answers a call that answered `stored` before: a known handle must
    /// come back as itself; a new one is mapped to `now`, once.
    fn answer(&mut self, stored: SpanHandle, now: SpanHandle) -> bool {
        if self.known.contains(&stored.0) {
            return stored == now;
        }
        match self.map.get(&stored.0) {
            Some(&earlier) => earlier == now.0,
            None => {
                self.map.insert(stored.0, now.0);
                true
            }
        }
    }
}

/// Calls `f` on every span handle in `trees`.
fn visit_spans(trees: &[TokenTree], f: &mut impl FnMut(SpanHandle)) {
    for tree in trees {
        match tree {
            TokenTree::Group(g) => {
                f(g.span);
                f(g.span_open);
                f(g.span_close);
                visit_spans(&g.stream, f);
            }
            TokenTree::Ident(i) => f(i.span),
            TokenTree::Punct(p) => f(p.span),
            TokenTree::Literal(l) => f(l.span),
        }
    }
}

/// Replaces every span handle in `trees` with `f(handle)`.
pub(crate) fn map_spans(trees: &mut [TokenTree], f: &mut impl FnMut(SpanHandle) -> SpanHandle) {
    for tree in trees {
        match tree {
            TokenTree::Group(g) => {
                g.span = f(g.span);
                g.span_open = f(g.span_open);
                g.span_close = f(g.span_close);
                map_spans(&mut g.stream, f);
            }
            TokenTree::Ident(i) => i.span = f(i.span),
            TokenTree::Punct(p) => p.span = f(p.span),
            TokenTree::Literal(l) => l.span = f(l.span),
        }
    }
}

// The transcript's encoding: a tag byte per call, little-endian u32s, length-prefixed
// strings, `Option`s as a presence byte.

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, u32::try_from(b.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(b);
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_bytes(out, s.as_bytes());
        }
        None => out.push(0),
    }
}

fn encode_call(call: &Call, out: &mut Vec<u8>) {
    match call {
        Call::SourceText(s, a) => {
            out.push(0);
            put_u32(out, s.0);
            put_opt_str(out, a.as_deref());
        }
        Call::File(s, a) => {
            out.push(1);
            put_u32(out, s.0);
            put_bytes(out, a.as_bytes());
        }
        Call::LocalFile(s, a) => {
            out.push(2);
            put_u32(out, s.0);
            put_opt_str(out, a.as_deref());
        }
        Call::Location(s, which, a) => {
            out.push(3);
            put_u32(out, s.0);
            put_u32(out, *which as u32);
            put_u32(out, *a);
        }
        Call::Edge(s, start, a) => {
            out.push(4);
            put_u32(out, s.0);
            out.push(u8::from(*start));
            put_u32(out, a.0);
        }
        Call::Join(x, y, a) => {
            out.push(5);
            put_u32(out, x.0);
            put_u32(out, y.0);
            put_u32(out, a.map_or(SpanHandle::NONE.0, |h| h.0));
        }
        Call::ResolvedAt(x, y, a) => {
            out.push(6);
            put_u32(out, x.0);
            put_u32(out, y.0);
            put_u32(out, a.0);
        }
        Call::LocatedAt(x, y, a) => {
            out.push(7);
            put_u32(out, x.0);
            put_u32(out, y.0);
            put_u32(out, a.0);
        }
        Call::Diagnostic(level, s, m) => {
            out.push(8);
            put_u32(out, *level as u32);
            put_u32(out, s.0);
            put_bytes(out, m.as_bytes());
        }
    }
}

/// A cursor over entry bytes; every read is bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn handle(&mut self) -> Option<SpanHandle> {
        self.u32().map(SpanHandle)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }
    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }
}

// Pieces: a count, then per piece a tag (0 run: its text; 1 trees: a wire stream; 2 group:
// its header as a one-group wire stream, then its pieces).

/// Deeper nesting of group pieces is refused when decoding (the wire stream's own bound).
const MAX_PIECE_NESTING: usize = tokens::MAX_NESTING;

fn encode_pieces(pieces: &[Piece], out: &mut Vec<u8>) {
    put_u32(out, u32::try_from(pieces.len()).unwrap_or(u32::MAX));
    for piece in pieces {
        match piece {
            Piece::Run(text) => {
                out.push(0);
                put_bytes(out, text.as_bytes());
            }
            Piece::Trees(trees) => {
                out.push(1);
                let mut stream = Vec::new();
                tokens::encode_stream(trees, &mut stream);
                put_bytes(out, &stream);
            }
            Piece::Group(g, inner) => {
                out.push(2);
                let header = wpm_abi::Group { stream: Vec::new(), ..g.clone() };
                let mut stream = Vec::new();
                tokens::encode_stream(&[TokenTree::Group(header)], &mut stream);
                put_bytes(out, &stream);
                encode_pieces(inner, out);
            }
        }
    }
}

/// Pieces as [`encode_pieces`] wrote them; trees go through the validating wire decoder.
/// (A run's text is checked by rustc's lexer when the adapter builds it.)
fn decode_pieces(r: &mut Reader<'_>, depth: usize) -> Option<Vec<Piece>> {
    if depth > MAX_PIECE_NESTING {
        return None;
    }
    let n = r.u32()? as usize;
    // Each piece takes at least five bytes: a count beyond that is damage, not a capacity.
    if n > r.0.len() / 5 {
        return None;
    }
    let mut pieces = Vec::with_capacity(n);
    for _ in 0..n {
        pieces.push(match r.u8()? {
            0 => Piece::Run(String::from_utf8(r.bytes()?.to_vec()).ok()?),
            1 => Piece::Trees(tokens::decode_stream(r.bytes()?).ok()?),
            2 => {
                let mut header = tokens::decode_stream(r.bytes()?).ok()?;
                let (Some(TokenTree::Group(g)), None) = (header.pop(), header.pop()) else { return None };
                if !g.stream.is_empty() {
                    return None;
                }
                Piece::Group(g, decode_pieces(r, depth + 1)?)
            }
            _ => return None,
        });
    }
    Some(pieces)
}

fn decode_call(r: &mut Reader<'_>) -> Option<Call> {
    Some(match r.u8()? {
        0 => Call::SourceText(r.handle()?, r.opt_string()?),
        1 => Call::File(r.handle()?, r.string()?),
        2 => Call::LocalFile(r.handle()?, r.opt_string()?),
        3 => Call::Location(r.handle()?, SpanLocation::from_u32(r.u32()?)?, r.u32()?),
        4 => Call::Edge(
            r.handle()?,
            match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            },
            r.handle()?,
        ),
        5 => {
            let (a, b, answer) = (r.handle()?, r.handle()?, r.handle()?);
            Call::Join(a, b, (answer != SpanHandle::NONE).then_some(answer))
        }
        6 => Call::ResolvedAt(r.handle()?, r.handle()?, r.handle()?),
        7 => Call::LocatedAt(r.handle()?, r.handle()?, r.handle()?),
        8 => Call::Diagnostic(DiagnosticLevel::from_u32(r.u32()?)?, r.handle()?, r.string()?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wpm_abi::{Ident, Punct, Spacing};

    fn ident(name: &str, span: u32) -> TokenTree {
        TokenTree::Ident(Ident { name: name.into(), is_raw: false, span: SpanHandle(span) })
    }

    /// Answers from a fixed line number; new handles count up from 100.
    struct Lines {
        line: u32,
        next: u32,
        diagnostics: Vec<(DiagnosticLevel, SpanHandle, String)>,
    }

    impl SpanServer for Lines {
        fn source_text(&mut self, _: SpanHandle) -> Option<String> {
            Some("x".into())
        }
        fn file(&mut self, _: SpanHandle) -> String {
            "a.rs".into()
        }
        fn local_file(&mut self, _: SpanHandle) -> Option<String> {
            None
        }
        fn location(&mut self, _: SpanHandle, _: SpanLocation) -> u32 {
            self.line
        }
        fn edge(&mut self, _: SpanHandle, _: bool) -> SpanHandle {
            self.next += 1;
            SpanHandle(self.next)
        }
        fn join(&mut self, _: SpanHandle, _: SpanHandle) -> Option<SpanHandle> {
            None
        }
        fn resolved_at(&mut self, a: SpanHandle, _: SpanHandle) -> SpanHandle {
            a
        }
        fn located_at(&mut self, a: SpanHandle, _: SpanHandle) -> SpanHandle {
            a
        }
        fn diagnostic(&mut self, level: DiagnosticLevel, span: SpanHandle, message: &str) {
            self.diagnostics.push((level, span, message.into()));
        }
    }

    fn lines(line: u32, next: u32) -> Lines {
        Lines { line, next, diagnostics: Vec::new() }
    }

    /// A stand-in guest: asks the line of its first token, takes an edge of it, warns,
    /// and returns `line_N` spanned by the edge.
    fn guest(request: &Request, spans: &mut dyn SpanServer) -> Vec<TokenTree> {
        let first = match &request.input[0] {
            TokenTree::Ident(i) => i.span,
            _ => SpanHandle::CALL_SITE,
        };
        let line = spans.location(first, SpanLocation::StartLine);
        let edge = spans.edge(first, true);
        spans.diagnostic(DiagnosticLevel::Warning, edge, "careful");
        vec![ident(&format!("line_{line}"), edge.0)]
    }

    fn request() -> Request {
        Request { attr_args: None, input: vec![ident("a", 3)] }
    }

    /// An entry as `store` writes it.
    fn encode(key: &Key, calls: &[Call], output: &[TokenTree]) -> Vec<u8> {
        Entry::encode(key, calls, &runs::pieces(output.to_vec()))
    }

    fn trees(output: Output) -> Vec<TokenTree> {
        match output {
            Output::Trees(trees) => trees,
            Output::Pieces(_) => panic!("trees were asked for"),
        }
    }

    fn run_recorded(spans: &mut dyn SpanServer) -> (Transcript, Vec<TokenTree>) {
        let mut recorder = Recorder::new(spans);
        let output = guest(&request(), &mut recorder);
        (recorder.transcript, output)
    }

    #[test]
    fn entries_round_trip_and_replay_with_handles_mapped() {
        let key = Key([7; 32]);
        let mut first = lines(10, 100);
        let (transcript, output) = run_recorded(&mut first);
        assert_eq!(output, vec![ident("line_10", 101)]);
        let bytes = encode(&key, &transcript.calls, &output);
        let entry = Entry::decode(&key, &bytes, Want::Trees).expect("decodes");
        assert_eq!(entry.calls, transcript.calls);

        // Same answers, other handle numbering: a hit, with the output and the
        // diagnostic on the handle this server gave out.
        let mut now = lines(10, 500);
        let replayed = trees(entry.replay(&request(), &mut now).expect("the transcript holds"));
        assert_eq!(replayed, vec![ident("line_10", 501)]);
        assert_eq!(now.diagnostics, vec![(DiagnosticLevel::Warning, SpanHandle(501), "careful".into())]);
        // And that is what a fresh run gives.
        assert_eq!(guest(&request(), &mut lines(10, 500)), replayed);

        // The pieces the entry keeps for the adapter are mapped the same way.
        let entry = Entry::decode(&key, &bytes, Want::Pieces).expect("decodes");
        match entry.replay(&request(), &mut lines(10, 500)) {
            Some(Output::Pieces(pieces)) => assert_eq!(pieces, vec![Piece::Trees(replayed)]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pieces_round_trip_through_an_entry() {
        let key = Key([7; 32]);
        let cs = |name: &str| ident(name, SpanHandle::CALL_SITE.0);
        let mut body: Vec<TokenTree> = (0..runs::MIN_RUN_TOKENS).map(|i| cs(&format!("t{i}"))).collect();
        body.push(ident("field", 3));
        let group = TokenTree::Group(wpm_abi::Group {
            delimiter: wpm_abi::Delimiter::Brace,
            span: SpanHandle(3),
            span_open: SpanHandle(3),
            span_close: SpanHandle(3),
            stream: body,
        });
        let output = vec![cs("impl"), group, cs("x")];
        let pieces = runs::pieces(output.clone());
        assert!(matches!(&pieces[1], Piece::Group(_, inner) if matches!(inner[0], Piece::Run(_))));
        let bytes = encode(&key, &[], &output);
        match Entry::decode(&key, &bytes, Want::Pieces).map(|e| e.output) {
            Some(Output::Pieces(decoded)) => assert_eq!(decoded, pieces),
            other => panic!("{other:?}"),
        }
        assert_eq!(Entry::decode(&key, &bytes, Want::Trees).map(|e| trees(e.output)), Some(output));
        // A sealed entry whose run is not what `write_run` writes: no trees (a miss); the
        // adapter, which lexes runs with rustc, refuses it at the call site.
        let bytes = Entry::encode(&key, &[], &[Piece::Run("( a ".into())]);
        assert!(Entry::decode(&key, &bytes, Want::Trees).is_none());
        // Pieces nested deeper than the wire's own bound are refused.
        let mut deep = Vec::new();
        put_u32(&mut deep, 0);
        for _ in 0..=MAX_PIECE_NESTING + 1 {
            let mut outer = Vec::new();
            put_u32(&mut outer, 1);
            outer.push(2);
            let mut header = Vec::new();
            tokens::encode_stream(&[TokenTree::Group(group_header())], &mut header);
            put_bytes(&mut outer, &header);
            outer.extend_from_slice(&deep);
            deep = outer;
        }
        assert!(decode_pieces(&mut Reader(&deep), 0).is_none());
    }

    fn group_header() -> wpm_abi::Group {
        wpm_abi::Group {
            delimiter: wpm_abi::Delimiter::Parenthesis,
            span: SpanHandle::CALL_SITE,
            span_open: SpanHandle::CALL_SITE,
            span_close: SpanHandle::CALL_SITE,
            stream: vec![],
        }
    }

    #[test]
    fn another_answer_is_a_miss_without_diagnostics() {
        let key = Key([7; 32]);
        let (transcript, output) = run_recorded(&mut lines(10, 100));
        let entry = Entry::decode(&key, &encode(&key, &transcript.calls, &output), Want::Trees).unwrap();
        let mut moved = lines(11, 100);
        assert!(entry.replay(&request(), &mut moved).is_none());
        assert!(moved.diagnostics.is_empty(), "a miss emits nothing: the guest will");
    }

    #[test]
    fn corrupt_truncated_or_foreign_entries_are_refused() {
        let key = Key([7; 32]);
        let (transcript, output) = run_recorded(&mut lines(10, 100));
        let bytes = encode(&key, &transcript.calls, &output);
        for at in [0, FORMAT.len() + 3, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(Entry::decode(&key, &bad, Want::Trees).is_none(), "flipped byte {at}");
        }
        for len in [0, 10, bytes.len() - 1] {
            assert!(Entry::decode(&key, &bytes[..len], Want::Pieces).is_none(), "truncated to {len}");
        }
        assert!(Entry::decode(&Key([8; 32]), &bytes, Want::Trees).is_none(), "another key's entry");
    }

    #[test]
    fn known_handles_must_come_back_as_themselves() {
        let mut h = Handles { known: (0..4).collect(), map: HashMap::new() };
        assert!(h.answer(SpanHandle(3), SpanHandle(3)));
        assert!(!h.answer(SpanHandle(3), SpanHandle(9)));
        assert!(h.answer(SpanHandle(50), SpanHandle(9)));
        assert_eq!(h.get(SpanHandle(50)), SpanHandle(9));
        assert!(!h.answer(SpanHandle(50), SpanHandle(10)), "one stored handle, two answers");
    }

    #[test]
    fn keys_cover_module_macro_limits_and_request() {
        let limits = Limits::default();
        let bytes = request().encode();
        let base = ExpansionCache::key(&[1; 32], 0, &limits, &bytes);
        assert_eq!(base, ExpansionCache::key(&[1; 32], 0, &limits, &bytes));
        assert_ne!(base, ExpansionCache::key(&[2; 32], 0, &limits, &bytes));
        assert_ne!(base, ExpansionCache::key(&[1; 32], 1, &limits, &bytes));
        let fewer = Limits { fuel: 5, ..limits };
        assert_ne!(base, ExpansionCache::key(&[1; 32], 0, &fewer, &bytes));
        let other = Request { attr_args: Some(vec![]), input: request().input }.encode();
        assert_ne!(base, ExpansionCache::key(&[1; 32], 0, &limits, &other));
        let punct = TokenTree::Punct(Punct { ch: b'+', spacing: Spacing::Alone, span: SpanHandle(3) });
        let changed = Request { attr_args: None, input: vec![punct] }.encode();
        assert_ne!(base, ExpansionCache::key(&[1; 32], 0, &limits, &changed));
    }

    #[test]
    fn oversized_transcripts_are_dropped() {
        let mut t = Transcript::default();
        let big = "x".repeat(MAX_TRANSCRIPT_BYTES);
        t.push(Call::File(SpanHandle(3), big));
        assert!(t.too_big && t.calls.is_empty());
        t.push(Call::File(SpanHandle(3), String::new()));
        assert!(t.calls.is_empty());
    }

    #[test]
    fn records_are_marked_used_only_when_stale() {
        let dir = std::env::temp_dir().join(format!("wpm-expansions-mark-{}", crate::unique_tag()));
        fs::create_dir_all(&dir).unwrap();
        let set_age = |path: &Path, age: Duration| {
            fs::File::options().write(true).open(path).unwrap().set_modified(SystemTime::now() - age).unwrap();
        };
        let age = |path: &Path| fs::metadata(path).unwrap().modified().unwrap().elapsed().unwrap_or_default();
        let (stale, recent) = (dir.join("stale"), dir.join("recent"));
        for path in [&stale, &recent] {
            fs::write(path, b"record").unwrap();
        }
        set_age(&stale, MARK_INTERVAL * 2);
        set_age(&recent, MARK_INTERVAL / 2);
        for path in [&stale, &recent] {
            let record = Record::read(path, 100).unwrap();
            assert_eq!(record.bytes, b"record");
            record.mark_used(path);
        }
        assert!(age(&stale) < MARK_INTERVAL / 4, "a stale record is marked used");
        assert!(age(&recent) >= MARK_INTERVAL / 2, "a recently marked one is left alone");
        assert!(Record::read(&stale, 5).is_none(), "records over the limit are not read");
        assert!(Record::read(&dir, 100).is_none() && Record::read(&dir.join("none"), 100).is_none());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn trim_drops_least_recent_entries_and_the_old_layout() {
        let dir = std::env::temp_dir().join(format!("wpm-expansions-trim-{}", crate::unique_tag()));
        fs::create_dir_all(dir.join("ab")).unwrap();
        fs::create_dir_all(dir.join(MANIFESTS)).unwrap();
        fs::write(dir.join("ab").join("old-layout-entry"), [0; 10]).unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        for (name, age) in [("older", old), ("newer", SystemTime::now())] {
            let path = dir.join(name);
            fs::write(&path, [0; 100]).unwrap();
            fs::File::options().write(true).open(&path).unwrap().set_modified(age).unwrap();
        }
        fs::write(dir.join(MANIFESTS).join("m"), [0; 10]).unwrap();
        assert!(trim_due(&dir));
        trim(&dir, 150);
        assert!(!dir.join("ab").exists(), "subdirectories of the old layout are deleted");
        assert!(!dir.join("older").exists() && dir.join("newer").exists());
        assert!(dir.join(MANIFESTS).join("m").exists());
        fs::write(dir.join(TRIM_MARKER), b"").unwrap();
        assert!(!trim_due(&dir), "a fresh marker defers the next process's trim");
        fs::remove_dir_all(&dir).unwrap();
    }
}
