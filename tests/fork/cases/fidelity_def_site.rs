//@ compare-native: fidelity=fidelity
//@ exit: 0
//@ stdout-has: 1 2
// An item named at `Span::def_site()` is hygienic: the caller's own `helper` does not clash
// with the macro's (with def site = mixed site, as on the shim path, this is E0428).
use fidelity::def_site_helper;

def_site_helper!();

fn helper() -> u32 {
    2
}

fn main() {
    println!("{} {}", from_macro(), helper());
}
