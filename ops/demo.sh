#!/usr/bin/env bash
# The local demo cluster: three control servers on loopback, trust bootstrapped with the CLI,
# two node agents that enroll with a join token, a Python frontend calling a Python backend
# (two versions) through the sidecar proxies, ops/examples/mesh.yaml applied, requests showing
# the SPIFFE IDs the mesh verified over mutual TLS, `raftmesh stats` and `raftmesh status`.
#
#   ops/demo.sh                 run it, then keep it up until Ctrl-C
#   ops/demo.sh --once          run the happy path and exit (0: it worked, 1: a step failed)
#   ops/demo.sh --kill-leader   also kill the Raft leader live: requests keep succeeding,
#                               a new leader is elected (combine with --once for a script)
#
# Environment:
#   RAFTMESH_HOME        an unpacked distribution to use (default: the one `mvn package` makes
#                        under ops/target, built when missing)
#   RAFTMESH_DEMO_DIR    where the run's files and logs go (default: a new directory under
#                        ${TMPDIR:-/tmp}); it is kept after the demo for the logs
#   RAFTMESH_JAVA_OPTS   JVM options of every raftmesh process (default: small heaps, C1 only)
#
# Everything it starts is stopped when it exits (Ctrl-C included), by PID.
set -uo pipefail

once=0
kill_leader=0
for arg in "$@"; do
  case $arg in
    --once) once=1 ;;
    --kill-leader) kill_leader=1 ;;
    -h | --help)
      sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "demo: unknown argument: $arg (expected: --once, --kill-leader, --help)" >&2
      exit 2
      ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
trust_domain=demo.raftmesh.local
started_pids=()
started_names=()
current_log=""

# ---------------------------------------------------------------- output and cleanup
step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }

fail() {
  printf '\ndemo: FAILED: %s\n' "$1" >&2
  local log=${2:-$current_log}
  if [ -n "$log" ] && [ -f "$log" ]; then
    printf 'demo: read the log: %s (last lines below)\n' "$log" >&2
    tail -n 15 "$log" | sed 's/^/    | /' >&2
  fi
  exit 1
}

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ ${#started_pids[@]} -gt 0 ]; then
    printf '\n==> stopping %d processes\n' "${#started_pids[@]}"
    local i
    for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
      kill -TERM "${started_pids[$i]}" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 15))
    for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
      while kill -0 "${started_pids[$i]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
      done
      if kill -0 "${started_pids[$i]}" 2>/dev/null; then
        kill -KILL "${started_pids[$i]}" 2>/dev/null || true
        info "${started_names[$i]} (pid ${started_pids[$i]}) did not stop in time: killed"
      fi
      wait "${started_pids[$i]}" 2>/dev/null || true
    done
  fi
  if [ -n "${run:-}" ]; then
    printf '    logs and state kept in %s\n' "$run"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME LOG COMMAND...: runs COMMAND in the background, remembers its PID.
start() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  started_pids+=($!)
  started_names+=("$name")
  info "$name started (pid $!, log $log)"
}

pid_of() {
  local i
  for i in "${!started_names[@]}"; do
    if [ "${started_names[$i]}" = "$1" ]; then
      echo "${started_pids[$i]}"
      return
    fi
  done
}

# await SECONDS WHAT COMMAND...: retries COMMAND every half second; fails naming WHAT.
await() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      fail "timed out after ${limit}s waiting for $what"
    fi
    sleep 0.5
  done
}

alive() {
  local name=$1 log=$2 pid
  pid=$(pid_of "$name")
  kill -0 "$pid" 2>/dev/null || fail "$name exited early" "$log"
}

# ---------------------------------------------------------------- prerequisites and build
step "checking prerequisites"
for tool in java python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (install it: Java 17+, Python 3)"
done
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$repo/ops/pom.xml" | head -n 1)
home=${RAFTMESH_HOME:-$repo/ops/target/raftmesh-$version/raftmesh-$version}
if [ ! -x "$home/bin/raftmesh" ] || [ ! -d "$home/lib/server" ] || [ ! -d "$home/lib/agent" ]; then
  [ -n "${RAFTMESH_HOME:-}" ] && fail "RAFTMESH_HOME=$RAFTMESH_HOME is not a raftmesh distribution (no bin/raftmesh, lib/server, lib/agent)"
  command -v mvn >/dev/null 2>&1 || fail "mvn not found: install Maven 3.8+ to build the distribution"
  step "building the distribution (mvn package -pl ops -am, a few minutes the first time)"
  mkdir -p "$repo/ops/target"
  current_log=$repo/ops/target/demo-build.log
  (cd "$repo" && mvn -q -B package -DskipTests -Dspotless.check.skip=true -Dcheckstyle.skip=true -pl ops -am) >"$current_log" 2>&1 ||
    fail "the build failed" "$current_log"
  [ -x "$home/bin/raftmesh" ] || fail "the build did not produce $home/bin/raftmesh" "$current_log"
