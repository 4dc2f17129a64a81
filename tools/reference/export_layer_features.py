#!/usr/bin/python3
"""Layer features of torchvision ResNet-50 and ResNeXt-50 32x4d from PyTorch forward hooks: the reference for
reading any value of a graph (SessionOptions.ExtraOutputs, `cardinal run --output NAME=…`, `embed --layer`).

Each model is built with export_torchvision.py's recipe (random weights, randomised calibrated BatchNorm
statistics, its seed for the name), exported to ONNX, and run in float64 with forward hooks on layer1…layer4.
Writes OUT/<name>/{model.onnx,input.npy,layer1.npy…layer4.npy} and OUT/manifest.json, which maps each layer to
the ONNX value holding it (the output of the last node under "/layerK/"). Run through tools/reference/generate.sh
(its own cache key: this script and export_torchvision.py, hashed together).
"""
import argparse
import json
import os
import sys
import zlib

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision as recipe  # noqa: E402

MODELS = ["resnet50", "resnext50_32x4d"]
LAYERS = ["layer1", "layer2", "layer3", "layer4"]


def export(name, out_dir):
    seed = zlib.crc32(name.encode()) % 100000
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = recipe.FULL[name]()
    recipe.randomise_batchnorm(model, generator, (3, 160, 160))
    x = torch.randn(2, 3, 224, 224, generator=generator)
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    # Forward hooks in float64: the exact answer for the exported float32 weights.
    features = {}
    model = model.double()
    hooks = [getattr(model, layer).register_forward_hook(
        lambda _m, _i, output, layer=layer: features.__setitem__(layer, output.detach())) for layer in LAYERS]
    with torch.no_grad():
        model(x.double())
    for h in hooks:
        h.remove()
    np.save(os.path.join(folder, "input.npy"), x.numpy().astype(np.float32))
    graph = onnx.load(path, load_external_data=False).graph
    values = {}
    for layer in LAYERS:
        np.save(os.path.join(folder, f"{layer}.npy"), features[layer].numpy().astype(np.float32))
        last = [n for n in graph.node if n.name.startswith(f"/{layer}/")][-1]
        values[layer] = last.output[0]
    return {"name": name, "model": f"{name}/model.onnx", "input": f"{name}/input.npy",
            "layers": {layer: {"value": values[layer], "reference": f"{name}/{layer}.npy",
                               "shape": list(features[layer].shape)} for layer in LAYERS}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("set", nargs="?", default="all")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(args.out, exist_ok=True)
    entries = [export(name, args.out) for name in MODELS]
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "models": entries}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
