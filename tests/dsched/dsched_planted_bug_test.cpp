// SPDX-License-Identifier: BSL-1.0
// The checker checks itself: bugs planted on purpose must be found within the budget the real
// tests use, and a failure must replay from what its report prints.
#include <cstdlib>
#include <futon/futex.hpp>
#include <string>

#include "dsched/dsched_test_support.hpp"

namespace {

using dsched::bounds;
using dsched::thread;
using dsched::testing::all_schedules;
using dsched::testing::futex_handshake;
using dsched::testing::random_schedules;

void set_environment(const char* name, const std::string& value) {
#if defined(_WIN32)
  ASSERT_EQ(_putenv_s(name, value.c_str()), 0);
#else
  ASSERT_EQ(setenv(name, value.c_str(), 1), 0);
#endif
}

// Planted bug 1, in the parking lot layer: a futex wait that checks the word before registering
// in its bucket (lot_copy.hpp). The setter's wake, between the check and the park, finds nobody.
TEST(DschedPlantedBug, RandomSchedulesFindTheEarlyCheckInTheParkingLot) {
  const auto result = random_schedules(
      1000, [] { futex_handshake<dsched::lot_futex_planted_bug>(1); }, {}, false);
  ASSERT_TRUE(result.failed) << "1000 random schedules missed the planted lost wakeup";
  EXPECT_NE(result.message.find("deadlock"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("FUTON_DSCHED_SEED="), std::string::npos) << result.message;
  std::printf("found after %llu random schedules:\n%s\n",
              static_cast<unsigned long long>(result.runs), result.message.c_str());
}

TEST(DschedPlantedBug, EveryScheduleSearchFindsTheEarlyCheckInTheParkingLot) {
  const auto result =
      all_schedules(bounds{2, 0}, [] { futex_handshake<dsched::lot_futex_planted_bug>(1); });
  ASSERT_TRUE(result.failed) << "no schedule with two preemptions loses the wakeup";
  EXPECT_NE(result.message.find("deadlock"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("FUTON_DSCHED_REPLAY="), std::string::npos) << result.message;
  std::printf("found after %llu schedules:\n%s\n", static_cast<unsigned long long>(result.runs),
              result.message.c_str());
}

// The same handshake on the correct parking lot passes under the same searches: what fails above
// is the planted bug, not the checker.
TEST(DschedPlantedBug, TheCorrectParkingLotPassesTheSameSearches) {
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      1000, [] { futex_handshake<dsched::lot_futex>(1); }, {}, false));
  EXPECT_NO_FAILING_SCHEDULE(
      all_schedules(bounds{2, 0}, [] { futex_handshake<dsched::lot_futex>(1); }));
}

// Planted bug 2, in a primitive: an event whose set() wakes before it stores the flag. A waiter
// that checks the flag between the wake and the store sleeps through both.
template <class Backend>
struct event_waking_too_early {
  using futex = futon::basic_futex<Backend>;
  typename Backend::word_type flag{0};
  void set() {
    futex::wake_all(flag);
    flag.store(1, std::memory_order_release);  // the bug is the order of the calls, not this
  }
  void wait() {
    // Acquire: pairs with set()'s release, as a correct event's would.
    while (flag.load(std::memory_order_acquire) == 0)
      futex::wait(flag, 0);
  }
};

TEST(DschedPlantedBug, RandomSchedulesFindAnEventThatWakesTooEarly) {
  const auto result = random_schedules(
      1000,
      [] {
        event_waking_too_early<dsched::sim_futex> e;
        thread waiter([&] { e.wait(); });
        e.set();
        waiter.join();
      },
      {}, false);
  ASSERT_TRUE(result.failed) << "1000 random schedules missed the planted lost wakeup";
  EXPECT_NE(result.message.find("deadlock"), std::string::npos) << result.message;
}

// A failure replays: the seed the report names fails again on its own.
TEST(DschedPlantedBug, TheReportedSeedReplaysTheFailure) {
  const auto body = [] { futex_handshake<dsched::lot_futex_planted_bug>(1); };
  const auto found = random_schedules(1000, body, {}, false);
  ASSERT_TRUE(found.failed);
  const std::string marker = "FUTON_DSCHED_SEED=";
  const auto at = found.message.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string seed =
      found.message.substr(at + marker.size(), found.message.find(' ', at) - at - marker.size());
  set_environment("FUTON_DSCHED_SEED", seed);
  const auto replayed = random_schedules(1000, body, {}, false);
  set_environment("FUTON_DSCHED_SEED", "");
  EXPECT_EQ(replayed.runs, 1u);
  EXPECT_TRUE(replayed.failed) << "seed " << seed << " did not fail again";
}

}  // namespace
