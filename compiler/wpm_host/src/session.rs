//! One fresh instance in one fresh store: the unit in which guest code runs. Every
//! expansion (and the manifest read at load time) gets its own, so no state leaks
//! between expansions.

use std::marker::PhantomData;

use wasmtime::{Instance, InstancePre, Memory, Store, Trap, WasmParams, WasmResults};
use wpm_abi::{exports, Buffer};

use crate::config::Limits;
use crate::error::MacroError;
use crate::imports::GuestFault;
use crate::spans::SpanServer;
use crate::state::HostState;

/// A running instance. Borrows the span server for its whole life (`'s`), which is what
/// makes the lifetime-erased pointer in [`HostState`] sound.
pub(crate) struct Session<'s> {
    store: Store<HostState>,
    instance: Instance,
    memory: Memory,
    limits: Limits,
    _spans: PhantomData<&'s mut dyn SpanServer>,
}

impl<'s> Session<'s> {
    /// Instantiates `pre` in a new store with `limits`, answering span questions with `spans`.
    pub(crate) fn new(
        pre: &InstancePre<HostState>,
        spans: &'s mut dyn SpanServer,
        limits: Limits,
    ) -> Result<Self, MacroError> {
        // SAFETY: the store lives inside `Session<'s>`, which cannot outlive the `'s`
        // borrow of `spans` (the PhantomData ties them), and nothing else uses `spans`
        // while the session exists because it is borrowed mutably for `'s`.
        let state = unsafe { HostState::new(spans, &limits) };
        let mut store = Store::new(pre.module().engine(), state);
        store.limiter(|s| &mut s.limiter);
        store.set_fuel(limits.fuel).map_err(|e| MacroError::Trapped(format!("cannot set fuel: {e}")))?;
        let instance = match pre.instantiate(&mut store) {
            Ok(i) => i,
            Err(e) => return Err(classify(&store, &limits, e)),
        };
        let Some(memory) = instance.get_memory(&mut store, exports::MEMORY) else {
            return Err(MacroError::Trapped(format!("the module does not export `{}`", exports::MEMORY)));
        };
        store.data_mut().memory = Some(memory);
        Ok(Session { store, instance, memory, limits, _spans: PhantomData })
    }

    /// Calls export `name`; failures are classified into a [`MacroError`].
    pub(crate) fn call<P: WasmParams, R: WasmResults>(&mut self, name: &str, params: P) -> Result<R, MacroError> {
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .map_err(|e| MacroError::Trapped(format!("export `{name}`: {e}")))?;
        func.call(&mut self.store, params).map_err(|e| classify(&self.store, &self.limits, e))
    }

    /// Copies `data` into a fresh guest allocation and returns its address.
    pub(crate) fn write_input(&mut self, data: &[u8]) -> Result<u32, MacroError> {
        let len = u32::try_from(data.len())
            .map_err(|_| MacroError::Trapped(format!("input of {} bytes does not fit in wasm32 memory", data.len())))?;
        let ptr: u32 = self.call(exports::ALLOC, (len, 1u32))?;
        if ptr == 0 && len != 0 {
            return Err(MacroError::Trapped(format!(
                "`{}` could not allocate {len} bytes for the input",
                exports::ALLOC
            )));
        }
        let start = ptr as usize;
        let end = start.saturating_add(data.len());
        match self.memory.data_mut(&mut self.store).get_mut(start..end) {
            Some(dst) => {
                dst.copy_from_slice(data);
                Ok(ptr)
            }
            None => Err(MacroError::Trapped(format!(
                "`{}` returned {ptr:#x}, which leaves no room for {len} bytes in guest memory",
                exports::ALLOC
            ))),
        }
    }

    /// How many diagnostics the budget made the host drop so far.
    pub(crate) fn suppressed_diagnostics(&self) -> u64 {
        self.store.data().budget.suppressed
    }

    /// The guest bytes a packed [`Buffer`] returned by `export` points to, after checking
    /// its size against the output (or manifest) limit, before anything is copied.
    pub(crate) fn output(&self, export: &str, packed: u64) -> Result<&[u8], MacroError> {
        let buf = Buffer::unpack(packed);
        let len = buf.len as usize;
        if export == exports::MANIFEST && len > self.limits.manifest_bytes {
            return Err(MacroError::limit(crate::config::ENV_MANIFEST_KIB, &self.limits));
        }
        if len > self.limits.output_bytes {
            return Err(MacroError::OutputTooLarge { len, limit: self.limits.output_bytes });
        }
        let data = self.memory.data(&self.store);
        let start = buf.ptr as usize;
        start.checked_add(len).and_then(|end| data.get(start..end)).ok_or_else(|| {
            MacroError::Trapped(format!(
                "`{export}` returned a buffer at {:#x}..+{len} outside guest memory ({} bytes)",
                buf.ptr,
                data.len()
            ))
        })
    }
}

/// Turns a wasmtime error from instantiation or a call into the message users see.
/// A memory-limit hit wins over everything, then a recorded panic message, then the trap.
fn classify(store: &Store<HostState>, limits: &Limits, err: wasmtime::Error) -> MacroError {
    let state = store.data();
    if state.limiter.hit {
        return MacroError::OutOfMemory(limits.memory_bytes);
    }
    if let Some(var) = state.budget.exhausted {
        return if var == crate::config::ENV_FUEL {
            MacroError::OutOfFuel(limits.fuel)
        } else {
            MacroError::limit(var, limits)
        };
    }
    if let Some(msg) = &state.panic_message {
        return MacroError::Panicked(msg.clone());
    }
    if let Some(trap) = err.downcast_ref::<Trap>() {
        if *trap == Trap::OutOfFuel {
            return MacroError::OutOfFuel(limits.fuel);
        }
        let text = trap.to_string();
        return MacroError::Trapped(text.strip_prefix("wasm trap: ").unwrap_or(&text).to_owned());
    }
    if let Some(fault) = err.downcast_ref::<GuestFault>() {
        return MacroError::Trapped(fault.0.clone());
    }
    MacroError::Trapped(format!("{err:#}"))
}
