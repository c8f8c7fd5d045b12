// LLD's wasm driver, in-process: what `rust-lld -flavor wasm ARGS` does, without a process.
#include "lld/Common/Driver.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/ManagedStatic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <mutex>
#include <string>
#include <unistd.h>

LLD_HAS_DRIVER(wasm)

namespace {
// LLD's fatal() does not return: it ends in llvm_shutdown() and _Exit(1). llvm_shutdown()
// destroys the ManagedStatics, so what LLD wrote to stderr so far is printed from here
// instead of being lost with the string it was collected in.
struct PendingStderr {
  std::string text;
  ~PendingStderr() {
    if (!text.empty())
      (void)!::write(2, text.data(), text.size());
  }
};
llvm::ManagedStatic<PendingStderr> pending;
// LLD keeps global state: one link at a time.
std::mutex link_lock;
} // namespace

// Links with argv = {"wasm-ld", ARGS...}. LLD's stdout and stderr go to `write(ctx, ...)`
// with `ctx` = out_ctx or err_ctx. Returns LLD's exit code (0 on success).
extern "C" int rustc_lld_in_process_link_wasm(int argc, const char *const *argv,
                                             void (*write)(void *, const char *, size_t),
                                             void *out_ctx, void *err_ctx) {
  std::lock_guard<std::mutex> guard(link_lock);
  std::string out;
  llvm::raw_string_ostream out_os(out);
  pending->text.clear();
  llvm::raw_string_ostream err_os(pending->text);
  lld::Result result = lld::lldMain(llvm::ArrayRef<const char *>(argv, argc), out_os, err_os,
                                    {{lld::Wasm, &lld::wasm::link}});
  out_os.flush();
  err_os.flush();
  write(out_ctx, out.data(), out.size());
  write(err_ctx, pending->text.data(), pending->text.size());
  pending->text.clear();
  return result.retCode;
}
