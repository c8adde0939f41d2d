#include <thread>

#include "backends.hpp"

namespace {

template <class Backend>
class FutexSmoke : public ::testing::Test {
 protected:
  using futex = futon::basic_futex<Backend>;
};
TYPED_TEST_SUITE(FutexSmoke, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(FutexSmoke, MismatchReturnsAtOnce) {
  futon::futex_word word{1};
  TestFixture::futex::wait(word, 0);
  EXPECT_TRUE(TestFixture::futex::wait_for(word, 0, std::chrono::hours(1)));
}

TYPED_TEST(FutexSmoke, WakeReleasesWaiter) {
  using futex = typename TestFixture::futex;
  futon::futex_word word{0};
  std::thread waiter([&] {
    while (word.load(std::memory_order_acquire) == 0)
      futex::wait(word, 0);
  });
  word.store(1, std::memory_order_release);
  futex::wake_all(word);
  waiter.join();
  EXPECT_EQ(word.load(), 1u);
}

}  // namespace
