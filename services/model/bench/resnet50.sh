#!/usr/bin/env bash
# ResNet-50 throughput on this machine, in one run, as recorded in BENCHMARKS.md:
# visionstream-model bench (fp32 and oneDNN bf16, with the measured fp32 roofline) and Debian's
# PyTorch running torchvision's ResNet-50 (default and channels-last layouts), same batch sizes.
# Needs python3-torchvision for the PyTorch half (apt-get install python3-torchvision).
#
#   services/model/bench/resnet50.sh [OUT_DIR]      (default services/model/target/bench)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${1:-$repo/services/model/target/bench}
batches=1,2,4,8,16,32
mkdir -p "$out"
model="$out/resnet50-seed42"
if [ ! -f "$model/saved_model.pb" ]; then
  "$repo/deploy/local/visionstream-model" build --arch resnet50 --seed 42 --out "$model" 2>/dev/null
fi

echo "== $(date -u +%Y-%m-%dT%H:%MZ) on $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" \
  "(family $(sed -n 's/^cpu family\t*: //p' /proc/cpuinfo | head -1)), Java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
echo "== visionstream-model bench (TensorFlow Java 1.1.0)"
"$repo/deploy/local/visionstream-model" bench --model "$model" --batch-sizes "$batches" \
  --json "$out/visionstream.json" 2>/dev/null | tee "$out/visionstream.txt"
echo "== Debian PyTorch, torchvision resnet50"
/usr/bin/python3 "$here/torch_bench.py" --batch-sizes "$batches" --json "$out/pytorch.json"
/usr/bin/python3 "$here/torch_bench.py" --batch-sizes "$batches" --channels-last --json "$out/pytorch-channels-last.json"

/usr/bin/python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
ours = json.loads((out / "visionstream.json").read_text())
torch = json.loads((out / "pytorch.json").read_text()) + json.loads((out / "pytorch-channels-last.json").read_text())
best = lambda rows: max(rows, key=lambda r: r["imagesPerSecond"])
fp32 = best([r for r in ours if r["precision"] == "fp32"])
bf16 = best([r for r in ours if r["precision"] == "bf16"])
pt = best(torch)
layout = "channels-last" if pt["channelsLast"] else "contiguous"
print("== summary (best batch of each)")
print(f"visionstream fp32: {fp32['imagesPerSecond']:.1f} images/s at batch {fp32['batchSize']}")
print(f"visionstream bf16: {bf16['imagesPerSecond']:.1f} images/s at batch {bf16['batchSize']}")
print(f"PyTorch ({pt['framework']}, {layout}): {pt['imagesPerSecond']:.1f} images/s at batch {pt['batchSize']}")
print(f"ratios to PyTorch: fp32 {fp32['imagesPerSecond'] / pt['imagesPerSecond']:.2f}x, bf16 {bf16['imagesPerSecond'] / pt['imagesPerSecond']:.2f}x")
PY
