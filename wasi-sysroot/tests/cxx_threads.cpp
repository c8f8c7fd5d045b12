// Check (a) of wasi-sysroot/test.sh: std::thread, std::mutex, std::string,
// std::condition_variable and thread_local on the wasm32-wasip1-threads sysroot.
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {
std::mutex lock;
std::condition_variable done_cv;
std::string letters;
long total = 0;
int finished = 0;
thread_local int per_thread = 0;

void work(int id) {
  for (int i = 0; i < 1000; ++i) {
    ++per_thread;
    std::lock_guard<std::mutex> guard(lock);
    total += id + 1;
  }
  std::lock_guard<std::mutex> guard(lock);
  letters += std::string(1, static_cast<char>('a' + id)) + std::to_string(per_thread) + " ";
  ++finished;
  done_cv.notify_one();
}
}  // namespace

int main() {
  std::vector<std::thread> threads;
  for (int id = 0; id < 4; ++id) threads.emplace_back(work, id);
  {
    std::unique_lock<std::mutex> guard(lock);
    done_cv.wait(guard, [] { return finished == 4; });
  }
  for (auto &t : threads) t.join();
  std::vector<std::string> parts;
  std::string part;
  for (char c : letters) {
    if (c == ' ') { parts.push_back(part); part.clear(); } else { part += c; }
  }
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (const auto &p : parts) joined += p + " ";
  std::printf("total=%ld main_tls=%d parts=%s\n", total, per_thread, joined.c_str());
  return 0;
}
