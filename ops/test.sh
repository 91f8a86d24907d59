#!/usr/bin/env bash
# The test command of the README and of CI: unit tests, integration tests on
# real servers over loopback, and the short chaos smoke suite. Extra arguments
# go to Maven (e.g. ops/test.sh -pl raft-store -am).
#
# In CI (CI=true) or with RAFTMESH_DOCKER=1, a private Docker engine is started
# first for the chaos tests' containers backend (ops/docker/engine.sh) and always
# stopped afterwards; where it cannot start (no root, no apt, dockerd fails) the
# tests run anyway and the container suite skips, saying why.
#
# The long chaos runs and the benchmarks are separate: ops/chaos.sh, ops/bench/*.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/prereqs.sh

engine=()
if [ "${CI:-}" = true ] || [ "${RAFTMESH_DOCKER:-}" = 1 ]; then
  if engine_env=$(ops/docker/engine.sh start); then
    trap 'ops/docker/engine.sh stop' EXIT
    trap 'exit 130' INT TERM
    eval "$engine_env"
    engine=(-Dchaos.containers.required=true)
  else
    echo "test: no Docker engine: the container chaos suite will skip" >&2
  fi
fi
mvn -B verify "${engine[@]}" "$@"
