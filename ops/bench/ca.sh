#!/usr/bin/env bash
# JMH benchmark of the certificate-authority module: leaf issuances per second from a PEM CSR
# (1 and 2 threads), CSR verifications per second, and chain verifications per second; then the
# same operations per CPU-second of one thread (CpuCost), which other load cannot skew.
# Prints figures; never fails on a timing. Arguments, if any, replace the default JMH options
# (-f 1 -wi 5 -w 2s -i 5 -r 2s).
#
#   ops/bench/ca.sh                    # about 2 minutes on 2 cores
#   ops/bench/ca.sh -f 1 -wi 3 -w 2s -i 5 -r 2s -p csrKey=EC_P384   # P-384 CSRs
set -euo pipefail
cd "$(dirname "$0")/../.."

out=certificate-authority/target
mvn -q -B -Pbench -pl certificate-authority -am package -DskipTests
mvn -q -B -Pbench -pl certificate-authority dependency:build-classpath \
  -Dmdep.includeScope=compile -Dmdep.outputFile="$PWD/$out/bench.classpath" >/dev/null

echo "== certificate-authority JMH benchmark ($(nproc) cores, $(java -version 2>&1 | head -1))"
options=("$@")
if [ ${#options[@]} -eq 0 ]; then
  options=(-f 1 -wi 5 -w 2s -i 5 -r 2s)
fi
java -cp "$out/classes:$(cat "$out/bench.classpath")" org.openjdk.jmh.Main \
  "${options[@]}" -rf text -rff "$out/bench-results.txt" 'io.raftmesh.ca.bench.*'
echo
echo "== JMH results (wall-clock ops/s; on a busy shared machine these undercount)"
cat "$out/bench-results.txt"
echo
# Per-core cost from thread CPU time: robust to other processes competing for the cores.
java -cp "$out/classes:$(cat "$out/bench.classpath")" io.raftmesh.ca.bench.CpuCost "${CPU_COST_OPS:-3000}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
