// A deliberate data race, built with -fsanitize=thread in every
// configuration: sanitizer_report_test runs it to show that the e2e harness
// fails a test whose child prints a ThreadSanitizer report.
#include <cstdio>
#include <thread>

namespace {
int counter = 0;  // written by two threads without a lock, on purpose
}  // namespace

int main() {
  std::thread other([] {
    for (int i = 0; i < 100000; ++i) ++counter;
  });
  for (int i = 0; i < 100000; ++i) ++counter;
  other.join();
  std::printf("%d\n", counter);
  return 0;
}
