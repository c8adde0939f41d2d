// SPDX-License-Identifier: BSL-1.0
// Shared memory for the interprocess tests: an anonymous memfd (Linux) or an shm_open object
// unlinked at once (macOS, the BSDs: no memfd_create), mapped MAP_SHARED, that each process maps
// again at an address of its own; and child processes that run a function and report through
// their exit status.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace futon::testing {

// A shared memory object of `size` bytes. It has no name once constructed, so nothing outlives
// the test: the memory goes when the last process closes the descriptor and unmaps it (even
// after a failure).
class shared_segment {
 public:
  explicit shared_segment(std::size_t size) : size_(size) {
    fd_ = open_unnamed();
    if (fd_ < 0 || ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      throw std::runtime_error("shared memory object: create/ftruncate failed");
    }
  }
  shared_segment(const shared_segment&) = delete;
  shared_segment& operator=(const shared_segment&) = delete;
  ~shared_segment() { close(fd_); }

  // A new mapping of the whole segment: another address each time, the same memory.
  // `writable` false: mapped PROT_READ only (a process that may only look).
  [[nodiscard]] void* map(bool writable = true) const {
    const int protection = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void* at = mmap(nullptr, size_, protection, MAP_SHARED, fd_, 0);
    if (at == MAP_FAILED) throw std::runtime_error("mmap failed");
    return at;
  }
  void unmap(void* at) const { munmap(at, size_); }

 private:
  static int open_unnamed() {
#if defined(__linux__)
    return memfd_create("futon-interprocess-test", MFD_CLOEXEC);
#else
    // A name of this process's own, unlinked as soon as it is open: the descriptor keeps the
    // object, and no other program can open it meanwhile (O_EXCL).
    const std::string name = "/futon-ipc-test-" + std::to_string(getpid());
    const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) shm_unlink(name.c_str());
    return fd;
#endif
  }

  std::size_t size_;
  int fd_ = -1;
};

// A view of `T` in the segment, mapped for the view's lifetime.
template <class T>
class shared_view {
 public:
  explicit shared_view(const shared_segment& segment) : segment_(segment), at_(segment.map()) {}
  shared_view(const shared_view&) = delete;
  shared_view& operator=(const shared_view&) = delete;
  ~shared_view() { segment_.unmap(at_); }

  T* get() const { return static_cast<T*>(at_); }
  T* operator->() const { return get(); }
  T& operator*() const { return *get(); }
  void* address() const { return at_; }

 private:
  const shared_segment& segment_;
  void* at_;
};

// A forked child that runs `body` (which maps the segment again itself) and exits 0 when it
// returns true, 1 when false, 2 on an exception. The child does not return into GoogleTest.
class child_process {
 public:
  template <class Body>
  explicit child_process(Body body) {
    std::fflush(nullptr);  // no buffered output printed twice
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
#if defined(__linux__)
      // Dies with the test program, should that be aborted by its watchdog: no child is left
      // asleep on a word nobody will wake. (Elsewhere no such call: a test that fails normally
      // still kills its children, in ~child_process.)
      prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
      int status = 2;
      try {
        status = body() ? 0 : 1;
      } catch (...) {
      }
      _exit(status);
    }
  }
  child_process(child_process&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() {
    if (pid_ > 0) {  // a failed test: do not leave the child behind
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The child's exit status once it has exited within `limit`; -1 if it was still running (it is
  // then killed), -2 if it died of a signal.
  int join(std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) break;
      if (std::chrono::steady_clock::now() > give_up) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
  }

  // True once the child has exited with status 0 (it is then reaped); false while it runs or if
  // it failed. Never kills it.
  bool succeeded_by_now() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  void kill_now() const {
    kill(pid_, SIGKILL);
  }
  pid_t pid() const {
    return pid_;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace futon::testing
