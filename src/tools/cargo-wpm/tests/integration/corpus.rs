//! The heavy-tier builder corpus (`tests/corpus/`, issue 17): widely used crates.io
//! proc-macro crates, built with `cargo wpm build NAME@VERSION` and compared with the
//! rustdoc oracle ([`corpus_builds`]), and for some of them a small user crate expanded with
//! the native crate and with a shim of the module, byte for byte ([`corpus_expansion`]).
//!
//! Both tests are `#[ignore]`d (an hour or more): `tests/corpus/run.sh` runs them.
//! `CORPUS_ONLY=name1,name2@version` runs a subset; `CORPUS_RESUME=1` reuses the rows of
//! crates already done by the same `cargo-wpm` binary (in `build/corpus/rows/`).
//! Results go to stdout and to `build/corpus/builds.md` / `build/corpus/expansion.md`
//! (`CORPUS_OUT` overrides the directory).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::support::{build, cache_dir, imports, inspect_json, manifest_decls, oracle_macros};

/// Which step a crate is expected to fail at (`xfail=` in `crates.txt`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    /// `cargo wpm build`.
    Build,
    /// Expanding the user crate with the shim.
    Expand,
}

/// One line of `tests/corpus/crates.txt`.
#[derive(Clone, Debug)]
struct Entry {
    /// Package name.
    name: String,
    /// Exact version.
    version: String,
    /// Extra features (`features=a,b`).
    features: Vec<String>,
    /// The user crate's directory under `tests/corpus/users/` (`user=DIR`).
    user: Option<String>,
    /// The step expected to fail, if any (`xfail=build|expand`).
    xfail: Option<Stage>,
    /// The note after `#`.
    note: String,
}

impl Entry {
    /// `name@version`.
    fn spec(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// `cargo wpm build` arguments besides the spec and `-o`.
    fn build_args(&self) -> Vec<String> {
        if self.features.is_empty() {
            Vec::new()
        } else {
            vec!["--features".into(), self.features.join(",")]
        }
    }

    /// The oracle's dependency value for this crate.
    fn dependency(&self) -> String {
        if self.features.is_empty() {
            format!("\"={}\"", self.version)
        } else {
            format!("{{ version = \"={}\", features = {:?} }}", self.version, self.features)
        }
    }
}

/// The checkout.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3).expect("checkout root").to_path_buf()
}

/// `tests/corpus/`.
fn corpus_dir() -> PathBuf {
    repo_root().join("tests").join("corpus")
}

/// Where results, logs, modules and scratch copies go: `$CORPUS_OUT`, else `build/corpus/`.
fn out_dir() -> PathBuf {
    let dir = std::env::var_os("CORPUS_OUT").map_or_else(|| repo_root().join("build").join("corpus"), PathBuf::from);
    fs::create_dir_all(&dir).expect("creating the corpus output directory");
    dir
}

/// Parses `crates.txt` (see its header for the format).
fn parse_corpus(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let (body, note) = line.split_once('#').map_or((line, ""), |(b, n)| (b, n.trim()));
        let mut words = body.split_whitespace();
        let Some(name) = words.next() else { continue };
        let version = words.next().unwrap_or_else(|| panic!("crates.txt:{}: no version", n + 1));
        let mut entry = Entry {
            name: name.to_owned(),
            version: version.to_owned(),
            features: Vec::new(),
            user: None,
            xfail: None,
            note: note.to_owned(),
        };
        for option in words {
            match option.split_once('=') {
                Some(("features", list)) => entry.features = list.split(',').map(str::to_owned).collect(),
                Some(("user", dir)) => entry.user = Some(dir.to_owned()),
                Some(("xfail", "build")) => entry.xfail = Some(Stage::Build),
                Some(("xfail", "expand")) => entry.xfail = Some(Stage::Expand),
                _ => panic!("crates.txt:{}: unknown option `{option}`", n + 1),
            }
        }
        entries.push(entry);
    }
    entries
}

