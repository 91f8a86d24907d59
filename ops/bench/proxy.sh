#!/usr/bin/env bash
# Benchmark of the raftmesh sidecar proxy pair against a direct backend and an HAProxy pair.
#
# One run measures, with the same nginx backend and the same load generators:
#   direct    client -> nginx
#   raftmesh  client -> raftmesh outbound (loopback) -> mTLS HTTP/2 -> raftmesh inbound -> nginx
#   haproxy   client -> haproxy (loopback)           -> mTLS HTTP/2 -> haproxy (TLS)    -> nginx
# with wrk (HTTP/1.1 keep-alive) and h2load (HTTP/2, prior knowledge), at fixed concurrency.
# Servers and proxies are pinned to CPU 1, load generators to CPU 0 (taskset).
# Prints req/s, p50/p99 (wrk) or mean (h2load) latency, latency added per hop, proxy RSS and
# proxy CPU microseconds per request, and ratios. It never fails on a figure.
#
# Needs: java 17, maven, nginx, haproxy, wrk, h2load (Debian: nginx haproxy wrk nghttp2-client).
# Usage: ops/bench/proxy.sh            (env: DURATION=10 WARMUP=10 CONNS=16 H2_CONNS=4
#                                        H2_STREAMS=16 MVN_OFFLINE=1 BASE_PORT=18000)
#   LOADS="wrk h2"   which load generators to run
#   ROUNDS=1         measure each pair this many times, interleaved (raftmesh, haproxy, then
#                    haproxy, raftmesh, ...);
#                    the table shows every round; per-round ratios compare each round's pairs,
#                    the summary lines use the best round (highest req/s) of each pair
#   SKIP_BUILD=1     reuse the classes and classpath of the previous run (no maven)
#   JFR_DIR=DIR      record both raftmesh JVMs with JFR (settings=profile) into DIR
#   RM_JAVA_OPTS=... extra JVM options of the raftmesh proxies
#   JIT_WARMUP=60    seconds of load on the raftmesh pair before the first measurement (JIT)
#   RM_B_CLASSES=DIR a second raftmesh pair ("rm-b") run from other compiled main classes (e.g. the
#                    previous commit's), measured in the same rounds: an A/B test on one machine state
#   RM_B_JAVA_OPTS=  extra JVM options of the rm-b pair only (RM_B_CLASSES=data-plane-agent/target/classes
#                    and different options: an A/B test of JVM or Netty settings)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-10}"
CONNS="${CONNS:-16}"
H2_CONNS="${H2_CONNS:-4}"
H2_STREAMS="${H2_STREAMS:-16}"
BASE="${BASE_PORT:-18000}"
NGINX_H1=$((BASE + 80)); NGINX_H2=$((BASE + 81))
RM_OUT=$((BASE + 1)); RM_IN=$((BASE + 443))
RMB_OUT=$((BASE + 4)); RMB_IN=$((BASE + 445))
HA_OUT=$((BASE + 2)); HA_OUT_H2=$((BASE + 3)); HA_IN=$((BASE + 444))
WORK="$(mktemp -d /tmp/raftmesh-bench.XXXXXX)"
PIDS=()

for tool in java mvn nginx haproxy wrk h2load taskset; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install nginx haproxy wrk nghttp2-client)"; exit 2; }
done

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT"
CP_FILE="$ROOT/data-plane-agent/target/bench-classpath.txt"
if [ -z "${SKIP_BUILD:-}" ] || [ ! -s "$CP_FILE" ]; then
  echo "building data-plane-agent (test classes) ..."
  mvn -q -B ${MVN_OFFLINE:+-o} test-compile dependency:build-classpath -pl data-plane-agent -am \
    -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test -Dspotless.check.skip=true -Dcheckstyle.skip \
    > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
fi
CP="$ROOT/data-plane-agent/target/classes:$ROOT/data-plane-agent/target/test-classes:$(cat "$CP_FILE")"
LOADS="${LOADS:-wrk h2}"
ROUNDS="${ROUNDS:-1}"
JAVA_OPTS=(-Xms96m -Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=96m -Xss512k -Dio.netty.leakDetection.level=disabled
  -Dlogback.configurationFile="$ROOT/ops/bench/logback-bench.xml")
# shellcheck disable=SC2206
[ -n "${RM_JAVA_OPTS:-}" ] && JAVA_OPTS+=($RM_JAVA_OPTS)
jfr() { # role -> JVM option recording that proxy, when JFR_DIR is set
  [ -n "${JFR_DIR:-}" ] && echo "-XX:StartFlightRecording=dumponexit=true,settings=profile,filename=$JFR_DIR/rm-$1.jfr"
}
[ -n "${JFR_DIR:-}" ] && mkdir -p "$JFR_DIR"

