#!/usr/bin/python3
"""Export torchvision's residual family to ONNX, with PyTorch's own outputs as .npy references.

Every model gets random weights and randomised, calibrated BatchNorm statistics: gamma/beta are drawn at
random, running statistics come from a few train-mode batches, and are then perturbed. (The default
statistics, mean 0 / var 1 with gamma 1 / beta 0, make BatchNorm an identity and hide BN-folding bugs.)
The last BatchNorm of each residual block draws a smaller gamma (0.1-0.4), as trained ResNets have small
residual branches: with gamma ~1 everywhere, a random ResNet-152 is so ill-conditioned that PyTorch's own
float32 result differs from its float64 result by 8e-4, more than the tolerance the tests hold us to.
The reference output is PyTorch's forward pass in float64, stored as float32: the exact answer for the
exported float32 weights, so the tests measure Cardinal's error, not PyTorch's plus ours.
Inputs are seeded, batch 2. The batch axis is exported as the symbol "N". Image models take 3×S×S; the video
ResNets (r3d_18 and its reduced twin) take 3×8×S×S clips, 8 frames so that layer4 runs at depth 1
(8 → 4 → 2 → 1), the case where a 3-D convolution bug once gave all of r3d_18's outputs wrong.

Writes OUT/<name>/{model.onnx,input.npy,output.npy} and OUT/manifest.json. Run through tools/reference/
generate.sh, which keys the cache folder by this script's hash so CI reuses it and a change regenerates it.
"""
import argparse
import json
import os
import sys
import time
import zlib

import numpy as np
import torch
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.video import resnet as video

FULL = {
    "resnet18": lambda: torchvision.models.resnet18(),
    "resnet34": lambda: torchvision.models.resnet34(),
    "resnet50": lambda: torchvision.models.resnet50(),
    "resnet101": lambda: torchvision.models.resnet101(),
    "resnet152": lambda: torchvision.models.resnet152(),
    "resnext50_32x4d": lambda: torchvision.models.resnext50_32x4d(),
    "resnext101_32x8d": lambda: torchvision.models.resnext101_32x8d(),
    "resnext101_64x4d": lambda: ResNet(Bottleneck, [3, 4, 23, 3], groups=64, width_per_group=4),
    "wide_resnet50_2": lambda: torchvision.models.wide_resnet50_2(),
    "wide_resnet101_2": lambda: torchvision.models.wide_resnet101_2(),
    "r3d_18": lambda: torchvision.models.video.r3d_18(),
}

# Reduced variants that run in well under a second, one block per stage: 64x64 images, 8x32x32 clips (tiny_r3d).
SMALL = {
    "tiny_resnet_basic": lambda: ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10),
    "tiny_resnet_bottleneck": lambda: ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10, width_per_group=16),
    "tiny_resnext_8x4d": lambda: ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10, groups=8, width_per_group=4),
    "tiny_wide_resnet": lambda: ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10, width_per_group=128),
    "tiny_r3d": lambda: video.VideoResNet(video.BasicBlock, [video.Conv3DSimple] * 4, [1, 1, 1, 1],
                                          video.BasicStem, num_classes=10),
}

# Per-sample input shape for a given size: the video models take 8-frame clips, at a smaller size than the
# image models (r3d_18 at 56×56 costs about what resnet50 does at 224×224).
CLIP = {"r3d_18": 56, "tiny_r3d": 32}


def sample_shape(name, size):
    return (3, 8, CLIP[name], CLIP[name]) if name in CLIP else (3, size, size)


def last_batchnorm(m):
    """The last BatchNorm of a residual block (image or video ResNet), else None."""
    if isinstance(m, Bottleneck):
        return m.bn3
    if isinstance(m, BasicBlock):
        return m.bn2
    if isinstance(m, (video.BasicBlock, video.Bottleneck)):
        return m.conv2[1] if isinstance(m, video.BasicBlock) else m.conv3[1]
    return None


def randomise_batchnorm(model, generator, calibration_shape):
    batchnorm = (torch.nn.BatchNorm2d, torch.nn.BatchNorm3d)
    for m in model.modules():
        if isinstance(m, batchnorm):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.normal_(0.0, 0.2, generator=generator)
            m.momentum = None  # cumulative average over the calibration batches
            m.reset_running_stats()
    for m in model.modules():
        last = last_batchnorm(m)
        if last is not None:
            with torch.no_grad():
                last.weight.uniform_(0.1, 0.4, generator=generator)
                last.bias.normal_(0.0, 0.05, generator=generator)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, *calibration_shape, generator=generator))
    for m in model.modules():
        if isinstance(m, batchnorm):
            with torch.no_grad():
                std = m.running_var.sqrt()
                m.running_mean.add_(0.1 * std * torch.randn(m.running_mean.shape, generator=generator))
                m.running_var.mul_(torch.empty(m.running_var.shape).uniform_(0.8, 1.25, generator=generator))
    model.eval()


def export(name, build, size, out_dir, seed):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build()
    shape = sample_shape(name, size)
    randomise_batchnorm(model, generator, shape[:-2] + (min(shape[-2], 160), min(shape[-1], 160)))
    x = torch.randn(2, *shape, generator=generator)
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(folder, "model.onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    with torch.no_grad():
        y32 = model(x)
        y = model.double()(x.double())  # the weights are float32 values, so this is their exact result
    np.save(os.path.join(folder, "input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(folder, "output_torch_fp32.npy"), y32.numpy().astype(np.float32))
    np.save(os.path.join(folder, "output.npy"), y.numpy().astype(np.float32))
    return {"name": name, "input_size": shape[-1], "input_shape": [2, *shape], "batch": 2, "model": f"{name}/model.onnx",
            "input": f"{name}/input.npy", "output": f"{name}/output.npy",
            "output_abs_max": float(y.abs().max()), "output_std": float(y.std()),
            "torch_fp32_max_abs_error": float((y32.double() - y).abs().max())}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--set", choices=["small", "full", "all"], default="all")
    parser.add_argument("--only", nargs="*", help="export just these names")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    chosen = {}
    if args.set in ("small", "all"):
        chosen.update({k: (v, 64) for k, v in SMALL.items()})
    if args.set in ("full", "all"):
        chosen.update({k: (v, 224) for k, v in FULL.items()})
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k in args.only}
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    entries = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            entries = {e["name"]: e for e in json.load(f)["models"]}
    for name, (build, size) in chosen.items():
        start = time.time()
        entries[name] = export(name, build, size, args.out, seed=zlib.crc32(name.encode()) % 100000)
        print(f"{name}: {time.time() - start:.1f} s", flush=True)
        with open(manifest_path, "w") as f:
            json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__,
                       "models": sorted(entries.values(), key=lambda e: e["name"])}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
