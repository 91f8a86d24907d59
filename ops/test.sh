#!/usr/bin/env bash
# The test command of the README and of CI: unit tests, integration tests on
# real servers over loopback, and the short chaos smoke suite. Extra arguments
# go to Maven (e.g. ops/test.sh -pl raft-store -am).
#
# The long chaos runs and the benchmarks are separate: ops/chaos.sh, ops/bench/*.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/prereqs.sh
exec mvn -B verify "$@"
