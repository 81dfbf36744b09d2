// fail_fsync.cc — TEST ONLY: an LD_PRELOAD shim whose fsync / fdatasync fail with EIO once
// TIDEMARK_FAIL_FSYNC_AFTER calls have succeeded (unset: never fail). storage_fault_test runs a
// node under it to show that a failed fsync stops the node (exit 3) instead of going on.
//
//   LD_PRELOAD=libtidemark_fail_fsync.so TIDEMARK_FAIL_FSYNC_AFTER=20 tidemark-node --config ...
#include <dlfcn.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace {

std::atomic<long> g_calls{0};

bool ShouldFail(const char* what) {
  static const long limit = [] {
    const char* v = std::getenv("TIDEMARK_FAIL_FSYNC_AFTER");
    return v ? std::atol(v) : -1L;
  }();
  if (limit < 0) return false;
  if (g_calls.fetch_add(1) < limit) return false;
  std::fprintf(stderr, "fail_fsync: failing %s (call %ld, limit %ld)\n", what, g_calls.load(),
               limit);
  errno = EIO;
  return true;
}

template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" int fsync(int fd) {
  if (ShouldFail("fsync")) return -1;
  static auto real = Next<int (*)(int)>("fsync");
  return real(fd);
}

extern "C" int fdatasync(int fd) {
  if (ShouldFail("fdatasync")) return -1;
  static auto real = Next<int (*)(int)>("fdatasync");
  return real(fd);
}
