#!/usr/bin/env bash
# Benchmark: the raftmesh store (3 members, separate JVMs, fsync on) against a 3-member etcd
# (Debian's etcd-server), both on loopback, in the same run, driven by the same Java load
# generator (StoreClient for raftmesh, jetcd for etcd; one client object, N callers).
# Prints each figure and the ratio raftmesh/etcd. Never fails on a timing.
#
#   ops/bench/store.sh [seconds-per-phase (default 8)] [sequential puts (default 2000)]
#
# Needs Java 17, Maven, and etcd (installed with apt-get when run as root on Debian).
set -euo pipefail
cd "$(dirname "$0")/../.."
PHASE_SECONDS="${1:-8}"
SEQ_OPS="${2:-2000}"

if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing etcd-server" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null; }
  else
    echo "bench: etcd not found (install Debian's etcd-server)" >&2
    exit 2
  fi
fi

echo "bench: building the store and the load generator" >&2
mvn -q -B -Pbench -pl ops/bench/store-bench -am package -DskipTests
BENCH=ops/bench/store-bench/target
CP="$BENCH/store-bench-0.1.0-SNAPSHOT.jar:$BENCH/lib/*"
# Data on the same disk as the repository (not a tmpfs: fsync must mean something).
WORK="$PWD/$BENCH/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$WORK/raftmesh" "$WORK/etcd"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_port() {
  local p=$1
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}
BASE=$((20000 + RANDOM % 20000))

echo "bench: raftmesh cluster" >&2
P1=$(next_port $BASE); P2=$(next_port $((P1 + 1))); P3=$(next_port $((P2 + 1)))
PEERS="n1=127.0.0.1:$P1,n2=127.0.0.1:$P2,n3=127.0.0.1:$P3"
STATUS=""
for n in n1 n2 n3; do
  java -Xms256m -Xmx1g -cp "$CP" io.raftmesh.bench.StoreNode "$n" "$PEERS" "$WORK/raftmesh/$n" \
    "$WORK/raftmesh/$n.status" 300 600 >"$WORK/raftmesh/$n.log" 2>&1 &
  PIDS+=($!)
  STATUS="${STATUS:+$STATUS,}$WORK/raftmesh/$n.status"
done
for _ in $(seq 1 300); do
  if grep -qs " LEADER " "$WORK"/raftmesh/*.status; then break; fi
  sleep 0.2
done
java -Xmx2g -cp "$CP" io.raftmesh.bench.LoadGen --target=raftmesh --peers="$PEERS" \
  --status="$STATUS" --seq="$SEQ_OPS" --seconds="$PHASE_SECONDS" | tee "$WORK/raftmesh.results"
cleanup
PIDS=()

echo "bench: etcd cluster ($(etcd --version | head -1))" >&2
C=(); P=()
port=$((BASE + 100))
for i in 1 2 3; do
  c=$(next_port $port); p=$(next_port $((c + 1))); port=$((p + 1))
  C+=("$c"); P+=("$p")
done
CLUSTER="e1=http://127.0.0.1:${P[0]},e2=http://127.0.0.1:${P[1]},e3=http://127.0.0.1:${P[2]}"
ENDPOINTS=""; PIDMAP=""
for i in 0 1 2; do
  name="e$((i + 1))"
  etcd --name "$name" --data-dir "$WORK/etcd/$name" \
    --listen-client-urls "http://127.0.0.1:${C[$i]}" --advertise-client-urls "http://127.0.0.1:${C[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${P[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${P[$i]}" \
    --initial-cluster "$CLUSTER" --initial-cluster-token raftmesh-bench --initial-cluster-state new \
    --logger=zap --log-level=warn >"$WORK/etcd/$name.log" 2>&1 &
  PIDS+=($!)
  ENDPOINTS="${ENDPOINTS:+$ENDPOINTS,}http://127.0.0.1:${C[$i]}"
  PIDMAP="${PIDMAP:+$PIDMAP,}http://127.0.0.1:${C[$i]}=$!"
done
for _ in $(seq 1 300); do
  if ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" endpoint health >/dev/null 2>&1; then break; fi
  sleep 0.2
done
java -Xmx2g -cp "$CP" io.raftmesh.bench.LoadGen --target=etcd --endpoints="$ENDPOINTS" \
  --pids="$PIDMAP" --seq="$SEQ_OPS" --seconds="$PHASE_SECONDS" | tee "$WORK/etcd.results"
cleanup
PIDS=()

echo
echo "Same-run comparison ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)); ratio = raftmesh / etcd"
printf '%-22s %12s %12s %8s  %s\n' figure raftmesh etcd ratio better
awk '
  FNR == NR { rm[$3] = $4; order[++n] = $3; next }
  { et[$3] = $4 }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      better = (k ~ /ops_per_s/) ? "higher" : "lower"
      ratio = (et[k] > 0) ? rm[k] / et[k] : 0
      printf "%-22s %12.2f %12.2f %8.2f  %s\n", k, rm[k], et[k], ratio, better
    }
  }' "$WORK/raftmesh.results" "$WORK/etcd.results" | tee "$WORK/comparison.txt"
echo "(raw results and logs: $WORK)"
