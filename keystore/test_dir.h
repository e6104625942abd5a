// FreshTestDir: an empty directory for one test case under $TEST_TMPDIR
// (/tmp outside Bazel), removed first if an earlier run left it behind.
// Test-only. Thread-safety: distinct names may be used concurrently.
#ifndef ZONEKEEP_KEYSTORE_TEST_DIR_H_
#define ZONEKEEP_KEYSTORE_TEST_DIR_H_

#include <string>

namespace zonekeep {
namespace keystore {

// The path of the (not yet created) directory `name` under the test's
// temporary directory; nothing exists there on return.
std::string FreshTestDir(const std::string& name);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_TEST_DIR_H_