java -cp "$CP" io.raftmesh.agent.proxy.bench.BenchTool pki "$WORK/pki"

# --- backend -------------------------------------------------------------------------------
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NGINX_H1;
    listen 127.0.0.1:$NGINX_H2 http2;
    location / { default_type text/plain; return 200 "hello from the backend\n"; }
  }
}
CONF
taskset -c 1 nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)

# --- raftmesh pair ---------------------------------------------------------------------------
taskset -c 1 java "${JAVA_OPTS[@]}" $(jfr server) -cp "$CP" io.raftmesh.agent.proxy.bench.BenchTool \
  server "$WORK/pki" "$RM_IN" "$NGINX_H1" > "$WORK/rm-server.log" 2>&1 &
RM_SERVER=$!; PIDS+=($RM_SERVER)
taskset -c 1 java "${JAVA_OPTS[@]}" $(jfr client) -cp "$CP" io.raftmesh.agent.proxy.bench.BenchTool \
  client "$WORK/pki" "$RM_OUT" "$RM_IN" > "$WORK/rm-client.log" 2>&1 &
RM_CLIENT=$!; PIDS+=($RM_CLIENT)
TARGETS="raftmesh haproxy"
if [ -n "${RM_B_CLASSES:-}" ]; then
  CP_B="$RM_B_CLASSES:$CP"
  # shellcheck disable=SC2206
  JAVA_OPTS_B=("${JAVA_OPTS[@]}" ${RM_B_JAVA_OPTS:-})
  taskset -c 1 java "${JAVA_OPTS_B[@]}" -cp "$CP_B" io.raftmesh.agent.proxy.bench.BenchTool \
    server "$WORK/pki" "$RMB_IN" "$NGINX_H1" > "$WORK/rmb-server.log" 2>&1 &
  RMB_SERVER=$!; PIDS+=($RMB_SERVER)
  taskset -c 1 java "${JAVA_OPTS_B[@]}" -cp "$CP_B" io.raftmesh.agent.proxy.bench.BenchTool \
    client "$WORK/pki" "$RMB_OUT" "$RMB_IN" > "$WORK/rmb-client.log" 2>&1 &
  RMB_CLIENT=$!; PIDS+=($RMB_CLIENT)
  TARGETS="raftmesh rm-b haproxy"
fi

# --- haproxy pair ----------------------------------------------------------------------------
cat > "$WORK/ha-in.cfg" <<CONF
global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend inbound
  bind 127.0.0.1:$HA_IN ssl crt $WORK/pki/api.pem ca-file $WORK/pki/root.pem verify required alpn h2,http/1.1
  default_backend app
backend app
  http-reuse always
  server nginx 127.0.0.1:$NGINX_H1
CONF
cat > "$WORK/ha-out.cfg" <<CONF
global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend outbound
  bind 127.0.0.1:$HA_OUT
  bind 127.0.0.1:$HA_OUT_H2 proto h2
  default_backend mesh
backend mesh
  http-reuse always
  server api 127.0.0.1:$HA_IN ssl crt $WORK/pki/web.pem ca-file $WORK/pki/root.pem verify required alpn h2
CONF
taskset -c 1 haproxy -db -f "$WORK/ha-in.cfg" > "$WORK/ha-in.log" 2>&1 &
HA_SERVER=$!; PIDS+=($HA_SERVER)
taskset -c 1 haproxy -db -f "$WORK/ha-out.cfg" > "$WORK/ha-out.log" 2>&1 &
HA_CLIENT=$!; PIDS+=($HA_CLIENT)

for i in $(seq 1 60); do
  if grep -q ready "$WORK/rm-server.log" 2>/dev/null && grep -q ready "$WORK/rm-client.log" 2>/dev/null \
    && { [ -z "${RM_B_CLASSES:-}" ] || grep -q ready "$WORK/rmb-client.log" 2>/dev/null; }; then
    break
  fi
  sleep 1
done
grep ready "$WORK/rm-server.log" "$WORK/rm-client.log" || { cat "$WORK"/rm-*.log; exit 1; }
sleep 1

