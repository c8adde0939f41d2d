// SPDX-License-Identifier: BSL-1.0
// The ABI namespace (CONTRIBUTING.md, "Versions and ABI"): users write futon::mutex, the linker
// sees futon::v0::basic_mutex<...>, so that two futon builds of different ABIs in one program
// fail to link instead of sharing symbols that mean different things. Pinned three ways: the
// public names are the v0 ones (a declaration left in plain futon would be a different entity),
// their mangled names carry v0, and <futon/config.hpp>'s FUTON_ABI_VERSION names the same
// namespace. Functions are held to it by check_library_symbols.cmake, which reads every symbol
// the library defines.
#include <gtest/gtest.h>

#include <futon/atomic_wait.hpp>
#include <futon/barrier.hpp>
#include <futon/call_once.hpp>
#include <futon/condition_variable.hpp>
#include <futon/condition_variable_any.hpp>
#include <futon/config.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/futex.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <futon/parking_lot.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <futon/wait_group.hpp>
#include <string>
#include <type_traits>
#include <typeinfo>

static_assert(FUTON_ABI_VERSION == 0, "the sources spell the namespace v0: rename both together");

namespace v0 = futon::v0;
using v0::backend::default_backend;

static_assert(std::is_same_v<futon::mutex, v0::basic_mutex<default_backend>>);
static_assert(std::is_same_v<futon::recursive_mutex, v0::basic_recursive_mutex<default_backend>>);
static_assert(
    std::is_same_v<futon::recursive_timed_mutex, v0::basic_recursive_timed_mutex<default_backend>>);
static_assert(std::is_same_v<futon::shared_mutex, v0::basic_shared_mutex<default_backend>>);
static_assert(std::is_same_v<futon::shared_timed_mutex, v0::basic_shared_mutex<default_backend>>);
static_assert(
    std::is_same_v<futon::condition_variable, v0::basic_condition_variable<default_backend>>);
static_assert(std::is_same_v<futon::condition_variable_any,
                             v0::basic_condition_variable_any<default_backend>>);
static_assert(
    std::is_same_v<futon::counting_semaphore<>, v0::basic_counting_semaphore<default_backend>>);
static_assert(
    std::is_same_v<futon::binary_semaphore, v0::basic_counting_semaphore<default_backend, 1>>);
static_assert(std::is_same_v<futon::latch, v0::basic_latch<default_backend>>);
static_assert(std::is_same_v<futon::barrier<>, v0::basic_barrier<default_backend>>);
static_assert(std::is_same_v<futon::once_flag, v0::basic_once_flag<default_backend>>);
static_assert(std::is_same_v<futon::event, v0::basic_event<default_backend>>);
static_assert(std::is_same_v<futon::wait_group, v0::basic_wait_group<default_backend>>);
static_assert(std::is_same_v<futon::futex, v0::basic_futex<default_backend>>);
static_assert(std::is_same_v<futon::requeue_result, v0::requeue_result>);
static_assert(std::is_same_v<futon::parking_lot::park_result, v0::parking_lot::park_result>);
static_assert(std::is_same_v<futon::backend::default_backend, default_backend>);

namespace {

// Itanium C++ ABI (g++, clang++, MinGW) only: MSVC spells type names otherwise.
#if defined(__GXX_ABI_VERSION)

// "5futon2v0": the namespaces futon and v<FUTON_ABI_VERSION> as the mangled name spells them.
std::string abi_namespace_mangled() {
  const std::string version = "v" + std::to_string(FUTON_ABI_VERSION);
  return "5futon" + std::to_string(version.size()) + version;
}

template <class T>
void expect_in_abi_namespace() {
  const std::string name = typeid(T).name();
  EXPECT_NE(name.find(abi_namespace_mangled()), std::string::npos)
      << name << " is not in futon::v" << FUTON_ABI_VERSION;
}

TEST(AbiNamespace, MangledNamesCarryIt) {
  expect_in_abi_namespace<futon::mutex>();
  expect_in_abi_namespace<futon::recursive_timed_mutex>();
  expect_in_abi_namespace<futon::shared_mutex>();
  expect_in_abi_namespace<futon::condition_variable>();
  expect_in_abi_namespace<futon::condition_variable_any>();
  expect_in_abi_namespace<futon::counting_semaphore<>>();
  expect_in_abi_namespace<futon::latch>();
  expect_in_abi_namespace<futon::barrier<>>();
  expect_in_abi_namespace<futon::once_flag>();
  expect_in_abi_namespace<futon::event>();
  expect_in_abi_namespace<futon::wait_group>();
  expect_in_abi_namespace<futon::requeue_result>();
  expect_in_abi_namespace<futon::parking_lot::park_result>();
  expect_in_abi_namespace<futon::detail::deadline>();
  // A function's type names no namespace, but a pointer to member does name its class.
  expect_in_abi_namespace<decltype(&futon::mutex::lock)>();
}

#else

TEST(AbiNamespace, MangledNamesCarryIt) {
  GTEST_SKIP() << "not an Itanium C++ ABI toolchain";
}

#endif

}  // namespace
