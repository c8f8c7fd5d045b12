//! `macro-time PROFILE...`: for each rustc self-profile (`-Zself-profile`, the path of a
//! `.mm_profdata` file with or without its extension), prints the number of
//! `expand_proc_macro` events and the seconds they span in total. rustc opens that activity
//! around each proc-macro call (the bridge in both directions and the macro itself, not the
//! parse of its output), so the figure is the time spent "in the macro".

use std::path::Path;
use std::process::ExitCode;

use analyzeme::ProfilingData;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: macro-time PROFILE.mm_profdata...");
        return ExitCode::from(2);
    }
    for path in &paths {
        let stem = path.strip_suffix(".mm_profdata").unwrap_or(path);
        let data = match ProfilingData::new(Path::new(stem)) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("macro-time: cannot read the profile {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (mut count, mut nanos) = (0u64, 0u128);
        for event in data.iter_full() {
            if event.label == "expand_proc_macro" {
                if let Some(d) = event.duration() {
                    count += 1;
                    nanos += d.as_nanos();
                }
            }
        }
        println!("{count} {:.6} {path}", nanos as f64 / 1e9);
    }
    ExitCode::SUCCESS
}
