#!/usr/bin/env bash
# A private Docker engine for the containers backend of the chaos tests (chaos-tests'
# ContainerCluster), on machines where none runs and no image registry is reachable.
#
#   ops/docker/engine.sh start   # prints `export DOCKER_HOST=... TESTCONTAINERS_...` lines
#   ops/docker/engine.sh env     # the same lines for an engine this script already started
#   ops/docker/engine.sh stop    # stops that engine and removes everything it created
#
# start: only as root, with apt-get, and when CI=true or RAFTMESH_DOCKER=1 (it installs
# Debian's docker.io when dockerd is missing). It runs dockerd in the background with its own
# socket, pid file, data root and log under $RAFTMESH_DOCKER_STATE (default
# /run/raftmesh-docker), so no other engine or user of /var/run/docker.sock is affected, then
# builds the local base image (ops/docker/base-image.sh). The engine is started with
# --iptables=false --ip-forward=false: it leaves the host's firewall (FORWARD policy) and
# forwarding alone, which the processes backend's namespaces rely on; containers on one
# Docker network still reach each other, and the host reaches them through the port proxy.
# Any failure prints `engine: ...` on stderr, stops what was started, and exits non-zero;
# the caller goes on without an engine (the container tests then skip, saying why).
#
# stop: SIGTERM to the dockerd this script started (by its pid file; SIGKILL after 20 s),
# then removes its socket, data root, exec root and the bridges it made (docker0, br-*). A no-op
# when this script started nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
state=${RAFTMESH_DOCKER_STATE:-/run/raftmesh-docker}
data=${RAFTMESH_DOCKER_DATA:-/var/lib/raftmesh-docker}
sock=$state/docker.sock
pidfile=$state/dockerd.pid
logfile=$state/dockerd.log

say() { echo "engine: $*" >&2; }

print_env() {
  echo "export DOCKER_HOST=unix://$sock"
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  echo "export TESTCONTAINERS_CHECKS_DISABLE=true"
  echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
}

bridges() {
  ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

answers() {
  DOCKER_HOST=unix://$sock docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

stop() {
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping dockerd pid=$pid"
      # Containers first, so none outlives the engine (dockerd would stop them too, slower).
      if answers; then
        ids=$(DOCKER_HOST=unix://$sock docker ps -aq 2>/dev/null || true)
        [ -z "$ids" ] || DOCKER_HOST=unix://$sock docker rm -f $ids >/dev/null 2>&1 || true
      fi
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      if kill -0 "$pid" 2>/dev/null; then
        say "dockerd pid=$pid still up after 20 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
      fi
    fi
    # The containerd that dockerd started for itself (its own pid file under the exec root).
    cpid=$(cat "$state/exec/containerd/containerd.pid" 2>/dev/null || true)
    if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then
      say "stopping containerd pid=$cpid"
      kill -TERM "$cpid" 2>/dev/null || true
      sleep 2
      kill -0 "$cpid" 2>/dev/null && kill -KILL "$cpid" 2>/dev/null || true
    fi
  fi
  if [ -f "$state/created-bridge" ] && ip link show docker0 >/dev/null 2>&1; then
    ip link delete docker0 2>/dev/null || true
  fi
  # Bridges of Docker networks it made (br-<network id>) that a crashed test left behind.
  if [ -f "$state/bridges-before" ]; then
    for b in $(bridges); do
      case $b in
        br-????????????) grep -qx "$b" "$state/bridges-before" || ip link delete "$b" 2>/dev/null || true ;;
      esac
    done
  fi
  # Mounts left under the data and exec roots (overlay layers, netns bind mounts, shm).
  for root in "$data" "$state"; do
    if [ -d "$root" ]; then
      { grep -o " $root[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    fi
  done
  if [ -d "$data" ] && [ -f "$state/created-data" ]; then rm -rf "$data"; fi
  rm -rf "$state"
  return 0
}

start() {
  if [ "${CI:-}" != true ] && [ "${RAFTMESH_DOCKER:-}" != 1 ]; then
    say "not started (set RAFTMESH_DOCKER=1, or CI=true, to start a private engine)"
    return 3
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "not started: needs root (dockerd), running as uid $(id -u)"
    return 3
  fi
  if running && answers; then
    say "already running (pid $(cat "$pidfile"))"
    print_env
    return 0
  fi
  stop 2>/dev/null || true
  if ! command -v dockerd >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
      say "not started: dockerd missing and no apt-get to install docker.io"
      return 3
    fi
    say "installing docker.io (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null 2>&1 \
        || { say "not started: apt-get install docker.io failed"; return 3; }
    fi
  fi
  mkdir -p "$state"
  [ -d "$data" ] || { mkdir -p "$data" && touch "$state/created-data"; }
  ip link show docker0 >/dev/null 2>&1 || touch "$state/created-bridge"
  bridges >"$state/bridges-before"
  say "starting dockerd (log $logfile)"
  setsid dockerd \
    --host "unix://$sock" \
    --pidfile "$pidfile" \
    --data-root "$data" \
    --exec-root "$state/exec" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=true \
    >"$logfile" 2>&1 </dev/null &
  local launched=$!
  for _ in $(seq 1 60); do
    answers && break
    kill -0 "$launched" 2>/dev/null || break
    sleep 0.5
  done
  if ! answers; then
    say "dockerd did not answer within 30 s; its log ends with:"
    tail -n 15 "$logfile" >&2 || true
    [ -f "$pidfile" ] || echo "$launched" >"$pidfile"
    stop
    return 4
  fi
  say "dockerd pid=$(cat "$pidfile") answers on $sock"
  if ! DOCKER_HOST=unix://$sock "$here/base-image.sh" >&2; then
    say "base image build failed; stopping the engine"
    stop
    return 5
  fi
  print_env
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env) if running && answers; then print_env; else say "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 64 ;;
esac