fi
info "distribution: $home"
raftmesh=$home/bin/raftmesh
export RAFTMESH_JAVA_OPTS=${RAFTMESH_JAVA_OPTS:--Xmx192m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1}

if [ -n "${RAFTMESH_DEMO_DIR:-}" ]; then
  run=$RAFTMESH_DEMO_DIR
  mkdir -p "$run" || fail "cannot create RAFTMESH_DEMO_DIR=$run"
  [ -z "$(ls -A "$run")" ] || fail "RAFTMESH_DEMO_DIR=$run is not empty (expected: a new or empty directory)"
else
  run=$(mktemp -d "${TMPDIR:-/tmp}/raftmesh-demo.XXXXXX") || fail "cannot create a run directory"
fi
mkdir -p "$run/logs"
info "run directory: $run"

# 18 free loopback ports, held open together so they are distinct.
mapfile -t ports < <(python3 - <<'PY'
import socket
socks = []
for _ in range(18):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
)
[ ${#ports[@]} -eq 18 ] || fail "could not find free loopback ports"
ids=(n1 n2 n3)
declare -A raft_port grpc_port metrics_port
for i in 0 1 2; do
  raft_port[${ids[$i]}]=${ports[$i]}
  grpc_port[${ids[$i]}]=${ports[$((i + 3))]}
  metrics_port[${ids[$i]}]=${ports[$((i + 6))]}
done
frontend_port=${ports[9]} backend_v1_port=${ports[10]} backend_v2_port=${ports[11]}
inbound_backend_a=${ports[12]} inbound_frontend_b=${ports[13]} inbound_backend_b=${ports[14]}
outbound_b=${ports[15]} admin_a=${ports[16]} admin_b=${ports[17]}
peers="n1=127.0.0.1:${raft_port[n1]},n2=127.0.0.1:${raft_port[n2]},n3=127.0.0.1:${raft_port[n3]}"
servers="127.0.0.1:${grpc_port[n1]},127.0.0.1:${grpc_port[n2]},127.0.0.1:${grpc_port[n3]}"

# The operator's CLI, pointed at the cluster with the admin certificate from `ca init`.
export RAFTMESH_SERVERS=$servers
export RAFTMESH_TLS_DIR=$run/pki/admin
# The CLI logs to stderr (TLS material loaded, ...): that goes to a log, its output stays here.
cli() { "$raftmesh" "$@" 2>>"$run/logs/cli.log"; }

# ---------------------------------------------------------------- trust
step "bootstrapping trust: an offline root CA, then the cluster's issuing CA and certificates"
current_log=$run/logs/ca.log
"$raftmesh" ca bootstrap --trust-domain "$trust_domain" --out "$run/root" >"$current_log" 2>&1 ||
  fail "raftmesh ca bootstrap failed"
grep -E 'root CA|fingerprint' "$current_log" | sed 's/^/    /'
"$raftmesh" ca init --root-cert "$run/root/root.crt" --root-key "$run/root/root.key" \
  --server n1=127.0.0.1 --server n2=127.0.0.1 --server n3=127.0.0.1 \
  --out "$run/pki" >>"$current_log" 2>&1 || fail "raftmesh ca init failed"
info "issuing CA sealed under a new key-encryption key: $run/pki/issuer.json, $run/pki/kek.key"
info "TLS material: $run/pki/servers/<id>/ (servers), $run/pki/admin/ (the CLI's admin identity)"

# ---------------------------------------------------------------- control servers
step "starting 3 control servers on loopback (Raft + gRPC API + /metrics)"
for id in "${ids[@]}"; do
  start "server-$id" "$run/logs/server-$id.log" "$raftmesh" server --id "$id" --peers "$peers" \
    --data-dir "$run/data/$id" --tls-dir "$run/pki/servers/$id" \
    --kek-file "$run/pki/kek.key" --issuer-file "$run/pki/issuer.json" \
    --bind-address 127.0.0.1 --grpc-port "${grpc_port[$id]}" --metrics-port "${metrics_port[$id]}"
done

leader_of() { sed -n 's/^Cluster: *leader \([a-z0-9-]*\),.*/\1/p' <<<"$1"; }
# http_get URL: the body on stdout, exit status 1 when the request fails (no JVM to start).
http_get() {
  python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null
}
# Every server reports a leader (raftmesh_raft_has_leader on its /metrics).
all_see_leader() {
  local id
  for id in "${ids[@]}"; do
    http_get "http://127.0.0.1:${metrics_port[$id]}/metrics" | grep -q '^raftmesh_raft_has_leader 1' || return 1
  done
}
deadline=$((SECONDS + 120))
until all_see_leader; do
  for id in "${ids[@]}"; do alive "server-$id" "$run/logs/server-$id.log"; done
  [ $SECONDS -lt $deadline ] || fail "no leader elected within 120s" "$run/logs/server-n1.log"
  sleep 1
done
# The first leader stores the issuing CA from --issuer-file just after its election: until
# then, enrollment and join tokens are refused (FAILED_PRECONDITION).
until status_out=$(cli status --timeout 5s) && grep -q '^Identity: trust domain' <<<"$status_out"; do
  [ $SECONDS -lt $deadline ] || fail "the leader did not install the issuing CA within 120s" "$run/logs/server-n1.log"
  sleep 1
done
info "leader elected: $(leader_of "$status_out"); $(grep '^Identity:' <<<"$status_out" | sed 's/^Identity: //')"

# ---------------------------------------------------------------- join token
step "creating a join token for 2 agents"
current_log=$run/logs/cli.log
token=$(cli token create --uses 2 --ttl 1h --description "demo agents" -q) ||
  fail "raftmesh token create failed"
[ -n "$token" ] || fail "raftmesh token create printed no token"
info "token created (shown once; the cluster keeps only its hash)"

# ---------------------------------------------------------------- mesh config
step "applying ops/examples/mesh.yaml (services, an 80/20 split with retries, authorization)"
info "services are declared before agents register endpoints for them"
current_log=$run/logs/apply.log
cli apply -f "$home/examples/mesh.yaml" >"$current_log" || fail "raftmesh apply failed" "$run/logs/cli.log"
sed 's/^/    /' "$current_log"

# ---------------------------------------------------------------- demo services
step "starting the demo services (Python, not mesh-aware)"
start backend-v1 "$run/logs/backend-v1.log" python3 "$home/demo/backend.py" \
  --port "$backend_v1_port" --version v1
start backend-v2 "$run/logs/backend-v2.log" python3 "$home/demo/backend.py" \
  --port "$backend_v2_port" --version v2 --fail-every 4
start frontend "$run/logs/frontend.log" python3 "$home/demo/frontend.py" \
  --port "$frontend_port" --mesh-proxy "127.0.0.1:$outbound_b" --backend-host backend.demo
info "backend v2 fails every 4th request on purpose: the route's retries hide it"

# ---------------------------------------------------------------- agents
step "starting 2 node agents; they enroll with the token and register their services"
cat >"$run/node-a.yaml" <<EOF
node: node-a
servers: [$(sed 's/,/, /g' <<<"$servers")]
data-dir: $run/agents/node-a
inbound-address: 127.0.0.1
admin-port: $admin_a
backoff-max: 2s
telemetry-interval: 1s
services:
  - name: backend
    namespace: demo
    protocol: http
    app-port: $backend_v1_port
    inbound-port: $inbound_backend_a
    labels: {version: v1}
    health: {http-path: /healthz, interval: 2s}
EOF
cat >"$run/node-b.yaml" <<EOF
node: node-b
servers: [$(sed 's/,/, /g' <<<"$servers")]
data-dir: $run/agents/node-b
inbound-address: 127.0.0.1
admin-port: $admin_b
backoff-max: 2s
telemetry-interval: 1s
services:
  - name: frontend
    namespace: demo
    protocol: http
    app-port: $frontend_port
    inbound-port: $inbound_frontend_b
    outbound-port: $outbound_b
    upstreams: [backend]
  - name: backend
    namespace: demo
    protocol: http
    app-port: $backend_v2_port
    inbound-port: $inbound_backend_b
    labels: {version: v2}
    health: {http-path: /healthz, interval: 2s}
EOF
for node in node-a node-b; do
  start "agent-$node" "$run/logs/agent-$node.log" "$raftmesh" agent --config "$run/$node.yaml" --join "$token"
done
agent_status() { "$raftmesh" agent status --config "$run/$1.yaml" "${@:2}" 2>>"$run/logs/cli.log"; }
admin_port() { if [ "$1" = node-a ]; then echo "$admin_a"; else echo "$admin_b"; fi; }
# applied NODE: "<spiffe id> <applied revision>" from the agent's admin endpoint.
applied() {
  http_get "http://127.0.0.1:$(admin_port "$1")/status" |
    python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["spiffe_id"], s["applied_revision"])'
}
for node in node-a node-b; do
  deadline=$((SECONDS + 120))
  until [ "$(applied "$node" 2>>"$run/logs/status-probe.log" | cut -d" " -f2)" -gt 0 ] 2>/dev/null; do
    alive "agent-$node" "$run/logs/agent-$node.log"
    [ $SECONDS -lt $deadline ] || fail "agent $node did not enroll and apply a config within 120s" "$run/logs/agent-$node.log"
    sleep 1
  done
  read -r spiffe revision <<<"$(applied "$node")"
  info "agent $node enrolled as $spiffe, config applied at revision $revision"
done

# ---------------------------------------------------------------- traffic
step "sending requests: client -> frontend -> (mesh, mutual TLS) -> backend"
client=(python3 "$home/demo/client.py" --url "http://127.0.0.1:$frontend_port/")
deadline=$((SECONDS + 60))
until "${client[@]}" --count 1 --quiet >"$run/logs/client-warmup.log" 2>&1; do
  for node in node-a node-b; do alive "agent-$node" "$run/logs/agent-$node.log"; done
  [ $SECONDS -lt $deadline ] || fail "no request succeeded through the mesh within 60s" "$run/logs/agent-node-b.log"
  sleep 1
done
"${client[@]}" --count 20 | tee "$run/logs/client.log" || fail "requests through the mesh failed" "$run/logs/agent-node-b.log"
grep -q "callers seen by the backend: spiffe://$trust_domain/ns/demo/sa/frontend\$" "$run/logs/client.log" ||
  fail "the backend did not see the frontend's SPIFFE ID" "$run/logs/client.log"
info "every request crossed the mesh over mutual TLS: the backend's proxy verified the caller's"
info "certificate and passed its SPIFFE ID on (x-raftmesh-peer-identity)"

step "authorization: the backend's policy lets the frontend GET, nothing else"
python3 "$home/demo/client.py" --url "http://127.0.0.1:$frontend_port/" --post | sed 's/^/    /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the AuthorizationPolicy did not refuse a POST" "$run/logs/agent-node-a.log"

step "plaintext straight to the backend's inbound listener (not through the mesh)"
python3 "$home/demo/client.py" --plaintext "127.0.0.1:$inbound_backend_a" | sed 's/^/    /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the backend's inbound listener accepted plaintext in STRICT mode" "$run/logs/agent-node-a.log"

step "the control plane checks identities too: node-b's own certificate cannot change the config"
serial=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["serial"])' "$run/agents/node-b/identity/node.json") ||
  fail "cannot read node-b's identity" "$run/logs/agent-node-b.log"