cpu_ticks() { # utime + stime of the given PIDs, in clock ticks
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
to_ms() { # wrk latency ("812.00us", "1.20ms", "1.01s") -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

run_wrk() { # port seconds -> "rps p50ms p99ms requests"
  local out
  out="$(taskset -c 0 wrk -t1 -c"$CONNS" -d"$2"s --latency -H 'Host: api' "http://127.0.0.1:$1/")"
  local rps p50 p99 reqs
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  local errors
  errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")"
  [ -n "$errors" ] && echo "  (wrk: $errors)" >&2
  echo "$rps $p50 $p99 $reqs"
}
run_h2() { # port seconds -> "rps meanms - requests"
  local out
  out="$(taskset -c 0 h2load -c"$H2_CONNS" -m"$H2_STREAMS" -D "$2" -H ':authority: api' "http://127.0.0.1:$1/" 2>&1)"
  local rps mean reqs
  rps="$(awk '/finished in/ {gsub(",", "", $4); print $4}' <<<"$out")"
  mean="$(awk '/time for request:/ {print $6}' <<<"$out")"
  reqs="$(awk '/^requests:/ {print $8}' <<<"$out")"
  echo "$rps $(to_ms "$mean") - $reqs"
}

declare -A R
measure() { # name tool port pids...
  local name=$1 tool=$2 port=$3; shift 3
  "run_$tool" "$port" "$WARMUP" >/dev/null
  local before after res
  before="$(cpu_ticks "$@")"
  res="$("run_$tool" "$port" "$DURATION")"
  after="$(cpu_ticks "$@")"
  read -r rps p50 p99 reqs <<<"$res"
  local cpu_us="-"
  if [ "${reqs:-0}" -gt 0 ]; then
    cpu_us="$(awk -v t=$((after - before)) -v us="$TICK_US" -v n="$reqs" 'BEGIN { printf "%.1f", t * us / n }')"
  fi
  R[$name.$tool]="$rps $p50 $p99 $cpu_us"
}

NGINX_PID="$(cat "$WORK/nginx/nginx.pid")"
NGINX_WORKER="$(pgrep -P "$NGINX_PID" | head -1)"
echo "measuring: ${DURATION}s per run after ${WARMUP}s warm-up; wrk -c$CONNS, h2load -c$H2_CONNS -m$H2_STREAMS; rounds $ROUNDS"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The JVMs compile the hot path (C2) during their first tens of seconds of load; on a busy shared
# core that takes long. Warm them up once with every load before the first measurement.
JIT_WARMUP="${JIT_WARMUP:-60}"
if [ "$JIT_WARMUP" -gt 0 ]; then
  echo "JIT warm-up of the raftmesh pair: ${JIT_WARMUP}s"
  n_loads=$(wc -w <<<"$LOADS")
  for tool in $LOADS; do
    "run_$tool" "$RM_OUT" $((JIT_WARMUP / n_loads)) >/dev/null
    [ -n "${RM_B_CLASSES:-}" ] && "run_$tool" "$RMB_OUT" $((JIT_WARMUP / n_loads)) >/dev/null
  done
fi
port_of() { # target tool -> port
  case "$1.$2" in
    direct.wrk) echo "$NGINX_H1" ;; direct.h2) echo "$NGINX_H2" ;;
    raftmesh.*) echo "$RM_OUT" ;;
    rm-b.*) echo "$RMB_OUT" ;;
    haproxy.wrk) echo "$HA_OUT" ;; haproxy.h2) echo "$HA_OUT_H2" ;;
  esac
}
pids_of() {
  case "$1" in
    direct) echo "$NGINX_WORKER" ;; raftmesh) echo "$RM_CLIENT $RM_SERVER" ;; haproxy) echo "$HA_CLIENT $HA_SERVER" ;;
    rm-b) echo "$RMB_CLIENT $RMB_SERVER" ;;
  esac
}
for tool in $LOADS; do
  # shellcheck disable=SC2046
  measure direct "$tool" "$(port_of direct "$tool")" $(pids_of direct)
  for round in $(seq 1 "$ROUNDS"); do
    order="$TARGETS"
    # Odd rounds go forward, even rounds backward (ABBA), so that a machine getting busier or
    # quieter during the run does not favour the pair measured first.
    [ $((round % 2)) -eq 0 ] && order="$(tr ' ' '\n' <<<"$TARGETS" | tac | tr '\n' ' ')"
    for t in $order; do
      # shellcheck disable=SC2046
      measure "$t" "$tool" "$(port_of "$t" "$tool")" $(pids_of "$t")
      R[$t.$tool.$round]="${R[$t.$tool]}"
      # The best round (highest req/s) stands for the pair in the ratios.
      best="${R[$t.$tool.best]:-}"
      if [ -z "$best" ] || awk -v a="${R[$t.$tool]%% *}" -v b="${best%% *}" 'BEGIN { exit !(a > b) }'; then
        R[$t.$tool.best]="${R[$t.$tool]}"
      fi
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