/// The corpus, filtered by `CORPUS_ONLY` (names or `name@version`, comma-separated).
fn corpus() -> Vec<Entry> {
    let path = corpus_dir().join("crates.txt");
    let entries = parse_corpus(&fs::read_to_string(&path).expect("reading tests/corpus/crates.txt"));
    let only = std::env::var("CORPUS_ONLY").unwrap_or_default();
    let only: BTreeSet<&str> = only.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if only.is_empty() {
        return entries;
    }
    let picked: Vec<Entry> =
        entries.into_iter().filter(|e| only.contains(e.name.as_str()) || only.contains(e.spec().as_str())).collect();
    assert!(!picked.is_empty(), "CORPUS_ONLY={only:?} matches no crate of crates.txt");
    picked
}

/// A short, stable hash (FNV-1a, hex) of some bytes.
fn hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{h:016x}")
}

/// A key for everything the builder does: the hash of the `cargo-wpm` binary (which embeds
/// the guest library). Rows and modules of another binary are not reused.
fn tool_key() -> String {
    hash(&fs::read(env!("CARGO_BIN_EXE_cargo-wpm")).expect("reading the cargo-wpm binary"))
}

/// The syn major versions in the builder's resolved `Cargo.lock` for the crate: the crate's
/// direct syn dependencies (`1`, `2`, `1+2`), else the ones anywhere below it (`2*`), else `-`.
fn syn_majors(entry: &Entry) -> String {
    let lock = cache_dir().join("resolve").join(entry.spec()).join("Cargo.lock");
    let Ok(text) = fs::read_to_string(&lock) else { return "?".into() };
    // (name, version, dependencies) of each [[package]].
    let mut packages: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        let line = line.trim();
        let quoted = || line.split('"').nth(1).unwrap_or("").to_owned();
        if line == "[[package]]" {
            packages.push((String::new(), String::new(), Vec::new()));
            in_deps = false;
        } else if let Some(p) = packages.last_mut() {
            if line.starts_with("name = ") {
                p.0 = quoted();
            } else if line.starts_with("version = ") {
                p.1 = quoted();
            } else if line.starts_with("dependencies = [") {
                in_deps = true;
            } else if line.starts_with(']') {
                in_deps = false;
            } else if in_deps && line.starts_with('"') {
                p.2.push(quoted());
            }
        }
    }
    let syn_versions: Vec<&str> = packages.iter().filter(|p| p.0 == "syn").map(|p| p.1.as_str()).collect();
    let major = |v: &str| v.split('.').next().unwrap_or("?").to_owned();
    let join = |majors: BTreeSet<String>| majors.into_iter().collect::<Vec<_>>().join("+");
    // Build metadata is not part of the version's identity (`0.5.20+deprecated`).
    let same_version = |v: &str| v.split('+').next() == Some(entry.version.as_str());
    let Some(own) = packages.iter().find(|p| p.0 == entry.name && same_version(&p.1)) else { return "?".into() };
    let direct: BTreeSet<String> = own
        .2
        .iter()
        .filter_map(|d| match d.split_once(' ') {
            Some(("syn", v)) => Some(major(v)),
            None if d == "syn" => syn_versions.first().map(|v| major(v)),
            _ => None,
        })
        .collect();
    if !direct.is_empty() {
        return join(direct);
    }
    if syn_versions.is_empty() {
        return "-".into();
    }
    format!("{}*", join(syn_versions.iter().map(|v| major(v)).collect()))
}

/// The lines of `stderr` a user would read first: those starting with `error`, at most
/// two, joined, cut to 300 characters.
fn first_errors(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| l.starts_with("error")).take(2).collect();
    let text =
        if lines.is_empty() { stderr.lines().last().unwrap_or("(no output)").to_owned() } else { lines.join(" / ") };
    let mut text = text.replace('|', "\\|");
    if text.len() > 300 {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".into())
}

/// How one crate's check ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// Worked, as expected.
    Pass,
    /// Failed, as `xfail=` says.
    ExpectedFailure,
    /// Failed unexpectedly.
    Fail,
    /// Worked although `xfail=` says it should not.
    UnexpectedPass,
}

impl Outcome {
    /// From whether the check worked and whether it was expected to fail.
    fn of(worked: bool, expected_to_fail: bool) -> Outcome {
        match (worked, expected_to_fail) {
            (true, false) => Outcome::Pass,
            (false, true) => Outcome::ExpectedFailure,
            (false, false) => Outcome::Fail,
            (true, true) => Outcome::UnexpectedPass,
        }
    }

