#!/usr/bin/python3
"""make_vectors.py OUT_DIR ROWS DIM QUERIES SEED: random unit vectors as an embed shard (part-00000.npy and its
.files.txt, keys v0…) plus queries.npy, for the index benchmark. Written in blocks: memory stays at one block."""
import os
import sys

import numpy as np

out, rows, dim, queries, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(seed)
vectors = np.lib.format.open_memmap(os.path.join(out, "part-00000.npy"), mode="w+", dtype=np.float32, shape=(rows, dim))
for start in range(0, rows, 65536):
    block = rng.standard_normal((min(65536, rows - start), dim), dtype=np.float32)
    block /= np.linalg.norm(block, axis=1, keepdims=True)
    vectors[start:start + len(block)] = block
vectors.flush()
with open(os.path.join(out, "part-00000.files.txt"), "w") as f:
    f.writelines(f"v{i}\n" for i in range(rows))
q = rng.standard_normal((queries, dim), dtype=np.float32)
q /= np.linalg.norm(q, axis=1, keepdims=True)
np.save(os.path.join(out, "queries.npy"), q)
