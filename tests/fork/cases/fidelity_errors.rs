//@ compare-native: fidelity=fidelity
//@ revisions: human json cap
//@[json] compile-flags: --error-format=json
//@[cap] compile-flags: --cap-lints allow
//@ exit: 1
//@[human] stderr-has: error: an error from the macro
//@[human] stderr-has: note: a note on the second token
//@[json] stderr-has: "level":"error"
//@[cap] stderr-has: error: an error from the macro
//@ stderr-lacks: error_at:
//@ stderr-lacks: E0425
// A guest error is a rustc error at its span with its note, not a `compile_error!` named
// after the macro (`error_at: ...`): the macro's output is still used (`error_output`
// resolves: no E0425), `--cap-lints allow` does not silence it, and the error count is
// rustc's own.
use fidelity::error_at;

error_at!(one two);

fn main() {
    error_output();
}
