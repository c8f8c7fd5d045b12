// Check of the wasm-hosted LLVMSupport with our WASI port (wasi-sysroot/test.sh):
// the OS-facing parts that rustc and LLD use, under wasi-threads.
//
//   llvm_support_check.wasm OUT_DIR     (OUT_DIR: a preopened directory)
//
// Prints one line; test.sh compares it exactly.
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileOutputBuffer.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstring>
#include <string>

using namespace llvm;

int main(int argc, char **argv) {
  if (argc != 2) {
    errs() << "usage: llvm_support_check OUT_DIR\n";
    return 1;
  }
  const std::string dir = argv[1];
  // Installs handlers through the port's sigaction; must not fail.
  sys::PrintStackTraceOnErrorSignal(argv[0]);

  // Four pool threads (wasi-threads), 100 tasks.
  std::atomic<int> sum{0};
  {
    DefaultThreadPool pool(hardware_concurrency(4));
    for (int i = 1; i <= 100; i++)
      pool.async([&sum, i] { sum += i; });
    pool.wait();
  }

  // real_path through the port's lexical realpath.
  SmallString<128> real;
  std::error_code ec = sys::fs::real_path(dir + "/./sub/..", real);
  std::string realText = ec ? "error:" + ec.message() : std::string(real);

  // LLD writes its output this way (mmap emulation or in-memory fallback).
  const std::string file = dir + "/buffer.bin";
  std::string written = "ok";
  sys::fs::create_directory(dir + "/sub");
  {
    Expected<std::unique_ptr<FileOutputBuffer>> buf = FileOutputBuffer::create(file, 100000);
    if (!buf) {
      written = "create:" + toString(buf.takeError());
    } else {
      std::memset((*buf)->getBufferStart(), 'w', 100000);
      if (Error e = (*buf)->commit())
        written = "commit:" + toString(std::move(e));
    }
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> mb = MemoryBuffer::getFile(file);
  size_t readBack = 0;
  if (mb && (*mb)->getBufferSize() == 100000 && (*mb)->getBuffer().find_first_not_of('w') == StringRef::npos)
    readBack = (*mb)->getBufferSize();

  // No processes in WASI: spawning fails cleanly.
  std::string execErr;
  int rc = sys::ExecuteAndWait("/bin/true", {"/bin/true"}, std::nullopt, {}, 0, 0, &execErr);

  // Crash recovery runs the function (setjmp's first return).
  CrashRecoveryContext crc;
  int v = 0;
  bool ran = crc.RunSafely([&] { v = 42; });

  std::string exe = sys::fs::getMainExecutable(argv[0], reinterpret_cast<void *>(&main));
  outs() << "threads=" << sum << " real=" << realText << " write=" << written
         << " read=" << readBack << " exec=" << rc << " (" << execErr << ")"
         << " exe=" << (exe == argv[0] ? "argv0" : exe) << " crc=" << ran << "," << v << "\n";
  return 0;
}