mkdir -p "$run/node-b-as-admin"
cp "$run/agents/node-b/identity/node-$serial.crt" "$run/node-b-as-admin/tls.crt"
cp "$run/agents/node-b/identity/node-$serial.key" "$run/node-b-as-admin/tls.key"
cp "$run/agents/node-b/identity/bundle.pem" "$run/node-b-as-admin/trust-bundle.pem"
if out=$("$raftmesh" apply -f "$home/examples/mesh.yaml" --tls-dir "$run/node-b-as-admin" 2>&1); then
  fail "a node's certificate was allowed to apply config" "$run/logs/cli.log"
fi
grep -m 1 '^error:' <<<"$out" | sed 's/^/    raftmesh apply as node-b: /'
grep -q PERMISSION_DENIED <<<"$out" || fail "expected PERMISSION_DENIED for a node's certificate, got: $out"

# ---------------------------------------------------------------- status and metrics
step "raftmesh status"
cli status | sed 's/^/    /'
step "raftmesh stats: live traffic per service and per edge, merged from every server"
# The agents report every second (telemetry-interval); wait until the 20 requests above show.
deadline=$((SECONDS + 30))
until stats_out=$(cli stats demo/backend) &&
  grep -Eq '^demo/frontend +demo/backend +([2-9][0-9]|[1-9][0-9]{2,}) ' <<<"$stats_out"; do
  [ $SECONDS -lt $deadline ] || fail "raftmesh stats did not show the frontend's requests within 30s" "$run/logs/cli.log"
  sleep 1
