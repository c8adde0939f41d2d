// SPDX-License-Identifier: BSL-1.0
// Helpers shared by the futex tests: sanitizer-aware scaling, a watchdog that turns a hang into a
// failure with a message, "wait until these threads are asleep", and groups of one-shot waiters
// whose returns are counted (the unit of every exact-count test). One header per concern; this
// one includes them all.
//
// Nothing here depends on a particular backend: every helper takes the basic_futex<Backend> under
// test as a template parameter, so a new backend in backends.hpp gets the whole suite.
#pragma once

#include "hang_guard.hpp"
#include "sanitizer_scaling.hpp"
#include "thread_groups.hpp"
#include "thread_state.hpp"
