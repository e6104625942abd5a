// A child that leaks on purpose, always built with AddressSanitizer: its
// LeakSanitizer report at exit must fail the test that ran it
// (tests/e2e/leak_report_test.cc).
#include <cstdlib>
#include <cstring>

void* volatile kept = nullptr;

int main() {
  void* lost = std::malloc(4096);
  std::memset(lost, 1, 4096);
  kept = lost;
  kept = nullptr;  // the only pointer is gone: a definite leak
  return 0;
}
