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
WORK="$PWD/$BENCH/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

raftmesh() { java -cp "$CP" io.raftmesh.server.cli.RaftmeshMain "$@"; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_port() {
  local p=$1
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

echo "bench: trust material (ca bootstrap, ca init)" >&2
raftmesh ca bootstrap --trust-domain bench.mesh --out "$WORK/root" >/dev/null
raftmesh ca init --root-cert "$WORK/root/root.crt" --root-key "$WORK/root/root.key" \
  --server n1=127.0.0.1 --server n2=127.0.0.1 --server n3=127.0.0.1 --out "$WORK/cluster" >/dev/null

BASE=$((20000 + RANDOM % 10000))
declare -A RAFT GRPC METRICS
port=$BASE
for n in n1 n2 n3; do
  RAFT[$n]=$(next_port $port); GRPC[$n]=$(next_port $((RAFT[$n] + 1)))
  METRICS[$n]=$(next_port $((GRPC[$n] + 1))); port=$((METRICS[$n] + 1))
done
PEERS="n1=127.0.0.1:${RAFT[n1]},n2=127.0.0.1:${RAFT[n2]},n3=127.0.0.1:${RAFT[n3]}"
SERVERS="127.0.0.1:${GRPC[n1]},127.0.0.1:${GRPC[n2]},127.0.0.1:${GRPC[n3]}"
PIDLIST=""
for n in n1 n2 n3; do
  # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of JVM flags (e.g. a JFR recording)
  java -Xms512m -Xmx512m ${SERVER_JAVA_OPTS:-} -cp "$CP" io.raftmesh.server.cli.RaftmeshMain server \
    --id "$n" --peers "$PEERS" --data-dir "$WORK/data/$n" \
    --tls-dir "$WORK/cluster/servers/$n" --kek-file "$WORK/cluster/kek.key" \
    --issuer-file "$WORK/cluster/issuer.json" --bind-address 127.0.0.1 \
    --grpc-port "${GRPC[$n]}" --metrics-port "${METRICS[$n]}" >"$WORK/$n.log" 2>&1 &
  PIDS+=($!)
  PIDLIST="${PIDLIST:+$PIDLIST,}$n:$!"
done
for n in n1 n2 n3; do
  for _ in $(seq 1 300); do
    if grep -qs "serving gRPC" "$WORK/$n.log"; then break; fi
    sleep 0.2
  done
done
echo "bench: machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)" >&2
java -Xmx1g -cp "$CP" io.raftmesh.bench.xds.XdsBench --servers="$SERVERS" \
  --admin-tls="$WORK/cluster/admin" --root-cert="$WORK/root/root.crt" \
  --clients="$CLIENTS" --services="$SERVICES" --writes="$WRITES" --pids="$PIDLIST" | tee "$WORK/results"
echo "bench: server logs and results in $WORK" >&2
