#!/usr/bin/env bash
# Benchmark: the raftmesh control plane. Three `raftmesh server` processes on loopback (fsync on,
# mutual TLS everywhere, certificates from `raftmesh ca init`), driven by simulated agents in one
# JVM (ops/bench/control-bench):
#   (1) enrollment rate: N agents enroll with one N-use join token, C client threads;
#   (2) propagation: N agents hold delta streams (spread over the three servers); one config write
#       at a time, the time until all N have received it, p50/p99 over W writes (after 5 warm-ups);
#   (3) memory per open stream: server heap after a full GC before and after opening the streams.
# Prints figures; never fails on a timing.
#
#   ops/bench/control.sh [agents (default 100,1000)] [writes (default 50)] [client threads (default 16)]
#
# Needs Java 17 and Maven. SERVER_JAVA_OPTS adds JVM flags to the servers (e.g. a JFR recording).
set -euo pipefail
cd "$(dirname "$0")/../.."
AGENTS="${1:-100,1000}"
WRITES="${2:-50}"
THREADS="${3:-16}"

echo "bench: building the server and the simulated agents" >&2
mvn -q -B -Pbench -pl ops/bench/control-bench -am package -DskipTests
BENCH=ops/bench/control-bench/target
CP="$BENCH/control-bench-0.1.0-SNAPSHOT.jar:$BENCH/lib/*"
# shellcheck source=ops/bench/servers.sh
. ops/bench/servers.sh
echo "bench: machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)" >&2
java -Xmx3g -cp "$CP" io.raftmesh.bench.ControlBench --servers="$SERVERS" \
  --admin-tls="$WORK/cluster/admin" --root-cert="$WORK/root/root.crt" \
  --agents="$AGENTS" --writes="$WRITES" --concurrency="$THREADS" --pids="$PIDLIST" | tee "$WORK/results"
echo "bench: server logs and results in $WORK" >&2
