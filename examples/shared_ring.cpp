// SPDX-License-Identifier: BSL-1.0
// A producer process and a consumer process passing numbers through a ring buffer in shared
// memory, guarded by futon::interprocess::mutex and two condition variables (Linux).
//
// The ring lives in a memfd: an anonymous file that exists only while some process has it open
// or mapped. The parent creates it and builds the ring in it; the child, forked from the parent,
// maps the memfd again at an address of its own. The ring holds no pointers (indices only), and
// futon::interprocess objects are plain words, so the same memory works at both addresses.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <futon/interprocess.hpp>
#include <mutex>
#include <new>

namespace {

struct ring {
  static constexpr std::size_t capacity = 16;

  futon::interprocess::mutex mutex;
  futon::interprocess::condition_variable not_full;   // the consumer made room
  futon::interprocess::condition_variable not_empty;  // the producer added an item, or closed
  std::size_t head = 0;                               // next item to pop; all under `mutex`
  std::size_t count = 0;
  bool closed = false;
  std::uint64_t items[capacity] = {};

  void push(std::uint64_t value) {
    std::unique_lock lock(mutex);
    not_full.wait(lock, [&] { return count < capacity; });
    items[(head + count) % capacity] = value;
    ++count;
    lock.unlock();  // the woken consumer need not wait for our mutex
    not_empty.notify_one();
  }

  // False once the ring is closed and drained.
  bool pop(std::uint64_t& value) {
    std::unique_lock lock(mutex);
    not_empty.wait(lock, [&] { return closed || count > 0; });
    if (count == 0) return false;
    value = items[head];
    head = (head + 1) % capacity;
    --count;
    lock.unlock();
    not_full.notify_one();
    return true;
  }

  void close() {
    {
      std::lock_guard lock(mutex);
      closed = true;
    }
    not_empty.notify_one();
  }
};

void* map_ring(int fd) {
  void* at = mmap(nullptr, sizeof(ring), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return at == MAP_FAILED ? nullptr : at;
}

constexpr std::uint64_t item_count = 100'000;

// The consumer's whole life, in the child: its own mapping, then pop until closed. It reports
// through its exit status whether it saw 1, 2, ..., item_count in order.
int consume(int fd) {
  void* at = map_ring(fd);
  if (at == nullptr) return 2;
  ring& r = *static_cast<ring*>(at);  // built by the parent: only used here, never constructed
  std::uint64_t expected = 1;
  std::uint64_t value = 0;
  while (r.pop(value)) {
    if (value != expected) return 1;
    ++expected;
  }
  std::printf("consumer (pid %d, ring at %p): %llu items in order\n", static_cast<int>(getpid()),
              at, static_cast<unsigned long long>(expected - 1));
  std::fflush(stdout);  // _exit does not flush
  return expected - 1 == item_count ? 0 : 1;
}

}  // namespace

int main() {
  const int fd = memfd_create("futon-shared-ring", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, sizeof(ring)) != 0) return 1;
  void* at = map_ring(fd);
  if (at == nullptr) return 1;
  // Construct once, in one process, before any other process uses it.
  ring& r = *::new (at) ring();

  std::fflush(stdout);  // the child must not print our buffered output again
  const pid_t consumer = fork();
  if (consumer < 0) return 1;
  if (consumer == 0) _exit(consume(fd));  // _exit: the child does not run our destructors

  for (std::uint64_t i = 1; i <= item_count; ++i)
    r.push(i);
  r.close();
  std::printf("producer (pid %d, ring at %p): %llu items pushed\n", static_cast<int>(getpid()), at,
              static_cast<unsigned long long>(item_count));

  int status = 0;
  waitpid(consumer, &status, 0);
  // Destroy once, when no process uses it any more.
  r.~ring();
  munmap(at, sizeof(ring));
  close(fd);
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::printf("%s\n", ok ? "shared ring: OK" : "shared ring: the consumer saw something wrong");
  return ok ? 0 : 1;
}