done
sed 's/^/    /' <<<"$stats_out"
step "raftmesh agent status (node-b)"
agent_status node-b | sed 's/^/    /'

step "metrics (Prometheus text)"
for id in "${ids[@]}"; do info "server $id: http://127.0.0.1:${metrics_port[$id]}/metrics"; done
info "agent node-a: http://127.0.0.1:$admin_a/metrics (also /status, /healthz)"
info "agent node-b: http://127.0.0.1:$admin_b/metrics"
python3 - "$admin_a" <<'PY' | sed 's/^/    /'
import sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
for line in text.splitlines():
    if line.startswith("raftmesh_proxy_requests_total{") and not line.endswith(" 0.0"):
        print("node-a " + line)
PY

# A snapshot of every process's metrics, for a look without Prometheus (and for the tests
# that check the Grafana dashboard and the alert rules against the names the code exports).
mkdir -p "$run/metrics"
python3 - "$run/metrics" "server-n1=${metrics_port[n1]}" "server-n2=${metrics_port[n2]}" \
  "server-n3=${metrics_port[n3]}" "agent-node-a=$admin_a" "agent-node-b=$admin_b" <<'PY' ||
import sys, urllib.request
for item in sys.argv[2:]:
    name, port = item.split("=")
    text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=10).read()
    open("%s/%s.prom" % (sys.argv[1], name), "wb").write(text)
