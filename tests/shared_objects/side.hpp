// SPDX-License-Identifier: BSL-1.0
// The two shared objects of shared_objects_test: each links its own copy of futon (the static
// library), as two plugins of one program would, and exports what the test calls through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/futex.hpp>

extern "C" {
// Waits on `word` (parking-lot backend) while it holds `expected`, up to `timeout_ms`: true when
// woken (or the value differed), false on timeout. In libfuton_test_waiter.
bool futon_test_waiter_wait(const futon::futex_word* word, std::uint32_t expected,
                            std::int64_t timeout_ms);
// The parking-lot table this shared object's copy of futon uses. In each library.
const void* futon_test_waiter_table();
const void* futon_test_waker_table();
// Wakes up to one waiter of `word` (parking-lot backend); the number woken. In libfuton_test_waker.
std::size_t futon_test_waker_wake_one(const futon::futex_word* word);
}
