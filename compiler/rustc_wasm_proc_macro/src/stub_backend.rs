//! The codegen backend of the nested compilation that builds a stub crate's metadata.
//!
//! That compilation runs in-process, for the host, before the user's session exists. With the
//! default backend it would initialize LLVM, whose options are process-wide and set once by
//! the first session that initializes it: a user's compilation for another target (say
//! `--target wasm32-wasip1` on an x86_64 host) would then run with the host's LLVM options
//! ("-exception-model=wasm only allowed with at least one of -wasm-enable-eh or
//! -wasm-enable-sjlj", and rustc exits). The stub only needs `--emit metadata`, so it runs
//! with rustc's dummy backend, which touches no LLVM, allowed to build a `proc-macro` crate.

use std::any::Any;

use rustc_codegen_ssa::traits::CodegenBackend;
use rustc_codegen_ssa::{CompiledModules, CrateInfo, TargetConfig};
use rustc_data_structures::fx::FxIndexMap;
use rustc_interface::util::DummyCodegenBackend;
use rustc_middle::dep_graph::{WorkProduct, WorkProductId};
use rustc_middle::ty::TyCtxt;
use rustc_session::Session;
use rustc_session::config::{CrateType, OutputFilenames};

/// Makes the backend for the stub crate's compilation (`interface::Config::make_codegen_backend`).
pub fn stub_codegen_backend(_sess: &Session) -> Box<dyn CodegenBackend> {
    Box::new(StubBackend(DummyCodegenBackend { target_config_override: None }))
}

/// rustc's dummy backend, building `proc-macro` crates (metadata only: the stub is never linked).
struct StubBackend(DummyCodegenBackend);

impl CodegenBackend for StubBackend {
    fn name(&self) -> &'static str {
        "wasm-proc-macro-stub"
    }

    fn target_config(&self, sess: &Session) -> TargetConfig {
        self.0.target_config(sess)
    }

    fn supported_crate_types(&self, _sess: &Session) -> Vec<CrateType> {
        vec![CrateType::ProcMacro]
    }

    fn target_cpu(&self, sess: &Session) -> String {
        self.0.target_cpu(sess)
    }

    fn codegen_crate<'tcx>(&self, tcx: TyCtxt<'tcx>, crate_info: &CrateInfo) -> Box<dyn Any> {
        self.0.codegen_crate(tcx, crate_info)
    }

    fn join_codegen(
        &self,
        ongoing_codegen: Box<dyn Any>,
        sess: &Session,
        outputs: &OutputFilenames,
    ) -> (CompiledModules, FxIndexMap<WorkProductId, WorkProduct>) {
        self.0.join_codegen(ongoing_codegen, sess, outputs)
    }
}
