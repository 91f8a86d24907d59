# Sourced by ops/bench/control.sh and ops/bench/xds.sh: three `raftmesh server` processes on
# loopback (fsync on, mutual TLS, trust material from `ca bootstrap` + `ca init`), stopped on exit.
#
# Needs: CP (classpath with the server), BENCH (the bench module's target dir).
# Sets: WORK (run dir with logs and trust material), SERVERS (gRPC host:port list), PIDLIST
# (id:pid list for the bench's CPU and heap figures).
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
  # SERVER_JAVA_OPTS: JVM flags for every server; {id} becomes the server's id, e.g.
  # SERVER_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/{id}.jfr,settings=profile'
  opts="${SERVER_JAVA_OPTS:-}"
  opts="${opts//\{id\}/$n}"
  # shellcheck disable=SC2086 # a list of JVM flags
  java -Xms512m -Xmx512m $opts -cp "$CP" io.raftmesh.server.cli.RaftmeshMain server \
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
