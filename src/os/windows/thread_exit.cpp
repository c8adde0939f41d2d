// SPDX-License-Identifier: BSL-1.0
// at_thread_exit on Windows: the list head lives in a system TLS slot (TlsAlloc), and the
// destructor of a member-less thread_local object, made by the thread's first call, runs it.
// Windows has no thread-exit hook ordered after the C++ runtime's thread_local destructors, so
// the list runs among them: after those constructed after the thread's first call, before the
// others (see thread_exit.hpp). (A fiber-local storage callback would run before all of them.)
//
// Why the head is not a member of that thread_local (the version before this one): with
// mingw-w64's emulated TLS (GCC 12, Debian's cross compiler), a thread_local's storage is freed
// by a winpthreads key destructor when the thread's function returns, and the thread_local
// destructors run later, from a TLS callback, on the freed block. A head kept there was read
// from freed memory and, once another thread had reused the block, a garbage callback was called
// (CI, condition_variable_test under wine: a page fault executing heap memory, about once in 200
// runs). The trigger's destructor touches no member, and the TLS slot is the system's own
// storage, which the C++ runtime never frees. (Thread-local state read at exit, such as the
// debug builds' lock record, is then a fresh zeroed block on mingw: see notify_all_at_thread_exit.)
#include <windows.h>

#include <futon/detail/thread_exit.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

namespace {

struct exit_slot {
  DWORD index = TlsAlloc();  // never freed: one slot for the process's lifetime
};

const exit_slot& slot() noexcept {
  static const exit_slot s;  // allocated once, by the first call of any thread (thread-safe)
  return s;
}

struct exit_trigger {
  exit_trigger() noexcept = default;
  exit_trigger(const exit_trigger&) = delete;
  exit_trigger& operator=(const exit_trigger&) = delete;
  ~exit_trigger() {
    const DWORD index = slot().index;
    // A callback may schedule another: run until the slot stays empty.
    while (auto* const newest = static_cast<thread_exit_callback*>(TlsGetValue(index))) {
      TlsSetValue(index, nullptr);
      run_thread_exit_callbacks(newest);
    }
  }
};

}  // namespace

bool at_thread_exit(thread_exit_callback* node) noexcept {
  const DWORD index = slot().index;
  if (index == TLS_OUT_OF_INDEXES) return false;
  thread_local exit_trigger trigger;  // constructed by the thread's first call
  static_cast<void>(&trigger);
  node->next = static_cast<thread_exit_callback*>(TlsGetValue(index));
  return TlsSetValue(index, node) != 0;
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
