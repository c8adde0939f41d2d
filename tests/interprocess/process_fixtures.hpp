// SPDX-License-Identifier: BSL-1.0
// What the interprocess tests build on shared_segment.hpp: an object constructed in a segment,
// children that each map the segment again at an address of their own.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <new>
#include <thread>
#include <vector>

#include "shared_segment.hpp"

namespace futon::testing {

constexpr std::size_t segment_size = 1 << 16;

// The parent's view, constructed in place; children map their own.
template <class T>
struct shared_object {
  shared_segment segment{segment_size};
  shared_view<T> view{segment};
  shared_object() {
    static_assert(sizeof(T) <= segment_size);
    new (view.get()) T;
  }
  ~shared_object() { view->~T(); }
};

// Runs `body(T&)` in a child, on a mapping of its own at another address than the parent's.
template <class T, class Body>
child_process child_on(const shared_object<T>& shared, Body body) {
  return child_process([&shared, body]() -> bool {
    const shared_view<T> mine(shared.segment);
    if (mine.address() == shared.view.address()) return false;  // not another address
    return body(*mine);
  });
}

// `count` children, each running `body(T&)` as child_on does.
template <class T, class Body>
std::vector<child_process> children_on(const shared_object<T>& shared, int count, Body body) {
  std::vector<child_process> children;
  for (int i = 0; i < count; ++i)
    children.push_back(child_on(shared, body));
  return children;
}

// Each child's exit status is 0 (its body returned true).
inline void expect_all_succeed(std::vector<child_process>& children) {
  for (auto& child : children)
    EXPECT_EQ(child.join(), 0);
}

}  // namespace futon::testing