    /// Whether this outcome counts as passed.
    fn passed(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::ExpectedFailure)
    }

    /// The table's word for it.
    fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "ok",
            Outcome::ExpectedFailure => "expected failure",
            Outcome::Fail => "FAIL",
            Outcome::UnexpectedPass => "UNEXPECTED PASS (marked xfail)",
        }
    }

    /// Parses [`Outcome::word`].
    fn from_word(word: &str) -> Option<Outcome> {
        [Outcome::Pass, Outcome::ExpectedFailure, Outcome::Fail, Outcome::UnexpectedPass]
            .into_iter()
            .find(|o| o.word() == word)
    }
}

/// One table row: its cells, and the outcome.
struct Row {
    /// The cells, in the table's column order.
    cells: Vec<String>,
    /// The outcome.
    outcome: Outcome,
}

/// A markdown table with a header, the rows, and the closing `N passed, N failed`.
fn render(title: &str, header: &[&str], rows: &[Row], seconds: f64) -> String {
    let mut out = format!("## {title}\n\n| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.cells.join(" | "));
    }
    let passed = rows.iter().filter(|r| r.outcome.passed()).count();
    let expected = rows.iter().filter(|r| r.outcome == Outcome::ExpectedFailure).count();
    let _ =
        writeln!(out, "\n{} crates in {:.0} s; expected failures (counted as passed): {expected}", rows.len(), seconds);
    let result = header.iter().position(|h| *h == "result").expect("a result column");
    for row in rows.iter().filter(|r| !r.outcome.passed()) {
        let _ = writeln!(out, "failed: {} {} — {}", row.cells[0], row.cells[1], row.cells[result]);
    }
    let _ = writeln!(out, "{passed} passed, {} failed", rows.len() - passed);
    out
}

/// Prints the table, writes it to `out_dir()/file`, and fails the test if any row failed.
fn finish(file: &str, title: &str, header: &[&str], rows: &[Row], started: Instant) {
    let table = render(title, header, rows, started.elapsed().as_secs_f64());
    fs::write(out_dir().join(file), &table).expect("writing the results table");
    println!("\n{table}");
    let failed: Vec<&str> = rows.iter().filter(|r| !r.outcome.passed()).map(|r| r.cells[0].as_str()).collect();
    assert!(failed.is_empty(), "{} crate(s) did not behave as crates.txt says: {failed:?}", failed.len());
}

/// A row saved for `CORPUS_RESUME` (`CORPUS_RESUME=1`): `out_dir()/rows/<test>/<name>@<version>`
/// holds the tool key, then the outcome word, then the cells, one a line.
fn saved_row(test: &str, entry: &Entry, key: &str) -> Option<Row> {
    if std::env::var_os("CORPUS_RESUME").is_none_or(|v| v != "1") {
        return None;
    }
    let text = fs::read_to_string(out_dir().join("rows").join(test).join(entry.spec())).ok()?;
    let mut lines = text.lines();
    if lines.next()? != key {
        return None;
    }
    // Only rows that behaved as expected are reused: failures are tried again.
    let outcome = Outcome::from_word(lines.next()?).filter(|o| o.passed())?;
    Some(Row { outcome, cells: lines.map(str::to_owned).collect() })
}

/// Saves a row for [`saved_row`].
fn save_row(test: &str, entry: &Entry, key: &str, row: &Row) {
    let dir = out_dir().join("rows").join(test);
    fs::create_dir_all(&dir).expect("creating the rows directory");
    let text = format!("{key}\n{}\n{}\n", row.outcome.word(), row.cells.join("\n"));
    fs::write(dir.join(entry.spec()), text).expect("saving a row");
}

/// Where the module of `entry` built by this `cargo-wpm` is kept (for the expansion test).
fn module_path(entry: &Entry, key: &str) -> PathBuf {
    out_dir().join("modules").join(key).join(format!("{}-{}.wasm", entry.name, entry.version))
}

