#!/usr/bin/env bash
# Issue 18: images per second of `ciphernet spark` on this machine, embedded local[1] and local[2]
# and two separate executor JVMs (local-cluster[2,1,MiB]), against the in-process baseline
# (bench/scripts/InProcessThroughput.java: one HeServer, 1 and 2 threads evaluating records at once),
# on the same encrypted records. Usage: bench/scripts/spark-throughput.sh [model] [dataset] [images]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-small-quadratic}"
dataset="${2:-fashion-mnist}"
images="${3:-128}"
executor_mib="${EXECUTOR_MIB:-4096}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cn="$root/ciphernet"
java="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"

"$cn" compile --model "$root/testdata/models/$model.onnx" --out "$work/m.plan" | tail -1
"$cn" client keygen --plan "$work/m.plan" --dir "$work/owner" | head -1
"$cn" client encrypt-dataset --plan "$work/m.plan" --dir "$work/owner" --dataset "$dataset" --count "$images" \
  --out "$work/in" 2>/dev/null | head -1
for master in "local[1]" "local[2]" "local-cluster[2,1,$executor_mib]"; do
  out="$work/out-${master//[^a-z0-9]/}"
  echo "== ciphernet spark --master $master"
  "$cn" spark --plan "$work/m.plan" --keys "$work/owner/evaluation.keys" --in "$work/in" --out "$out" --master "$master" 2>/dev/null
  "$cn" client decrypt-dataset --plan "$work/m.plan" --dir "$work/owner" --in "$out" --dataset "$dataset" \
    --predictions "$work/p.csv" 2>&1 | tail -1
done
for threads in 1 2; do
  echo "== in process, $threads thread(s)"
  "$java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:InitialRAMPercentage=75 -XX:MaxRAMPercentage=75 \
    -XX:NewSize=1g -XX:+UseTransparentHugePages -cp "$root/cli/target/modules/*" \
    "$root/bench/scripts/InProcessThroughput.java" "$work/m.plan" "$work/owner/evaluation.keys" "$work/in" "$threads" 2>/dev/null
done
