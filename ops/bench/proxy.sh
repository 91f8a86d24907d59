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
echo "building data-plane-agent (test classes) ..."
mvn -q -B ${MVN_OFFLINE:+-o} test-compile dependency:build-classpath -pl data-plane-agent -am \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test -Dspotless.check.skip=true -Dcheckstyle.skip \
  > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
CP="$ROOT/data-plane-agent/target/classes:$ROOT/data-plane-agent/target/test-classes:$(cat "$WORK/cp.txt")"
JAVA_OPTS=(-Xms96m -Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=96m -Xss512k -Dio.netty.leakDetection.level=disabled
  -Dlogback.configurationFile="$ROOT/ops/bench/logback-bench.xml")

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
taskset -c 1 java "${JAVA_OPTS[@]}" -cp "$CP" io.raftmesh.agent.proxy.bench.BenchTool \
  server "$WORK/pki" "$RM_IN" "$NGINX_H1" > "$WORK/rm-server.log" 2>&1 &
RM_SERVER=$!; PIDS+=($RM_SERVER)
taskset -c 1 java "${JAVA_OPTS[@]}" -cp "$CP" io.raftmesh.agent.proxy.bench.BenchTool \
  client "$WORK/pki" "$RM_OUT" "$RM_IN" > "$WORK/rm-client.log" 2>&1 &
RM_CLIENT=$!; PIDS+=($RM_CLIENT)

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
  if grep -q ready "$WORK/rm-server.log" 2>/dev/null && grep -q ready "$WORK/rm-client.log" 2>/dev/null; then
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
echo "measuring: ${DURATION}s per run after ${WARMUP}s warm-up; wrk -c$CONNS, h2load -c$H2_CONNS -m$H2_STREAMS"
measure direct wrk "$NGINX_H1" "$NGINX_WORKER"
measure raftmesh wrk "$RM_OUT" "$RM_CLIENT" "$RM_SERVER"
measure haproxy wrk "$HA_OUT" "$HA_CLIENT" "$HA_SERVER"
measure direct h2 "$NGINX_H2" "$NGINX_WORKER"
measure raftmesh h2 "$RM_OUT" "$RM_CLIENT" "$RM_SERVER"
measure haproxy h2 "$HA_OUT_H2" "$HA_CLIENT" "$HA_SERVER"

RM_RSS=$(( $(rss_kib "$RM_CLIENT") + $(rss_kib "$RM_SERVER") ))
HA_RSS=$(( $(rss_kib "$HA_CLIENT") + $(rss_kib "$HA_SERVER") ))

echo
echo "$(uname -r), $(nproc) CPUs; $(java -version 2>&1 | head -1); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1)"
grep -h ready "$WORK/rm-client.log"
printf '%-9s %-6s %10s %9s %9s %12s %10s\n' target load req/s p50_ms p99_ms cpu_us/req vs_direct
for tool in wrk h2; do
  d_rps="$(cut -d' ' -f1 <<<"${R[direct.$tool]}")"
  for t in direct raftmesh haproxy; do
    read -r rps p50 p99 cpu <<<"${R[$t.$tool]}"
    ratio="$(awk -v a="$rps" -v b="$d_rps" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
    printf '%-9s %-6s %10s %9s %9s %12s %10s\n' "$t" "$tool" "$rps" "$p50" "$p99" "$cpu" "$ratio"
  done
done
echo "(cpu_us/req: direct = the nginx worker; pairs = both proxies together; h2 latency is h2load's mean)"
for tool in wrk h2; do
  read -r d_rps d_p50 d_p99 _ <<<"${R[direct.$tool]}"
  for t in raftmesh haproxy; do
    read -r rps p50 p99 _ <<<"${R[$t.$tool]}"
    awk -v t="$t" -v tool="$tool" -v p50="$p50" -v d50="$d_p50" -v p99="$p99" -v d99="$d_p99" 'BEGIN {
      if (p99 == "-") printf "added per hop %-8s %-4s mean %.3f ms\n", t, tool, (p50 - d50) / 2;
      else printf "added per hop %-8s %-4s p50 %.3f ms  p99 %.3f ms\n", t, tool, (p50 - d50) / 2, (p99 - d99) / 2 }'
  done
done
read -r rm_rps _ _ rm_cpu <<<"${R[raftmesh.wrk]}"
read -r ha_rps _ _ ha_cpu <<<"${R[haproxy.wrk]}"
awk -v a="$rm_rps" -v b="$ha_rps" -v c="$rm_cpu" -v d="$ha_cpu" 'BEGIN {
  printf "raftmesh vs haproxy (wrk): req/s %.2fx, cpu/req %.2fx\n", a / b, c / d }'
read -r rm_rps _ _ rm_cpu <<<"${R[raftmesh.h2]}"
read -r ha_rps _ _ ha_cpu <<<"${R[haproxy.h2]}"
awk -v a="$rm_rps" -v b="$ha_rps" -v c="$rm_cpu" -v d="$ha_cpu" 'BEGIN {
  printf "raftmesh vs haproxy (h2):  req/s %.2fx, cpu/req %.2fx\n", a / b, c / d }'
echo "proxy RSS (both proxies of a pair): raftmesh $((RM_RSS / 1024)) MiB, haproxy $((HA_RSS / 1024)) MiB"
