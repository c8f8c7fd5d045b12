// Check of the wasm-hosted LLVM and LLD libraries (wasi-sysroot/test.sh):
// parses a small LLVM IR module, verifies it, optimises it with the O2
// pipeline, compiles it to a wasm32 object with the WebAssembly backend and
// links that object with LLD's wasm driver, all in this process. The linked
// module exports `fib`; test.sh runs it in wasmtime.
//
//   llvm_lld_check.wasm OUT_DIR     (OUT_DIR: a preopened directory)
//
// Prints one line "ir=ok opt=ok object=N bytes linked=M bytes" on success.
#include "lld/Common/Driver.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>
#include <string>

LLD_HAS_DRIVER(wasm)

extern "C" {
void LLVMInitializeWebAssemblyTargetInfo();
void LLVMInitializeWebAssemblyTarget();
void LLVMInitializeWebAssemblyTargetMC();
void LLVMInitializeWebAssemblyAsmPrinter();
}

// fib(n) by iteration, with a helper the optimiser inlines.
static const char *const kModule = R"IR(
define internal i32 @step(i32 %a, i32 %b) {
  %s = add i32 %a, %b
  ret i32 %s
}

define i32 @fib(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %body ]
  %a = phi i32 [ 0, %entry ], [ %b, %body ]
  %b = phi i32 [ 1, %entry ], [ %c, %body ]
  %done = icmp sge i32 %i, %n
  br i1 %done, label %exit, label %body
body:
  %c = call i32 @step(i32 %a, i32 %b)
  %i1 = add i32 %i, 1
  br label %loop
exit:
  ret i32 %a
}
)IR";

static int fail(const std::string &what) {
  llvm::errs() << "llvm_lld_check: " << what << "\n";
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2)
    return fail("usage: llvm_lld_check OUT_DIR");
  const std::string dir = argv[1];
  const std::string objPath = dir + "/fib.o";
  const std::string wasmPath = dir + "/fib.wasm";

  LLVMInitializeWebAssemblyTargetInfo();
  LLVMInitializeWebAssemblyTarget();
  LLVMInitializeWebAssemblyTargetMC();
  LLVMInitializeWebAssemblyAsmPrinter();

  llvm::LLVMContext ctx;
  llvm::SMDiagnostic diag;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(kModule, diag, ctx);
  if (!module)
    return fail("IR parse error: " + diag.getMessage().str());
  if (llvm::verifyModule(*module, &llvm::errs()))
    return fail("IR does not verify");

  llvm::Triple triple("wasm32-unknown-unknown");
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return fail("no WebAssembly target: " + err);
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, "generic", "", llvm::TargetOptions(), llvm::Reloc::Static));
  if (!tm)
    return fail("no target machine");
  module->setTargetTriple(triple);
  module->setDataLayout(tm->createDataLayout());

  // The new pass manager's O2 pipeline (Passes, IPO, instrumentation libs).
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    mpm.run(*module, mam);
  }
  if (module->getFunction("step"))
    return fail("O2 pipeline did not inline and drop @step");

  uint64_t objSize = 0;
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(objPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return fail("cannot write " + objPath + ": " + ec.message());
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile))
      return fail("the WebAssembly target cannot emit objects");
    pm.run(*module);
    out.flush();
    objSize = out.tell();
  }

  const char *args[] = {"wasm-ld", objPath.c_str(), "-o", wasmPath.c_str(),
                        "--no-entry", "--export=fib"};
  std::string linkOut, linkErr;
  llvm::raw_string_ostream linkOutOS(linkOut), linkErrOS(linkErr);
  lld::Result res = lld::lldMain(args, linkOutOS, linkErrOS, {{lld::Wasm, &lld::wasm::link}});
  if (res.retCode != 0)
    return fail("wasm-ld failed (" + std::to_string(res.retCode) + "): " + linkErr);

  uint64_t wasmSize = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(wasmPath, wasmSize))
    return fail("no linked module at " + wasmPath + ": " + ec.message());
  llvm::outs() << "ir=ok opt=ok object=" << objSize << " bytes linked=" << wasmSize
               << " bytes\n";
  return 0;
}
