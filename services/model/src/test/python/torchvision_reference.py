#!/usr/bin/python3
"""torchvision reference for visionstream's Java ResNet (Debian's python3-torchvision).

Builds torchvision ResNets with seeded random weights whose batch-norm parameters and running
statistics are far from the identity defaults, saves each state dict as .npz (torchvision key
names, float32), preprocesses real photographs with torchvision's eval transform
(Resize(256) with PIL's antialiased bilinear filter, CenterCrop(224), ToTensor, Normalize) and
writes the preprocessed batch and each model's logits:

  OUT/manifest.json          images, architectures, versions
  OUT/<arch>.npz             state dict
  OUT/inputs.npy             float32 [N,224,224,3] (NHWC), the eval-transformed images
  OUT/<arch>-logits.npy      float32 [N,1000]

  torchvision_reference.py --out OUT --arch resnet18 --arch resnet50 IMAGE...
"""
import argparse
import json
import pathlib

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

EVAL_TRANSFORM = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])


def seeded_resnet(arch: str, seed: int, calibration: torch.Tensor) -> torch.nn.Module:
    """torchvision's own initialisation, then batch-norm made non-trivial.

    Affine parameters are drawn at random; running statistics are measured on a calibration batch
    (so activations stay in a sane range through 50+ layers) and then perturbed, so that eval mode
    differs from both the identity defaults and the batch statistics.
    """
    torch.manual_seed(seed)
    model = getattr(torchvision.models, arch)(weights=None)
    batch_norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in batch_norms:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batch
        model.train()
        model(calibration)
        for bn in batch_norms:
            bn.running_mean.add_(torch.randn_like(bn.running_mean) * 0.1 * bn.running_var.sqrt())
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.7, 1.4))
    return model.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--arch", action="append", required=True, choices=["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"])
    parser.add_argument("--seed", type=int, default=20161)
    parser.add_argument("images", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(torch.get_num_threads())

    batch = torch.stack([EVAL_TRANSFORM(Image.open(path).convert("RGB")) for path in args.images])
    np.save(args.out / "inputs.npy", batch.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32))

    generator = torch.Generator().manual_seed(args.seed)
    calibration = torch.cat([batch, torch.randn((8, 3, 224, 224), generator=generator)])
    for arch in args.arch:
        model = seeded_resnet(arch, args.seed, calibration)
        np.savez(args.out / f"{arch}.npz", **{k: v.numpy() for k, v in model.state_dict().items()})
        with torch.no_grad():
            logits = model(batch)
        np.save(args.out / f"{arch}-logits.npy", logits.numpy().astype(np.float32))

    manifest = {
        "images": [str(p) for p in args.images],
        "architectures": args.arch,
        "seed": args.seed,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "transform": "Resize(256) [PIL bilinear, antialiased], CenterCrop(224), ToTensor, Normalize(ImageNet mean/std)",
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
