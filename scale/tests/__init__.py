# Tests of scale/: run with /usr/bin/python3 scale/tests/run_tests.py (or unittest discovery from scale/).