/// Builds one crate and checks its module: imports, manifest against the oracle. Returns
/// the row; keeps the module at [`module_path`] and the builder's stderr in `logs/`.
fn build_one(entry: &Entry, key: &str) -> Row {
    let args = entry.build_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let built = build(&entry.spec(), &format!("corpus-{}-{}", entry.name, entry.version), &args);
    let logs = out_dir().join("logs");
    fs::create_dir_all(&logs).expect("creating the logs directory");
    fs::write(logs.join(format!("{}.build.log", entry.spec())), &built.stderr).expect("writing the build log");
    let syn = syn_majors(entry);
    let (mut macros, mut size) = ("-".to_owned(), "-".to_owned());
    let checked: Result<(), String> = if built.success {
        size = fs::metadata(&built.output).map_or("?".into(), |m| m.len().to_string());
        let found = manifest_decls(&inspect_json(&built.output));
        macros = found.len().to_string();
        let bad_imports: Vec<String> = imports(&built.output)
            .into_iter()
            .filter(|(module, _, is_func)| module != "wpm-1" || !is_func)
            .map(|(module, name, _)| format!("{module}::{name}"))
            .collect();
        let dependency = entry.dependency();
        let oracle = std::panic::catch_unwind(|| oracle_macros(&entry.name, &dependency));
        match oracle {
            _ if !bad_imports.is_empty() => Err(format!("imports other than wpm-1 functions: {bad_imports:?}")),
            Err(payload) => Err(format!("the rustdoc oracle failed: {}", first_errors(&panic_message(&*payload)))),
            Ok(oracle) if oracle.is_empty() => Err("the oracle found no macros".into()),
            Ok(oracle) if oracle != found => Err(format!("manifest {found:?} differs from the oracle's {oracle:?}")),
            Ok(_) => Ok(()),
        }
    } else {
        Err(first_errors(&built.stderr))
    };
    if built.success {
        let kept = module_path(entry, key);
        fs::create_dir_all(kept.parent().expect("module dir")).expect("creating the module directory");
        fs::copy(&built.output, &kept).expect("keeping the module");
    }
    let outcome = Outcome::of(checked.is_ok(), entry.xfail == Some(Stage::Build));
    let result = match (&checked, outcome) {
        (Ok(()), Outcome::Pass) => "ok".to_owned(),
        (Ok(()), _) => format!("{}: built, but crates.txt says: {}", outcome.word(), entry.note),
        (Err(e), _) => format!("{}: {e}", outcome.word()),
    };
    let cells = vec![
        entry.name.clone(),
        entry.version.clone(),
        syn,
        macros,
        size,
        format!("{:.1} s", built.seconds),
        result,
        entry.note.replace('|', "\\|"),
    ];
    Row { cells, outcome }
}

/// Builds every crate of the corpus and compares each module's manifest with the oracle.
#[test]
#[ignore = "heavy tier: tests/corpus/run.sh"]
fn corpus_builds() {
    let started = Instant::now();
    let key = tool_key();
    let header = ["crate", "version", "syn", "macros", "module bytes", "build time", "result", "note"];
    let mut rows = Vec::new();
    let entries = corpus();
    for (i, entry) in entries.iter().enumerate() {
        let row = match saved_row("builds", entry, &key) {
            Some(row) => row,
            None => {
                let row = build_one(entry, &key);
                save_row("builds", entry, &key, &row);
                row
            }
        };
        println!("[corpus {}/{}] {}", i + 1, entries.len(), row.cells.join(" | "));
        rows.push(row);
    }
    finish("builds.md", "Builds (`cargo wpm build`, manifest vs rustdoc oracle)", &header, &rows, started);
}

/// Copies `from` into `to` recursively (skipping `target/`), writing only files whose
/// contents changed, so that Cargo's fingerprints stay fresh between runs.
fn sync_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("creating a copy of a user crate");
    for entry in fs::read_dir(from).expect("reading a user crate") {
        let entry = entry.expect("directory entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == "target" {
            continue;
        } else if src.is_dir() {
            sync_tree(&src, &dst);
        } else {
            let bytes = fs::read(&src).expect("reading a user crate file");
            if fs::read(&dst).ok().as_deref() != Some(&bytes[..]) {
                fs::write(&dst, bytes).expect("writing a user crate file");
            }
        }
    }
}

