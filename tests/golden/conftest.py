# The expected/ trees are generated suites kept as data, not tests to collect here
# (tests/e2e runs generated suites in subprocesses against real data).
collect_ignore_glob = ["*/expected/*"]
