"""zonekeep_fuzz_target: one libFuzzer target and its seed-corpus test.

For NAME with entry point SRC (a file defining LLVMFuzzerTestOneInput):
- NAME: the libFuzzer binary, tagged manual; built only by tools/run_fuzz.sh
  with clang and --config=fuzz (libFuzzer, ASan, UBSan).
- NAME_corpus_test: the normal build's test that runs each file of
  fuzz_corpus/NAME/ once through the entry point
  (tools/fuzz_corpus_replay_test.cc).
"""

def zonekeep_fuzz_target(name, src, deps):
    corpus = "fuzz_corpus/" + name
    corpus_path = (native.package_name() + "/" + corpus).lstrip("/")
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = [src],
        deps = deps,
        tags = ["manual"],
    )
    native.cc_test(
        name = name + "_corpus_test",
        size = "medium",
        srcs = [src, "//tools:fuzz_corpus_replay_test.cc"],
        data = native.glob([corpus + "/**"]),
        local_defines = ['FUZZ_CORPUS_DIR=\\"%s\\"' % corpus_path],
        deps = deps + ["//tools:gtest_main"],
    )