PY
  fail "could not scrape the processes' /metrics"
info "a snapshot of every process's metrics: $run/metrics/"

# ---------------------------------------------------------------- failover
if [ $kill_leader -eq 1 ]; then
  step "failover: killing the Raft leader while requests keep flowing"
  status_out=$(cli status) || fail "raftmesh status failed" "$run/logs/cli.log"
  old=$(leader_of "$status_out")
  pid=$(pid_of "server-$old")
  info "leader is $old (pid $pid): kill -9"
  "${client[@]}" --count 40 --interval 0.1 --quiet >"$run/logs/client-failover.log" 2>&1 &
  client_pid=$!
  # (waiting for the killed server here keeps bash from printing its own "Killed" notice)
  { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null
  wait "$client_pid"
  client_code=$?
  sed 's/^/    /' "$run/logs/client-failover.log"
  [ $client_code -eq 0 ] || fail "requests failed while the leader was down" "$run/logs/client-failover.log"
  deadline=$((SECONDS + 60))
  new=""
  while [ $SECONDS -lt $deadline ]; do
    status_out=$(cli status --timeout 3s 2>/dev/null) && new=$(leader_of "$status_out")
    if [ -n "$new" ] && [ "$new" != NONE ] && [ "$new" != "$old" ]; then break; fi
    new=""
    sleep 1
  done
  [ -n "$new" ] || fail "no new leader within 60s after killing $old" "$run/logs/server-n1.log"
  info "new leader: $new"
  token2=$(cli token create --uses 1 -q) || fail "a write after the failover failed" "$run/logs/cli.log"
  [ -n "$token2" ] && info "the cluster accepts writes again (a new join token was created)"
  cli status | sed 's/^/    /'
fi

# ---------------------------------------------------------------- done
step "the demo mesh is up"
info "frontend:   curl http://127.0.0.1:$frontend_port/"
info "CLI:        RAFTMESH_SERVERS=$servers RAFTMESH_TLS_DIR=$run/pki/admin $raftmesh status"
info "logs:       $run/logs/"
if [ $once -eq 1 ]; then
  echo "demo: OK"
  exit 0
fi
echo "demo: OK (press Ctrl-C to stop everything)"
while true; do
  for i in "${!started_pids[@]}"; do
    if ! kill -0 "${started_pids[$i]}" 2>/dev/null && [ "${started_names[$i]}" != "server-${old:-}" ]; then
      fail "${started_names[$i]} exited" "$run/logs/${started_names[$i]}.log"
    fi
  done
  sleep 2
done
