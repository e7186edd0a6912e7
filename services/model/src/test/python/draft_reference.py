#!/usr/bin/python3
"""Reference for visionstream's fast preprocessing mode (Debian's python3-torchvision and PIL).

Scales photographs to camera resolutions and encodes them as JPEGs; then, for each JPEG, runs
torchvision's eval transform (Resize(256), CenterCrop(224), ToTensor, Normalize) on the image as
PIL opens it at full size (exact) and as PIL opens it with draft() at the DCT scale fast mode
picks (the largest of 1/2, 1/4, 1/8 keeping the shorter side at least 224):

  OUT/<photo>-<W>x<H>.jpg              the frame
  OUT/<photo>-<W>x<H>-exact.f32        float32 [224,224,3] (HWC), little-endian
  OUT/<photo>-<W>x<H>-fast.f32         the same from the draft-mode decode
  OUT/manifest.json                    frames, their DCT scale and PIL's decoded size

  draft_reference.py --out OUT --size 640x480 --size 1280x720 IMAGE...
"""
import argparse
import io
import json
import pathlib

import numpy as np
from PIL import Image
from torchvision import transforms

EVAL_TRANSFORM = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])


def scale_for(width: int, height: int, crop: int = 224) -> int:
    for scale in (8, 4, 2):
        if min(-(-width // scale), -(-height // scale)) >= crop:
            return scale
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--size", action="append", required=True)
    parser.add_argument("images", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    frames = []
    for path in args.images:
        source = Image.open(path).convert("RGB")
        for size in args.size:
            width, height = (int(v) for v in size.split("x"))
            encoded = io.BytesIO()
            source.resize((width, height), Image.BICUBIC).save(encoded, "JPEG", quality=90)
            name = f"{path.stem}-{width}x{height}"
            (args.out / f"{name}.jpg").write_bytes(encoded.getvalue())
            scale = scale_for(width, height)
            decoded = None
            for mode in ("exact", "fast"):
                image = Image.open(io.BytesIO(encoded.getvalue()))
                if mode == "fast" and scale > 1:
                    image.draft("RGB", (-(-width // scale), -(-height // scale)))
                image = image.convert("RGB")
                if mode == "fast":
                    decoded = image.size
                tensor = EVAL_TRANSFORM(image).permute(1, 2, 0).numpy().astype("<f4")
                tensor.tofile(args.out / f"{name}-{mode}.f32")
            frames.append({"name": name, "scale": scale, "fastDecodedSize": list(decoded)})
    (args.out / "manifest.json").write_text(json.dumps({"frames": frames}, indent=2))


if __name__ == "__main__":
    main()
