// Runs every file of one fuzz target's committed seed corpus once through its
// LLVMFuzzerTestOneInput, in the normal build (gcc, no libFuzzer), so that
// `bazel test //...` keeps the fuzz entry points compiling and catches a seed
// that crashes, aborts or trips a property. One test case per seed file.
//
// Built by zonekeep_fuzz_target (tools/fuzz.bzl), which compiles this file
// with the target's entry point and FUZZ_CORPUS_DIR, the corpus folder
// relative to the workspace (its files are the test's data).
#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string CorpusDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return FUZZ_CORPUS_DIR;
  return std::string(srcdir) + "/" + workspace + "/" + FUZZ_CORPUS_DIR;
}

std::vector<std::string> SeedFiles() {
  std::vector<std::string> names;
  DIR* dir = opendir(CorpusDir().c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string out;
  for (char c : info.param) {
    out += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
  }
  return out + "_" + std::to_string(info.index);
}

class FuzzCorpusReplay : public testing::TestWithParam<std::string> {};

TEST_P(FuzzCorpusReplay, SeedRunsCleanly) {
  std::ifstream in(CorpusDir() + "/" + GetParam(), std::ios::binary);
  ASSERT_TRUE(in.good()) << GetParam();
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string data = bytes.str();
  EXPECT_EQ(LLVMFuzzerTestOneInput(
                reinterpret_cast<const uint8_t*>(data.data()), data.size()),
            0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FuzzCorpusReplay,
                         testing::ValuesIn(SeedFiles()), TestName);

TEST(FuzzCorpus, HasSeeds) { EXPECT_GE(SeedFiles().size(), 5u) << CorpusDir(); }

TEST(FuzzCorpus, EmptyInputRunsCleanly) {
  EXPECT_EQ(LLVMFuzzerTestOneInput(nullptr, 0), 0);
}

}  // namespace
