#!/usr/bin/env bash
# Capacity of the local stack on this machine, as recorded in BENCHMARKS.md:
#   1. sweep, ResNet-50 fp32, micro-batches of up to 32      -> sustainable rate C
#   2. sweep, ResNet-50 bf16                                   -> sustainable rate
#   3. sweep, ResNet-50 fp32, max-batch-size 1 (per record)  -> ratio to C
#   4. fixed-rate runs at 50% and 70% of C                     -> p50/p99
# Every step and run writes its own report.json/report.html under $out.
#
#   loadtest/bench/capacity.sh [OUT_DIR]      (about 30 minutes on 2 cores)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$repo/.local/loadtest/capacity-$(date +%Y%m%d-%H%M)}
lt="$repo/deploy/local/loadtest"
common=(-P visionstream.classifier.backpressure.max-in-flight-bytes=536870912 --cameras 8 --resolutions 640x480=2,1280x720=1,1920x1080=1 --warmup 10s --slo-p99 2s
  --drain-timeout 120s --progress never)

rate_of() { # sustainable rate from a sweep.json
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["sustainableRate"]; print(r if r else 0)' "$1"
}

if [ -z "${CAPACITY:-}" ]; then  # CAPACITY=<frames/s> skips the sweeps and only runs step 4
"$lt" sweep "${common[@]}" --duration 40s --max-batch-size 32 --start-rate 12 --report-dir "$out/sweep-fp32-batch32" | tail -n 15
"$lt" sweep "${common[@]}" --duration 40s --max-batch-size 32 --bf16 --start-rate 20 --report-dir "$out/sweep-bf16-batch32" | tail -n 15
"$lt" sweep "${common[@]}" --duration 40s --max-batch-size 1 --start-rate 6 --report-dir "$out/sweep-fp32-batch1" | tail -n 15
fi

capacity=${CAPACITY:-$(rate_of "$out/sweep-fp32-batch32/sweep.json")}
for share in 50 70; do
  rate=$(python3 -c "print(round($capacity * $share / 100, 1))")
  echo "fixed rate: $share% of $capacity = $rate frames/s"
  "$lt" run "${common[@]}" --max-batch-size 32 --duration 90s --rate "$rate" --report-dir "$out/run-fp32-$share" | tail -n 14 || true
done
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
rates = {n: json.load(open(os.path.join(out, n, "sweep.json")))["sustainableRate"] or 0
         for n in ("sweep-fp32-batch32", "sweep-bf16-batch32", "sweep-fp32-batch1")}
print("sustainable rates:", rates)
if rates["sweep-fp32-batch1"]:
    print("micro-batched / per-record: %.2f" % (rates["sweep-fp32-batch32"] / rates["sweep-fp32-batch1"]))
for share in (50, 70):
    s = json.load(open(os.path.join(out, "run-fp32-%d" % share, "report.json")))["summary"]
    print("%d%%: rate %.1f, p50 %.0f ms, p99 %.0f ms, max %.0f ms, missing %d" % (share, s["achievedSendRate"],
          s["latency"]["p50"], s["latency"]["p99"], s["latency"]["max"], s["missing"]))
PY
