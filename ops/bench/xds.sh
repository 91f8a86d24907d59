#!/usr/bin/env bash
# Benchmark: xDS from the raftmesh control plane. Three `raftmesh server` processes on loopback
# (fsync on, mutual TLS, certificates from `raftmesh ca init`), driven by simulated ADS clients in
# one JVM (ops/bench/xds-bench):
#   (1) memory: the servers' heap after a full GC, before and after S services (two subsets and one
#       registered endpoint each: 8 xDS resources per service);
#   (2) propagation: C xDS clients (state-of-the-world ADS, spread over the three servers) watch one
#       service like grpc-java (LDS, RDS, CDS, EDS) and ACK everything; each write changes that
#       service's route split (`raftmesh apply` through the API); the time from the apply to each
#       client's ACK of it, p50/p99 (after 5 warm-up writes).
# Prints figures; never fails on a timing.
#
#   ops/bench/xds.sh [clients (default 100)] [services (default 1000)] [writes (default 30)]
#
# Needs Java 17 and Maven. SERVER_JAVA_OPTS adds JVM flags to the servers.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS="${1:-100}"
SERVICES="${2:-1000}"
WRITES="${3:-30}"

echo "bench: building the server and the simulated xDS clients" >&2
mvn -q -B -Pbench -pl ops/bench/xds-bench -am package -DskipTests
BENCH=ops/bench/xds-bench/target
CP="$BENCH/xds-bench-0.1.0-SNAPSHOT.jar:$BENCH/lib/*"
# shellcheck source=ops/bench/servers.sh
. ops/bench/servers.sh
echo "bench: machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)" >&2
java -Xmx1g -cp "$CP" io.raftmesh.bench.xds.XdsBench --servers="$SERVERS" \
  --admin-tls="$WORK/cluster/admin" --root-cert="$WORK/root/root.crt" \
  --clients="$CLIENTS" --services="$SERVICES" --writes="$WRITES" --pids="$PIDLIST" | tee "$WORK/results"
echo "bench: server logs and results in $WORK" >&2
