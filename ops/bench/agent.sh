#!/usr/bin/env bash
# Agent benchmark (issue 6). Prints figures; never fails on a timing.
#   - enrollment and first-config time for 1 and 50 agents started at once
#   - resident memory of one agent JVM with 50 local services and 1,000 remote endpoints
#   - cold start from the config cache with no control server answering
# Control servers: three real ones (Raft, RocksDB, mutual TLS) in the benchmark's JVM, from
# control-server's test fixtures; remote endpoints are registered by simulated enrolled nodes.
# See data-plane-agent/README.md ("Agent benchmark").
#
# Usage: ops/bench/agent.sh [all | enroll N | footprint SERVICES ENDPOINTS ["JVM flags"]]
# Env:   AGENT_JVM_FLAGS  JVM flags of the measured agent process (default below); `all` runs
#        the footprint twice, the second time with an AppCDS archive for the cold start
set -euo pipefail
cd "$(dirname "$0")/../.."

flags=${AGENT_JVM_FLAGS:--Xms8m -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:ReservedCodeCacheSize=24m}
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
# One reactor run compiles the agent with its tests and writes its test classpath (reactor
# modules resolve to their target/classes; nothing is installed).
mvn -q -B test-compile dependency:build-classpath -pl data-plane-agent -am \
  -Dspotless.check.skip=true -Dcheckstyle.skip -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
cp="data-plane-agent/target/test-classes:data-plane-agent/target/classes:$(cat "$cpfile")"

mode=${1:-all}
echo "raftmesh agent benchmark  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
case "$mode" in
  all)
    java -cp "$cp" -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml io.raftmesh.agent.bench.AgentBench enroll 1
    java -cp "$cp" -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml io.raftmesh.agent.bench.AgentBench enroll 50
    java -cp "$cp" -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml io.raftmesh.agent.bench.AgentBench footprint 50 1000 "$flags -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml"
    java -cp "$cp" -Dbench.cds=true -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml io.raftmesh.agent.bench.AgentBench footprint 50 1000 "$flags -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml"
    ;;
  enroll) java -cp "$cp" -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml io.raftmesh.agent.bench.AgentBench enroll "${2:-1}" ;;
  footprint) java -cp "$cp" -Dlogback.configurationFile=ops/bench/logback-agent-bench.xml io.raftmesh.agent.bench.AgentBench footprint "${2:-50}" "${3:-1000}" "${4:-$flags}" ;;
  *) echo "usage: $0 [all | enroll N | footprint SERVICES ENDPOINTS [\"JVM flags\"]]" >&2; exit 2 ;;
esac
