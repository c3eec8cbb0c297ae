#!/usr/bin/env bash
# The crash test (e2e/crash): senders write through the JSON API of the real
# binary while it is killed with SIGKILL mid-load and restarted; then every
# acknowledged send must be stored exactly once and "parley verify" must
# pass. SQLite always, PostgreSQL when PARLEY_TEST_POSTGRES is set.
#
#   scripts/crash-test.sh                                  # one cycle, 8 senders, 3 s of load
#   scripts/crash-test.sh -crash.cycles 5 -crash.senders 16 -crash.load 10s
set -euo pipefail
cd "$(dirname "$0")/.."
exec go test -count=1 -timeout 30m -v -run '^TestCrash$' ./e2e/crash -crash "$@"
