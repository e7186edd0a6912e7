#!/usr/bin/python3
"""Throughput of Debian's PyTorch running torchvision's ResNet (eval, no_grad), for comparison with
visionstream-model bench on the same machine: images/s by batch size, warm-up runs, then the
median of repeats, with random input (the cost does not depend on the values).

  torch_bench.py --arch resnet50 --batch-sizes 1,8,16,32 --repeats 5 [--json out.json]
"""
import argparse
import json
import os
import statistics
import time

import torch
import torchvision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="resnet50")
    parser.add_argument("--batch-sizes", default="1,2,4,8,16,32")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--images-per-repeat", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="intra-op threads (default: all cores; Debian's build otherwise may use one)")
    parser.add_argument("--channels-last", action="store_true", help="NHWC memory format (oneDNN's preferred layout)")
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    model = getattr(torchvision.models, args.arch)(weights=None).eval()
    layout = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=layout)
    results = []
    with torch.no_grad():
        for batch in [int(b) for b in args.batch_sizes.split(",")]:
            x = torch.randn(batch, 3, 224, 224).to(memory_format=layout)
            for _ in range(args.warmup):
                model(x)
            runs = max(1, -(-args.images_per_repeat // batch))
            rates = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                for _ in range(runs):
                    model(x)
                rates.append(runs * batch / (time.perf_counter() - start))
            results.append({"framework": f"pytorch {torch.__version__}", "channelsLast": args.channels_last, "batchSize": batch,
                            "imagesPerSecond": statistics.median(rates), "min": min(rates), "max": max(rates)})
            print(f"pytorch batch {batch:3d}: {statistics.median(rates):7.2f} images/s "
                  f"(range {min(rates):.2f}-{max(rates):.2f} over {args.repeats} repeats, {torch.get_num_threads()} threads"
                  f"{', channels-last' if args.channels_last else ''})")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
