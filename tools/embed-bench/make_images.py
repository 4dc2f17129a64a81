#!/usr/bin/python3
"""make_images.py OUT_DIR COUNT [SEED]: COUNT small synthetic PNG photos (64×48, seeded noise over gradients)."""
import os
import sys

import numpy as np
from PIL import Image

out, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
os.makedirs(out, exist_ok=True)
y, x = np.mgrid[0:48, 0:64]
for i in range(count):
    base = np.stack([x * 4 + i % 50, y * 5, (x + y) * 2 + i % 30], axis=-1)
    pixels = np.clip(base + rng.integers(0, 60, base.shape), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(os.path.join(out, f"img{i:06d}.png"))
