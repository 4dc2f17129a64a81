#!/usr/bin/python3
"""Exact top-k with FAISS's IndexFlatIP (the peer for Cardinal's `index query`).

    faiss_topk.py VECTORS.npy QUERIES.npy K OUT_PREFIX [--repeat R]

Writes OUT_PREFIX.ids.npy (int64 [Q, K]) and OUT_PREFIX.scores.npy (float32 [Q, K]); with --repeat R, also
times R searches of the first query alone and of all the queries, and prints the medians in ms as JSON.
The vectors are used as given (normalise them first for cosine). Configure the BLAS before calling: Debian's
FAISS uses the reference BLAS unless libopenblas0-pthread is installed, and OpenBLAS needs
OPENBLAS_CORETYPE=SkylakeX on AVX-512 machines it does not recognise (see bench.sh).
"""
import json
import statistics
import sys
import time

import faiss
import numpy as np


def main():
    vectors_path, queries_path, k, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 0
    vectors = np.load(vectors_path, mmap_mode="r")
    queries = np.ascontiguousarray(np.load(queries_path), dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    scores, ids = index.search(queries, k)
    np.save(prefix + ".ids.npy", ids.astype(np.int64))
    np.save(prefix + ".scores.npy", scores.astype(np.float32))
    if repeat:
        def median_ms(q):
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                index.search(q, k)
                times.append((time.perf_counter() - start) * 1000)
            return statistics.median(times)
        print(json.dumps({"faiss": faiss.__version__, "threads": faiss.omp_get_max_threads(),
                          "one_ms": median_ms(queries[:1]), "batch_ms": median_ms(queries), "batch": len(queries)}))


if __name__ == "__main__":
    main()
