#!/usr/bin/env bash
# Long chaos runs against real clusters started from the built distribution.
#
#   ops/chaos.sh --workload register|set|deltas|identity|traffic|all \
#                --nemesis kill,pause,partition,slow-network,lossy-network,restart-all \
#                --time SECONDS --nodes 3|5 [--backend processes|containers] \
#                [--seed N] [--store DIR] [--network auto|namespaces|loopback] [--no-build]
#
# Each workload gets a fresh cluster; its run folder (history.jsonl, nemesis.log, results.json,
# summary.txt, latency.svg, throughput.svg) goes under --store (default: ./chaos-store), and one
# summary line per workload is printed, e.g.
#   register: valid (1,842 ops, 7 partitions, 3 kills)
# Partitions and packet loss need root with ip and nft/iptables (network namespaces); without
# them those faults are skipped and the summary says so. Harness logs go to <store>/chaos.log.
# traffic (two agents, two services; static stability) plays its own fault schedule: every server
# killed for a quarter of --time, then leader kills; --nemesis does not apply to it.
# --backend containers needs a Docker engine: one started by ops/docker/engine.sh is used when
# DOCKER_HOST is unset (RAFTMESH_DOCKER=1 ops/docker/engine.sh start, as root).
# Exit status: 0 all valid, 1 a workload invalid or unknown, 2 harness error, 64 bad usage.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=1
args=()
store=$PWD/chaos-store
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0 ;;
    --store) store=$2; args+=("$1" "$2"); shift ;;
    --store=*) store=${1#--store=}; args+=("$1") ;;
    -h|--help) args+=("$1") ;;
    *) args+=("$1") ;;
  esac
  shift
done
mkdir -p "$store"
store=$(cd "$store" && pwd)

cp_file=$root/chaos-tests/target/chaos-classpath.txt
if [ "$build" = 1 ] || [ ! -f "$cp_file" ]; then
  echo "building the distribution and the harness (mvn package, tests skipped)..." >&2
  (cd "$root" && mvn -q -B package dependency:build-classpath -pl chaos-tests -am -DskipTests \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test) >&2
fi

dist=$(ls -d "$root"/ops/target/raftmesh-*/raftmesh-* 2>/dev/null | head -n 1)
if [ -z "$dist" ]; then
  echo "chaos: no distribution under ops/target (run without --no-build)" >&2
  exit 2
fi

# The private engine of ops/docker/engine.sh, when it runs and no other engine was chosen.
if [ -z "${DOCKER_HOST:-}" ] && engine_env=$("$root/ops/docker/engine.sh" env 2>/dev/null); then
  eval "$engine_env"
fi

logback=$store/logback-chaos.xml
cat > "$logback" <<XML
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$store/chaos.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <logger name="io.netty" level="INFO"/>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
XML

exec java -Dlogback.configurationFile="$logback" \
  -cp "$root/chaos-tests/target/classes:$(cat "$cp_file")" \
  io.raftmesh.chaos.cli.ChaosMain --dist "$dist" --store "$store" "${args[@]}"