/// `cargo [--config patch] rustc --lib -- -Zunpretty=expanded` in `dir`: `Ok(stdout)` or
/// `Err(stderr)`. All user crates share one target directory.
fn expand(dir: &Path, patch: Option<(&str, &Path)>) -> Result<String, String> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir).env("RUSTC_BOOTSTRAP", "1").env("CARGO_TARGET_DIR", out_dir().join("target"));
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
        cmd.env_remove(var);
    }
    // `--config` before the subcommand: after it, `--` would hand it to rustc.
    if let Some((name, shim)) = patch {
        cmd.arg("--config").arg(format!("patch.crates-io.{name}.path={:?}", shim.to_string_lossy()));
    }
    cmd.args(["rustc", "--quiet", "--lib", "--", "-Zunpretty=expanded"]);
    let started = Instant::now();
    let out = cmd.output().expect("running cargo");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("[corpus] {:.1} s: {cmd:?}\n{stderr}", started.elapsed().as_secs_f64());
    if !out.status.success() {
        return Err(stderr);
    }
    if stderr.contains("was not used") {
        return Err(format!("the patch was not used: {}", first_errors(&stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Compares two expansions; on a difference writes both to `expansion-diff/` and describes
/// the first differing lines.
fn compare(what: &str, native: &str, wasm: &str) -> Result<(), String> {
    if native == wasm {
        return Ok(());
    }
    let dir = out_dir().join("expansion-diff");
    fs::create_dir_all(&dir).expect("creating the diff directory");
    let (a, b) = (dir.join(format!("{what}.native.rs")), dir.join(format!("{what}.wasm.rs")));
    fs::write(&a, native).expect("writing the native expansion");
    fs::write(&b, wasm).expect("writing the wasm expansion");
    let mut report = String::new();
    let (native_lines, wasm_lines): (Vec<&str>, Vec<&str>) = (native.lines().collect(), wasm.lines().collect());
    for n in 0..native_lines.len().max(wasm_lines.len()) {
        let (x, y) = (native_lines.get(n).copied().unwrap_or("<end>"), wasm_lines.get(n).copied().unwrap_or("<end>"));
        if x != y {
            let _ = write!(report, "line {}: native `{}` / wasm `{}`", n + 1, x.trim(), y.trim());
            break;
        }
    }
    eprintln!("[corpus] {what}: expansions differ; full files: {} {}", a.display(), b.display());
    Err(format!("expansions differ ({} vs {} lines); first difference: {report}", native_lines.len(), wasm_lines.len()))
}

/// Expands one user crate natively and with the shim of the crate's module; returns the
/// number of lines of the (equal) expansions, which it keeps in `expanded/`.
fn expand_one(entry: &Entry, user: &str, key: &str) -> Result<usize, String> {
    let source = corpus_dir().join("users").join(user);
    if !source.join("Cargo.toml").is_file() {
        return Err(format!("no user crate at {}", source.display()));
    }
    let module = module_path(entry, key);
    if !module.is_file() {
        let args = entry.build_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let built = build(&entry.spec(), &format!("corpus-{}-{}", entry.name, entry.version), &args);
        if !built.success {
            return Err(format!("the module does not build: {}", first_errors(&built.stderr)));
        }
        fs::create_dir_all(module.parent().expect("module dir")).expect("creating the module directory");
        fs::copy(&built.output, &module).expect("keeping the module");
    }
    let work = out_dir().join("users").join(user);
    let shim = work.join("shim");
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-wpm"))
        .args(["wpm", "shim"])
        .arg(&module)
        .arg("-o")
        .arg(&shim)
        .args(["--name", &entry.name, "--version", &entry.version])
        .output()
        .expect("running cargo-wpm shim");
    if !out.status.success() {
        return Err(format!("cargo wpm shim failed: {}", first_errors(&String::from_utf8_lossy(&out.stderr))));
    }
    let (native_dir, wasm_dir) = (work.join("native"), work.join("wasm"));
    sync_tree(&source, &native_dir);
    sync_tree(&source, &wasm_dir);
    let native = expand(&native_dir, None).map_err(|e| format!("the native expansion fails: {}", first_errors(&e)))?;
    if !source.join("Cargo.lock").is_file() {
        eprintln!(
            "[corpus] {user} has no Cargo.lock; the one resolved now is {}",
            native_dir.join("Cargo.lock").display()
        );
    }
    let wasm = expand(&wasm_dir, Some((&entry.name, &shim))).map_err(|e| first_errors(&e))?;
    let lock = fs::read_to_string(wasm_dir.join("Cargo.lock")).unwrap_or_default();
    let entry_text = format!("name = \"{}\"\nversion = \"{}\"\n", entry.name, entry.version);
    match lock.find(&entry_text) {
        Some(at) if !lock[at + entry_text.len()..].starts_with("source = ") => {}
        _ => return Err(format!("the wasm build did not use the shim of {} (see its Cargo.lock)", entry.spec())),
    }
    compare(user, &native, &wasm)?;
    let expanded = out_dir().join("expanded");
    fs::create_dir_all(&expanded).expect("creating the expansions directory");
    fs::write(expanded.join(format!("{user}.rs")), &native).expect("writing the expansion");
    Ok(native.lines().count())
}

/// Expansion equivalence: every crate with a user crate (`user=DIR`) expands it exactly
/// as the native crate does when swapped for a shim of its module.
#[test]
#[ignore = "heavy tier: tests/corpus/run.sh"]
fn corpus_expansion() {
    let started = Instant::now();
    let key = tool_key();
    let header = ["crate", "version", "user crate", "time", "result", "note"];
    let mut rows = Vec::new();
    let entries: Vec<Entry> = corpus().into_iter().filter(|e| e.user.is_some()).collect();
    for (i, entry) in entries.iter().enumerate() {
        let user = entry.user.as_deref().expect("filtered on user");
        let row = match saved_row("expansion", entry, &key) {
            Some(row) => row,
            None => {
                let t = Instant::now();
                let checked = expand_one(entry, user, &key);
                let outcome = Outcome::of(checked.is_ok(), entry.xfail.is_some());
                let result = match &checked {
                    Ok(lines) if outcome == Outcome::Pass => format!("ok: byte-equal, {lines} lines"),
                    Ok(_) => format!("{}: byte-equal, but crates.txt says: {}", outcome.word(), entry.note),
                    Err(e) => format!("{}: {e}", outcome.word()),
                };
                let time = format!("{:.1} s", t.elapsed().as_secs_f64());
                let cells = vec![
                    entry.name.clone(),
                    entry.version.clone(),
                    user.to_owned(),
                    time,
                    result,
                    entry.note.replace('|', "\\|"),
                ];
                let row = Row { cells, outcome };
                save_row("expansion", entry, &key, &row);
                row
            }
        };
        println!("[expansion {}/{}] {}", i + 1, entries.len(), row.cells.join(" | "));
        rows.push(row);
    }
    finish("expansion.md", "Expansion equivalence (native vs shim of the module)", &header, &rows, started);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The format of `crates.txt`, and the shipped file parses with at least 80 crates.
    #[test]
    fn crates_txt_parses() {
        let entries = parse_corpus(
            "a 1.0.0\n# c\nb-c 0.1.2 features=x,y user=b xfail=expand # why | not\n\n d 3.0.0 xfail=build\n",
        );
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].features, ["x", "y"]);
        assert_eq!(entries[1].user.as_deref(), Some("b"));
        assert_eq!(entries[1].xfail, Some(Stage::Expand));
        assert_eq!(entries[1].note, "why | not");
        assert_eq!(entries[1].dependency(), "{ version = \"=0.1.2\", features = [\"x\", \"y\"] }");
        assert_eq!(entries[2].xfail, Some(Stage::Build));
        let shipped = parse_corpus(&fs::read_to_string(corpus_dir().join("crates.txt")).expect("crates.txt"));
        assert!(shipped.len() >= 80, "{} crates", shipped.len());
        for entry in shipped.iter().filter_map(|e| e.user.as_ref()) {
            assert!(corpus_dir().join("users").join(entry).join("Cargo.toml").is_file(), "no user crate {entry}");
        }
    }
}
