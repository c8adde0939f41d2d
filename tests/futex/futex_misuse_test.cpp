// SPDX-License-Identifier: BSL-1.0
// Misuse the contract lists as a precondition: a word that is not 4-byte aligned stops a debug
// build with a clear message, whichever operation meets it first.
//
// Compiled only with FUTON_DEBUG_CHECKS: builds without them do not check, and a test that is
// skipped there must not be counted as a pass.
#include <cstddef>

#include "backends.hpp"
#include "test_support.hpp"

#if FUTON_DEBUG_CHECKS

namespace {

using namespace std::chrono_literals;
using futon::futex_word;

constexpr const char* misaligned_message = "futex word is not 4-byte aligned";

template <class Backend>
class FutexMisuseDeathTest : public futon::testing::futex_test<Backend> {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }

  // A "word" one byte into an aligned buffer. Forming the reference reads nothing; the check must
  // stop every operation before it touches the word or reaches the OS. UBSan's alignment check
  // would (rightly) stop at the reference binding here first, so it is off for this one function:
  // the library's own check is what is under test.
  alignas(8) unsigned char buffer_[16] = {};
  __attribute__((no_sanitize("alignment"))) const futex_word& misaligned() const {
    return *reinterpret_cast<const futex_word*>(buffer_ + 1);
  }
  const futex_word aligned_{0};
};
TYPED_TEST_SUITE(FutexMisuseDeathTest, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(FutexMisuseDeathTest, WaitOnMisalignedWordStops) {
  using futex = typename TestFixture::futex;
  const futex_word& word = this->misaligned();
  EXPECT_DEATH(futex::wait(word, 0), misaligned_message);
  EXPECT_DEATH(futex::wait_for(word, 0, 1h), misaligned_message);
  EXPECT_DEATH(futex::wait_for(word, 0, 0ns), misaligned_message);
  EXPECT_DEATH(futex::wait_until(word, 0, std::chrono::steady_clock::now() + 1h),
               misaligned_message);
  EXPECT_DEATH(futex::wait_until(word, 0, std::chrono::system_clock::time_point::min()),
               misaligned_message);
}

TYPED_TEST(FutexMisuseDeathTest, WakeOnMisalignedWordStops) {
  using futex = typename TestFixture::futex;
  const futex_word& word = this->misaligned();
  EXPECT_DEATH(futex::wake(word, 1), misaligned_message);
  EXPECT_DEATH(futex::wake(word, 0), misaligned_message);
  EXPECT_DEATH(futex::wake_one(word), misaligned_message);
  EXPECT_DEATH(futex::wake_all(word), misaligned_message);
}

TYPED_TEST(FutexMisuseDeathTest, RequeueWithAMisalignedWordStops) {
  using futex = typename TestFixture::futex;
  const futex_word& word = this->misaligned();
  EXPECT_DEATH(futex::requeue(word, 0, this->aligned_, 1, 1), misaligned_message);
  EXPECT_DEATH(futex::requeue(this->aligned_, 0, word, 1, 1), misaligned_message);
}

}  // namespace

#endif  // FUTON_DEBUG_CHECKS
