# Runs every Python test of scale/ (unittest discovery) and writes a JSON report with the counts, which
# scripts/run-all-tests.mjs adds to the closing "N passed, N failed" line. Each test method is one test (subTests
# inside it pass or fail with it). Run it with the Python that has torch: /usr/bin/python3 on Debian.
#   /usr/bin/python3 scale/tests/run_tests.py [--report FILE]
import argparse
import json
import os
import sys
import unittest

SCALE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv):
    p = argparse.ArgumentParser(prog="run_tests.py")
    p.add_argument("--report", help="write {passed, failed, skipped} here")
    args = p.parse_args(argv)
    sys.path.insert(0, SCALE)
    suite = unittest.defaultTestLoader.discover(os.path.join(SCALE, "tests"), top_level_dir=SCALE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    problems = result.failures + result.errors + [(test, "") for test in result.unexpectedSuccesses]
    failed = {getattr(test, "test_case", test).id() for test, _ in problems}  # a failing subTest fails its test
    counts = {
        "passed": result.testsRun - len(failed) - len(result.skipped),
        "failed": len(failed),
        "skipped": len(result.skipped),
    }
    if args.report:
        with open(args.report, "w") as file:
            json.dump(counts, file)
    print(json.dumps(counts))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
