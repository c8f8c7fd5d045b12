//! The host functions of module `wpm-1`: every import a guest may use, dispatched to the
//! expansion's [`crate::SpanServer`] from this one place.
//!
//! Every pointer and length from the guest is checked against its memory; a bad one traps
//! with a [`GuestFault`] naming the import, never a host panic. Every call is paid for from
//! the expansion's budget before the host does the work (see [`charge`]): fuel per call and
//! per byte copied, a span handle per span it creates, a place among the diagnostics kept.

use std::fmt;

use wasmtime::{Caller, Linker, Trap};
use wpm_abi::{imports, DiagnosticLevel, SpanHandle, SpanLocation, IMPORT_MODULE};

use crate::config::{ENV_FUEL, ENV_MAX_SPAN_HANDLES};
use crate::spans::SpanServer;
use crate::state::{HostState, MAX_PANIC_MESSAGE};

/// The guest broke the ABI in a host call (bad pointer, bad enum value...). Traps.
#[derive(Debug)]
pub(crate) struct GuestFault(pub(crate) String);

impl fmt::Display for GuestFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GuestFault {}

fn fault<T>(import: &str, msg: impl fmt::Display) -> wasmtime::Result<T> {
    Err(wasmtime::Error::new(GuestFault(format!("{IMPORT_MODULE}::{import}: {msg}"))))
}

type Cx<'a> = Caller<'a, HostState>;

/// Defines all host functions in `linker`, one per entry of `wpm_abi::signatures::IMPORTS`
/// and with its type (tested below).
pub(crate) fn define(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    let m = IMPORT_MODULE;
    linker.func_wrap(m, imports::SPAN_SOURCE_TEXT, |mut c: Cx<'_>, span: u32, ptr: u32, cap: u32| {
        charge(&mut c, 0)?;
        let text = spans(&mut c, imports::SPAN_SOURCE_TEXT)?.source_text(SpanHandle(span));
        write_text(&mut c, imports::SPAN_SOURCE_TEXT, text.as_deref(), ptr, cap)
    })?;
    linker.func_wrap(m, imports::SPAN_FILE, |mut c: Cx<'_>, span: u32, ptr: u32, cap: u32| {
        charge(&mut c, 0)?;
        let text = spans(&mut c, imports::SPAN_FILE)?.file(SpanHandle(span));
        write_text(&mut c, imports::SPAN_FILE, Some(&text), ptr, cap)
    })?;
    linker.func_wrap(m, imports::SPAN_LOCAL_FILE, |mut c: Cx<'_>, span: u32, ptr: u32, cap: u32| {
        charge(&mut c, 0)?;
        let text = spans(&mut c, imports::SPAN_LOCAL_FILE)?.local_file(SpanHandle(span));
        write_text(&mut c, imports::SPAN_LOCAL_FILE, text.as_deref(), ptr, cap)
    })?;
    linker.func_wrap(m, imports::SPAN_LOCATION, |mut c: Cx<'_>, span: u32, which: u32| {
        let Some(which) = SpanLocation::from_u32(which) else {
            return fault(imports::SPAN_LOCATION, format_args!("unknown location kind {which}"));
        };
        charge(&mut c, 0)?;
        Ok(spans(&mut c, imports::SPAN_LOCATION)?.location(SpanHandle(span), which))
    })?;
    linker.func_wrap(m, imports::SPAN_EDGE, |mut c: Cx<'_>, span: u32, start: u32| {
        let start = match start {
            0 => false,
            1 => true,
            _ => return fault(imports::SPAN_EDGE, format_args!("`start` must be 0 or 1, not {start}")),
        };
        new_span(&mut c)?;
        Ok(spans(&mut c, imports::SPAN_EDGE)?.edge(SpanHandle(span), start).0)
    })?;
    linker.func_wrap(m, imports::SPAN_JOIN, |mut c: Cx<'_>, a: u32, b: u32| {
        new_span(&mut c)?;
        let joined = spans(&mut c, imports::SPAN_JOIN)?.join(SpanHandle(a), SpanHandle(b));
        Ok(joined.unwrap_or(SpanHandle::NONE).0)
    })?;
    linker.func_wrap(m, imports::SPAN_RESOLVED_AT, |mut c: Cx<'_>, a: u32, b: u32| {
        new_span(&mut c)?;
        Ok(spans(&mut c, imports::SPAN_RESOLVED_AT)?.resolved_at(SpanHandle(a), SpanHandle(b)).0)
    })?;
    linker.func_wrap(m, imports::SPAN_LOCATED_AT, |mut c: Cx<'_>, a: u32, b: u32| {
        new_span(&mut c)?;
        Ok(spans(&mut c, imports::SPAN_LOCATED_AT)?.located_at(SpanHandle(a), SpanHandle(b)).0)
    })?;
    linker.func_wrap(m, imports::DIAGNOSTIC, |mut c: Cx<'_>, level: u32, span: u32, ptr: u32, len: u32| {
        let Some(level) = DiagnosticLevel::from_u32(level) else {
            return fault(imports::DIAGNOSTIC, format_args!("unknown diagnostic level {level}"));
        };
        // Checked before the charge, so a bad pointer is a fault even when the budget is
        // spent; the message is copied only if it will be passed on.
        guest_range(&mut c, imports::DIAGNOSTIC, "message", ptr, len)?;
        charge(&mut c, len as usize)?;
        let budget = &mut c.data_mut().budget;
        if budget.diagnostics == 0 || len as usize > budget.diagnostic_bytes {
            budget.suppressed += 1;
            return Ok(());
        }
        budget.diagnostics -= 1;
        budget.diagnostic_bytes -= len as usize;
        let bytes = read_guest(&mut c, imports::DIAGNOSTIC, "message", ptr, len)?;
        let msg = String::from_utf8_lossy(&bytes);
        spans(&mut c, imports::DIAGNOSTIC)?.diagnostic(level, SpanHandle(span), &msg);
        Ok(())
    })?;
    linker.func_wrap(m, imports::PANIC, |mut c: Cx<'_>, ptr: u32, len: u32| {
        let kept = len.min(MAX_PANIC_MESSAGE as u32);
        charge(&mut c, kept as usize)?;
        let bytes = read_guest(&mut c, imports::PANIC, "message", ptr, kept)?;
        let mut msg = String::from_utf8_lossy(&bytes).into_owned();
        if len as usize > MAX_PANIC_MESSAGE {
            msg.push_str(" [...]");
        }
        c.data_mut().panic_message = Some(msg);
        Ok(())
    })?;
    Ok(())
}

