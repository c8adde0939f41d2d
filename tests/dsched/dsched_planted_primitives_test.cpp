// SPDX-License-Identifier: BSL-1.0
// The checker bites: the deterministic scheduler finds the defects issue 10 lists in the 7add648
// primitives (kept as planted copies in tests/dsched/planted/), each within a CI budget, with a
// report that names the failure and a line that replays it. The same scenarios pass on the real
// primitives (dsched_lifetime_test.cpp, dsched_wake_order_test.cpp).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dsched/dsched_scenarios.hpp"
#include "dsched/dsched_test_support.hpp"
#include "dsched/planted/condition_variable.hpp"
#include "dsched/planted/mutex.hpp"
#include "dsched/planted/shared_mutex.hpp"
#include "dsched/planted/wait_group.hpp"

// The 7add648 mutex's destructor checks that the word is 0, and in defect 1's schedule it is
// not (woken_bit): a debug build aborts the whole test program there, on a valid program (the
// other half of defect 1). The scenario ends its life without the destructor, so that the
// scheduler reaches the access that follows.
template <class Backend>
struct dsched::scenarios::runs_destructor<planted_7add648::basic_mutex<Backend>> : std::false_type {
};

namespace {

using dsched::bounds;
using dsched::exploration;
using dsched::sim_futex;
using dsched::testing::all_schedules;
using dsched::testing::random_schedules;
namespace scenarios = dsched::scenarios;
namespace planted = planted_7add648;

// What the reports must say: the access and the object it hit, or the deadlock.
const std::vector<std::string> mutex_access = {"after its object was destroyed (mutex at",
                                               "by thread 0"};
const std::vector<std::string> shared_mutex_access = {
    "access to atomic fetch_add", "after its object was destroyed (shared_mutex at", "by thread 0"};
const std::vector<std::string> condvar_access = {
    "after its object was destroyed (condition_variable at"};
const std::vector<std::string> deadlock = {"deadlock: every thread is blocked"};

// Runs a search and checks that it failed, with each of `expected` in its report and a replay
// line.
template <class Search>
void expect_found(Search search, const std::vector<std::string>& expected,
                  const char* replay_marker) {
  const auto start = std::chrono::steady_clock::now();
  const exploration result = search();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  ASSERT_TRUE(result.failed) << result.runs << " schedules missed the planted defect";
  for (const std::string& text : expected)
    EXPECT_NE(result.message.find(text), std::string::npos) << text << " in:\n" << result.message;
  EXPECT_NE(result.message.find(replay_marker), std::string::npos) << result.message;
  std::printf("found in %llu schedules, %lld ms:\n%s\n",
              static_cast<unsigned long long>(result.runs), static_cast<long long>(ms),
              result.message.c_str());
}

constexpr const char* exhaustive_replay = "FUTON_DSCHED_REPLAY=";
constexpr const char* random_replay = "FUTON_DSCHED_SEED=";

// ---- Defect 1: mutex access after release ----------------------------------------------------

template <class Backend>
void mutex_case() {
  scenarios::mutex_destroyed_by_last_locker<planted::basic_mutex<Backend>>(true);
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsMutexAccessAfterRelease) {
  expect_found(
      [] {
        return all_schedules(bounds{1, 0}, mutex_case<sim_futex>);
      },
      mutex_access, exhaustive_replay);
}

TEST(DschedPlantedPrimitives, RandomSchedulesFindMutexAccessAfterRelease) {
  expect_found([] { return random_schedules(1000, mutex_case<sim_futex>, {}, false); },
               mutex_access, random_replay);
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsMutexAccessAfterReleaseOnTheParkingLot) {
  expect_found(
      [] {
        return all_schedules(bounds{1, 0}, mutex_case<dsched::lot_futex>);
      },
      mutex_access, exhaustive_replay);
}

// ---- Defect 2: shared_mutex's last reader writes drain_ after its release --------------------

template <class Backend>
void shared_mutex_case() {
  scenarios::shared_mutex_destroyed_by_writer_after_last_reader<
      planted::basic_shared_mutex<Backend>>();
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsSharedMutexAccessAfterRelease) {
  expect_found(
      [] {
        return all_schedules(bounds{2, 1}, shared_mutex_case<sim_futex>);
      },
      shared_mutex_access, exhaustive_replay);
}

TEST(DschedPlantedPrimitives, RandomSchedulesFindSharedMutexAccessAfterRelease) {
  expect_found([] { return random_schedules(1000, shared_mutex_case<sim_futex>, {}, false); },
               shared_mutex_access, random_replay);
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsSharedMutexAccessAfterReleaseOnTheParkingLot) {
  expect_found(
      [] {
        return all_schedules(bounds{3, 0}, shared_mutex_case<dsched::lot_futex>);
      },
      shared_mutex_access, exhaustive_replay);
}

// ---- Defect 3: condition_variable depends on FIFO wakes ---------------------------------------

void condvar_fifo_case() {
  scenarios::condvar_notify_all_reaches_newer_waiter<
      planted::basic_mutex<sim_futex>, planted::basic_condition_variable<sim_futex>>();
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsConditionVariableRelyingOnFifoWakes) {
  expect_found(
      [] {
        return all_schedules(bounds{2, 0}, condvar_fifo_case);
      },
      deadlock, exhaustive_replay);
}

TEST(DschedPlantedPrimitives, RandomSchedulesFindConditionVariableRelyingOnFifoWakes) {
  expect_found([] { return random_schedules(1000, condvar_fifo_case, {}, false); }, deadlock,
               random_replay);
}

// The wake-order choice is what finds it: the same search with FIFO wakes only (as the
// scheduler had before issue 10) runs every schedule and passes.
TEST(DschedPlantedPrimitives, FifoWakesAloneMissTheConditionVariableDefect) {
  bounds fifo{2, 0};
  fifo.reorders = 0;
  const auto result = all_schedules(fifo, condvar_fifo_case);
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

// ---- Defect 5: wait_group generation lapped while a waiter is preempted ----------------------

TEST(DschedPlantedPrimitives, EveryScheduleFindsWaitGroupGenerationLapped) {
  expect_found(
      [] {
        return all_schedules(bounds{1, 0}, [] {
          scenarios::lapped_wait_group<planted::basic_wait_group, sim_futex>(128);
        });
      },
      deadlock, exhaustive_replay);
}

// One round short of the lap, the same search passes: what fails above is the 7-bit wrap.
TEST(DschedPlantedPrimitives, WaitGroupOneZeroShortOfTheLapPasses) {
  const auto result = all_schedules(bounds{1, 0}, [] {
    scenarios::lapped_wait_group<planted::basic_wait_group, sim_futex>(127);
  });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

// ---- Defect 6: condition_variable touched after the notification -----------------------------

template <class Backend>
void condvar_lifetime_case(bool under_lock) {
  scenarios::condvar_destroyed_after_notify<planted::basic_mutex<Backend>,
                                            planted::basic_condition_variable<Backend>>(2, true,
                                                                                        under_lock);
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsConditionVariableAccessAfterNotifyAll) {
  expect_found(
      [] {
        return all_schedules(bounds{1, 0}, [] { condvar_lifetime_case<sim_futex>(false); });
      },
      condvar_access, exhaustive_replay);
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsConditionVariableAccessAfterNotifyAllUnderLock) {
  expect_found(
      [] {
        return all_schedules(bounds{1, 0}, [] { condvar_lifetime_case<sim_futex>(true); });
      },
      condvar_access, exhaustive_replay);
}

TEST(DschedPlantedPrimitives, RandomSchedulesFindConditionVariableAccessAfterNotifyAll) {
  expect_found(
      [] {
        return random_schedules(
            1000, [] { condvar_lifetime_case<sim_futex>(false); }, {}, false);
      },
      condvar_access, random_replay);
}

TEST(DschedPlantedPrimitives, EveryScheduleFindsConditionVariableAccessAfterNotifyOnTheParkingLot) {
  expect_found(
      [] {
        return all_schedules(bounds{1, 0}, [] { condvar_lifetime_case<dsched::lot_futex>(true); });
      },
      condvar_access, exhaustive_replay);
}

// ---- Replays ----------------------------------------------------------------------------------

void set_environment(const char* name, const std::string& value) {
#if defined(_WIN32)
  ASSERT_EQ(_putenv_s(name, value.c_str()), 0);
#else
  ASSERT_EQ(setenv(name, value.c_str(), 1), 0);
#endif
}

// The replay line of an exhaustive search's report runs that one schedule, which fails the
// same way: its recorded choices include the wake-order picks (defect 3) and the point of the
// access after destruction (defect 1).
template <class Body>
void expect_replay_fails_again(Body body) {
  const auto found = all_schedules(bounds{2, 0}, body);
  ASSERT_TRUE(found.failed);
  const std::string marker = exhaustive_replay;
  const auto at = found.message.find(marker);
  ASSERT_NE(at, std::string::npos) << found.message;
  const std::string choices =
      found.message.substr(at + marker.size(), found.message.find(' ', at) - at - marker.size());
  set_environment("FUTON_DSCHED_REPLAY", choices);
  const auto replayed = all_schedules(bounds{2, 0}, body);
  set_environment("FUTON_DSCHED_REPLAY", "");
  EXPECT_EQ(replayed.runs, 1u);
  ASSERT_TRUE(replayed.failed) << "FUTON_DSCHED_REPLAY=" << choices << " did not fail again";
  // The failure's first line (what, by whom, at which step) is the same; only the addresses
  // differ (the objects live on the new run's stacks).
  const auto first_line = [](const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    for (auto at = line.find("0x"); at != std::string::npos; at = line.find("0x", at + 1)) {
      const auto end = line.find_first_not_of("0123456789abcdef", at + 2);
      line.replace(at, (end == std::string::npos ? line.size() : end) - at, "<address>");
    }
    return line;
  };
  EXPECT_EQ(first_line(replayed.message), first_line(found.message));
}

TEST(DschedPlantedPrimitives, TheReplayLineReproducesAWakeOrderFailure) {
  expect_replay_fails_again(condvar_fifo_case);
}

TEST(DschedPlantedPrimitives, TheReplayLineReproducesALifetimeFailure) {
  expect_replay_fails_again(mutex_case<sim_futex>);
}

}  // namespace
