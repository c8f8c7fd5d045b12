//@ compare-native: fidelity=fidelity
//@ revisions: human json deny cap
//@[json] compile-flags: --error-format=json
//@[deny] compile-flags: -D warnings
//@[cap] compile-flags: --cap-lints allow
//@ exit: 0
//@[human] stderr-has: warning: the probed tokens
//@[json] stderr-has: "message":"the probed tokens"
//@[deny] stderr-has: warning: the probed tokens
//@[cap] stderr-lacks: the probed tokens
//@ stdout-has: joined text Some("first + second\n    * (third, fourth)")
// `Span::join`, `Span::byte_range` and `Span::start`/`end` asked by the guest get rustc's
// answers: the same byte ranges, lines, columns and joined source text as the native macro,
// and its warning at the joined span (note at its start, help at its end) is rendered alike.
use fidelity::span_report;

span_report! { SEVERAL = first + second
    * (third, fourth) }

span_report! { ALONE = alone }

fn main() {
    println!("{SEVERAL}");
    println!("{ALONE}");
}