/// Takes the cost of one host call that copies `bytes` from the expansion's fuel. Running
/// out is reported exactly like running out in guest code.
fn charge(c: &mut Cx<'_>, bytes: usize) -> wasmtime::Result<()> {
    let cost = c.data().budget.call_fuel.saturating_add(bytes as u64);
    pay(c, cost)
}

/// Takes `cost` units from the expansion's fuel.
fn pay(c: &mut Cx<'_>, cost: u64) -> wasmtime::Result<()> {
    let left = c.get_fuel()?;
    if left < cost {
        c.set_fuel(0)?;
        c.data_mut().budget.exhausted = Some(ENV_FUEL);
        return Err(wasmtime::Error::new(Trap::OutOfFuel));
    }
    c.set_fuel(left - cost)
}

/// Charges a call that may create a span handle, and takes one from the span-handle budget.
fn new_span(c: &mut Cx<'_>) -> wasmtime::Result<()> {
    charge(c, 0)?;
    let budget = &mut c.data_mut().budget;
    if budget.span_handles == 0 {
        budget.exhausted = Some(ENV_MAX_SPAN_HANDLES);
        return fault("span", "the span-handle limit is reached");
    }
    budget.span_handles -= 1;
    Ok(())
}

fn spans<'a>(c: &'a mut Cx<'_>, import: &str) -> wasmtime::Result<&'a mut dyn SpanServer> {
    match c.data_mut().spans() {
        Some(s) => Ok(s),
        None => fault(import, "called outside an expansion"),
    }
}

/// Checks that `[ptr, ptr + len)` lies in guest memory and returns it as a `usize` range.
fn guest_range(
    c: &mut Cx<'_>,
    import: &str,
    what: &str,
    ptr: u32,
    len: u32,
) -> wasmtime::Result<std::ops::Range<usize>> {
    let Some(memory) = c.data().memory else { return fault(import, "the module has no memory") };
    let size = memory.data_size(&mut *c);
    let end = u64::from(ptr) + u64::from(len);
    if end > size as u64 {
        return fault(import, format_args!("{what} at {ptr:#x}..+{len} lies outside guest memory ({size} bytes)"));
    }
    // Both fit in usize: they are at most `size`.
    Ok(ptr as usize..end as usize)
}

fn read_guest(c: &mut Cx<'_>, import: &str, what: &str, ptr: u32, len: u32) -> wasmtime::Result<Vec<u8>> {
    let range = guest_range(c, import, what, ptr, len)?;
    let Some(memory) = c.data().memory else { return fault(import, "the module has no memory") };
    match memory.data(&*c).get(range) {
        Some(bytes) => Ok(bytes.to_vec()),
        None => fault(import, format_args!("{what} lies outside guest memory")),
    }
}

/// Implements the text-returning convention: the full length (or -1 for none) is
/// returned; the text is written only when it fits in `cap`. Its bytes are paid for
/// either way: the host made them.
fn write_text(c: &mut Cx<'_>, import: &str, text: Option<&str>, ptr: u32, cap: u32) -> wasmtime::Result<i32> {
    let range = guest_range(c, import, "output buffer", ptr, cap)?;
    let Some(text) = text else { return Ok(-1) };
    pay(c, text.len() as u64)?;
    let Ok(len) = i32::try_from(text.len()) else {
        return fault(import, format_args!("text of {} bytes does not fit the ABI", text.len()));
    };
    if text.len() <= range.len() {
        let Some(memory) = c.data().memory else { return fault(import, "the module has no memory") };
        match memory.data_mut(&mut *c).get_mut(range.start..range.start + text.len()) {
            Some(dst) => dst.copy_from_slice(text.as_bytes()),
            None => return fault(import, "output buffer lies outside guest memory"),
        }
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use wasmtime::{Engine, Linker, Module};
    use wpm_abi::signatures::IMPORTS;

    use super::*;

    /// `define` provides every import of the ABI table with the table's type:
    /// `instantiate_pre` type-checks each import of a module declaring all of them.
    #[test]
    fn defines_every_import_with_its_abi_type() {
        let mut wat = String::from("(module\n");
        for sig in IMPORTS {
            let list = |kw: &str, types: &[wpm_abi::signatures::ValType]| {
                types.iter().map(|t| format!(" ({kw} {})", t.as_str())).collect::<String>()
            };
            let _ = writeln!(
                wat,
                "  (import {IMPORT_MODULE:?} {:?} (func{}{}))",
                sig.name,
                list("param", sig.params),
                list("result", sig.results)
            );
        }
        wat.push(')');
        let engine = Engine::default();
        let module = Module::new(&engine, wat::parse_str(&wat).unwrap()).unwrap();
        let mut linker = Linker::<HostState>::new(&engine);
        define(&mut linker).unwrap();
        if let Err(e) = linker.instantiate_pre(&module) {
            panic!("{e:#}\n{wat}");
        }
    }
}
