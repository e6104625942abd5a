#!/usr/bin/env python3
"""Counts GoogleTest cases from Bazel's JUnit XML for the given test targets.

Usage: count_test_cases.py TESTLOGS_DIR BAZEL_OUTPUT_FILE //pkg:target ... [NAME=passed|failed ...]
Arguments of the form NAME=passed or NAME=failed are checks run outside Bazel
(tools/check_layers.sh); each counts as one case.
Prints the failing cases, then "N passed, N failed" as the last line. Bazel's own
per-target verdicts (read from its output) count too: a target that did not build,
timed out, or failed although all its cases passed (a crash at exit, a sanitizer
report) counts as one failed case. Exit status 1 on any failure.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

VERDICT = re.compile(r"^(//\S+)\s+(?:\(cached\)\s+)?"
                     r"(PASSED|FAILED TO BUILD|FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)")


def bazel_verdicts(path):
    verdicts = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = VERDICT.match(line.strip())
            if m:
                verdicts[m.group(1)] = m.group(2)
    return verdicts


def main():
    testlogs, bazel_output, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    labels = [a for a in args if a.startswith("//")]
    checks = [a for a in args if not a.startswith("//")]
    verdicts = bazel_verdicts(bazel_output)
    passed = failed = 0
    for check in checks:
        name, _, verdict = check.partition("=")
        if verdict == "passed":
            passed += 1
        else:
            print(f"FAILED check: {name}")
            failed += 1
    for label in labels:
        pkg, _, name = label.lstrip("/").partition(":")
        xml_path = os.path.join(testlogs, pkg, name, "test.xml")
        verdict = verdicts.get(label, "NO STATUS")
        if verdict != "PASSED" or not os.path.exists(xml_path):
            # Stale XML from an earlier run must not count: only read it when
            # Bazel ran the target in this invocation.
            if verdict in ("FAILED TO BUILD", "NO STATUS") or not os.path.exists(xml_path):
                print(f"FAILED target ({verdict.lower()}): {label}")
                failed += 1
                continue
        cases = list(ET.parse(xml_path).getroot().iter("testcase"))
        failed_cases = 0
        for case in cases:
            if case.find("failure") is not None or case.find("error") is not None:
                failed_cases += 1
                print(f"FAILED case: {label} {case.get('classname')}.{case.get('name')}")
            elif case.get("status") != "notrun":
                passed += 1
        failed += failed_cases
        if not cases:
            print(f"FAILED target (ran no test case): {label}")
            failed += 1
        elif verdict != "PASSED" and failed_cases == 0:
            print(f"FAILED target ({verdict.lower()} after its cases passed): {label}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