RM_RSS=$(( $(rss_kib "$RM_CLIENT") + $(rss_kib "$RM_SERVER") ))
HA_RSS=$(( $(rss_kib "$HA_CLIENT") + $(rss_kib "$HA_SERVER") ))

echo
echo "$(uname -r), $(nproc) CPUs; $(java -version 2>&1 | head -1); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1)"
grep -h ready "$WORK/rm-client.log"
printf '%-9s %-6s %5s %10s %9s %9s %12s %10s\n' target load round req/s p50_ms p99_ms cpu_us/req vs_direct
for tool in $LOADS; do
  d_rps="$(cut -d' ' -f1 <<<"${R[direct.$tool]}")"
  rows=("direct.$tool")
  for round in $(seq 1 "$ROUNDS"); do
    for t in $TARGETS; do rows+=("$t.$tool.$round"); done
  done
  for key in "${rows[@]}"; do
    read -r rps p50 p99 cpu <<<"${R[$key]}"
    t="${key%%.*}"; round="${key##*.}"; [ "$t" = direct ] && round=-
    ratio="$(awk -v a="$rps" -v b="$d_rps" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
    printf '%-9s %-6s %5s %10s %9s %9s %12s %10s\n' "$t" "$tool" "$round" "$rps" "$p50" "$p99" "$cpu" "$ratio"
  done
done
echo "(cpu_us/req: direct = the nginx worker; pairs = both proxies together; h2 latency is h2load's mean;"
echo " the lines below use each pair's best round)"
for tool in $LOADS; do
  read -r d_rps d_p50 d_p99 _ <<<"${R[direct.$tool]}"
  for t in $TARGETS; do
    read -r rps p50 p99 _ <<<"${R[$t.$tool.best]}"
    awk -v t="$t" -v tool="$tool" -v p50="$p50" -v d50="$d_p50" -v p99="$p99" -v d99="$d_p99" 'BEGIN {
      if (p99 == "-") printf "added per hop %-8s %-4s mean %.3f ms\n", t, tool, (p50 - d50) / 2;
      else printf "added per hop %-8s %-4s p50 %.3f ms  p99 %.3f ms\n", t, tool, (p50 - d50) / 2, (p99 - d99) / 2 }'
  done
done
for tool in $LOADS; do
  # Each round's raftmesh figures against the HAProxy figures measured right after them.
  ratios=""
  for round in $(seq 1 "$ROUNDS"); do
    read -r rm_rps _ _ rm_cpu <<<"${R[raftmesh.$tool.$round]}"
    read -r ha_rps _ _ ha_cpu <<<"${R[haproxy.$tool.$round]}"
    ratios+="$(awk -v a="$rm_rps" -v b="$ha_rps" -v c="$rm_cpu" -v d="$ha_cpu" 'BEGIN {
      printf "%.2fx/%.2fx ", a / b, c / d }')"
  done
  echo "raftmesh vs haproxy ($tool) per round, req/s / cpu per req: $ratios"
  if [ -n "${RM_B_CLASSES:-}" ]; then
    ratios=""
    for round in $(seq 1 "$ROUNDS"); do
      read -r rm_rps _ _ rm_cpu <<<"${R[rm-b.$tool.$round]}"
      read -r ha_rps _ _ ha_cpu <<<"${R[haproxy.$tool.$round]}"
      ratios+="$(awk -v a="$rm_rps" -v b="$ha_rps" -v c="$rm_cpu" -v d="$ha_cpu" 'BEGIN {
        printf "%.2fx/%.2fx ", a / b, c / d }')"
    done
    echo "rm-b     vs haproxy ($tool) per round, req/s / cpu per req: $ratios"
  fi
done
for tool in $LOADS; do
  read -r rm_rps _ _ rm_cpu <<<"${R[raftmesh.$tool.best]}"
  read -r ha_rps _ _ ha_cpu <<<"${R[haproxy.$tool.best]}"
  awk -v tool="$tool" -v a="$rm_rps" -v b="$ha_rps" -v c="$rm_cpu" -v d="$ha_cpu" 'BEGIN {
    printf "raftmesh vs haproxy (%-3s): req/s %.2fx, cpu/req %.2fx\n", tool, a / b, c / d }'
done
echo "proxy RSS (both proxies of a pair): raftmesh $((RM_RSS / 1024)) MiB, haproxy $((HA_RSS / 1024)) MiB"
if [ -n "${RM_B_CLASSES:-}" ]; then
  echo "rm-b RSS: $(( ($(rss_kib "$RMB_CLIENT") + $(rss_kib "$RMB_SERVER")) / 1024 )) MiB"
fi
