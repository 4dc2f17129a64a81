#!/usr/bin/python3
"""Writes a fixed, stratified subset of Fashion-MNIST as PNG class folders, for `cardinal fit` and its test.

usage: tools/fashion-mnist.py [OUT]   (default: ~/.cache/cardinal/reference/fashion-mnist/subset-v1)
Reads Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, idx files, gzip). Takes 200 images
of each of the 10 classes from the training file and 100 of each from the test file (2,000 + 1,000), chosen
by a fixed seed, and writes OUT/train/<class>/<index>.png and OUT/test/<class>/<index>.png (28×28 greyscale,
named by their index in the source file). Idempotent: a finished OUT (with its DONE marker) is left alone.
"""
import gzip
import os
import shutil
import struct
import sys

import numpy as np
from PIL import Image

SOURCE = os.environ.get("CARDINAL_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
CLASSES = ["tshirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
PER_CLASS = {"train": 200, "test": 100}
FILES = {"train": "train", "test": "t10k"}
SEED = 20200523


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte idx file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.expanduser("~"), ".cache", "cardinal", "reference", "fashion-mnist", "subset-v1")
    if os.path.exists(os.path.join(out, "DONE")):
        print(out)
        return
    temp = out + ".partial"
    shutil.rmtree(temp, ignore_errors=True)
    rng = np.random.RandomState(SEED)
    for split, prefix in FILES.items():
        images = read_idx(os.path.join(SOURCE, f"{prefix}-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(SOURCE, f"{prefix}-labels-idx1-ubyte.gz"))
        for c, name in enumerate(CLASSES):
            members = np.flatnonzero(labels == c)
            chosen = np.sort(rng.choice(members, PER_CLASS[split], replace=False))
            folder = os.path.join(temp, split, name)
            os.makedirs(folder)
            for i in chosen:
                Image.fromarray(images[i], mode="L").save(os.path.join(folder, f"{i:05d}.png"))
    open(os.path.join(temp, "DONE"), "w").close()
    shutil.rmtree(out, ignore_errors=True)
    os.rename(temp, out)
    print(out)


if __name__ == "__main__":
    main()
