// at_thread_exit through a thread_local list whose destructor runs it. Windows has no
// thread-exit hook ordered after the C++ runtime's thread_local destructors, so the list runs
// among them: after those constructed after the thread's first call, before the others (see
// thread_exit.hpp).
#include <futon/detail/thread_exit.hpp>

namespace futon::detail {

namespace {

struct exit_list {
  thread_exit_callback* newest = nullptr;
  exit_list() noexcept = default;
  exit_list(const exit_list&) = delete;
  exit_list& operator=(const exit_list&) = delete;
  ~exit_list() {
    // A callback may schedule another: run until the list stays empty.
    while (newest != nullptr) {
      thread_exit_callback* const list = newest;
      newest = nullptr;
      run_thread_exit_callbacks(list);
    }
  }
};

}  // namespace

bool at_thread_exit(thread_exit_callback* node) noexcept {
  thread_local exit_list list;
  node->next = list.newest;
  list.newest = node;
  return true;
}

}  // namespace futon::detail
