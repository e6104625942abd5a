#include "keystore/test_dir.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace zonekeep {
namespace keystore {

std::string FreshTestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return dir;
}

}  // namespace keystore
}  // namespace zonekeep
