//@ compare-native: fidelity=fidelity
//@ revisions: human json deny cap allow
//@[json] compile-flags: --error-format=json
//@[deny] compile-flags: -D warnings
//@[cap] compile-flags: --cap-lints allow
//@[allow] compile-flags: -A warnings
//@ exit: 0
//@[human] stderr-has: warning: a warning from the macro
//@[human] stderr-has: note: a note by itself
//@[human] stderr-has: help: a help by itself
//@[human] stderr-has: warning: derived with a warning
//@[json] stderr-has: "level":"warning"
//@[json] stderr-has: "message":"a help on the third token"
//@[deny] stderr-has: warning: a warning from the macro
//@[cap] stderr-lacks: warning: a warning from the macro
//@[cap] stderr-has: note: a note by itself
//@[allow] stderr-lacks: warning: a warning from the macro
//@ stdout-has: compiled
// Guest warnings, notes and helps are rustc diagnostics, as a native macro's: a warning
// with a note and a help as children at their spans, a note and a help on their own, a
// warning from a derive; in json output, under `-D warnings` (which, for a native macro
// too, leaves a proc macro's warning a warning: it is not a lint), `--cap-lints allow` and
// `-A warnings` (which silence warnings, not notes or helps).
use fidelity::{help_at, note_at, warn_at, Warns};

warn_at!(alpha beta gamma);
note_at!(delta);
help_at!(epsilon);

#[derive(Warns)]
struct Zeta;

fn main() {
    let _ = Zeta;
    println!("compiled");
}
