#!/usr/bin/env bash
# Installs the system packages the build and the test suites use, when they are
# missing and this script may install them (root with apt-get). Safe to re-run.
#
#   protobuf-compiler-grpc-java-plugin  the gRPC Java code generator (our machines are
#                                       not served the Maven Central binary)
#   openssl                             the CA tests cross-check certificates with it
#   iproute2 iptables nftables          network namespaces and partitions for chaos tests
#   prometheus                          promtool: the ops tests check the alert rules with it
#                                       (skipped when absent)
#   python3                             the demo's services (ops/demo.sh, the demo's IT)
#
# Without root, it only reports what is missing; the build still works where Maven
# Central serves protoc-gen-grpc-java, and the chaos tests fall back to a user-space
# TCP bridge where namespaces cannot be made.
set -euo pipefail

need=()
command -v grpc_java_plugin >/dev/null 2>&1 || [ -x /usr/bin/grpc_java_plugin ] || need+=(protobuf-compiler-grpc-java-plugin)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "prereqs: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "prereqs: missing ${need[*]} (run as root on Debian/Ubuntu to install them)" >&2
fi
