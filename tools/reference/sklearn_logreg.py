#!/usr/bin/python3
"""scikit-learn's multinomial logistic regression on given features: the reference for Cardinal.Training.

usage: sklearn_logreg.py X.npy y.npy C OUTDIR [Xtest.npy]
Fits StandardScaler + LogisticRegression(multinomial, lbfgs, C) on X (float, [n, d]) and y (int, [n]),
to a tight tolerance so the reference is the optimum, not an early stop. Writes OUTDIR/coef.npy ([K, d],
on standardised features; float32, as Cardinal's .npy reader takes), intercept.npy, mean.npy, scale.npy, pred.npy (predictions on X, or on Xtest).
Cardinal's λ maps to C = 1 / (λ · n): both objectives then have the same minimiser.
"""
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

x = np.load(sys.argv[1]).astype(np.float64)
y = np.load(sys.argv[2]).astype(np.int64)
c = float(sys.argv[3])
out = sys.argv[4]
scaler = StandardScaler().fit(x)
model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=c, tol=1e-10, max_iter=20000)
model.fit(scaler.transform(x), y)
target = np.load(sys.argv[5]).astype(np.float64) if len(sys.argv) > 5 else x
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "coef.npy"), model.coef_.astype(np.float32))
np.save(os.path.join(out, "intercept.npy"), model.intercept_.astype(np.float32))
np.save(os.path.join(out, "mean.npy"), scaler.mean_.astype(np.float32))
np.save(os.path.join(out, "scale.npy"), scaler.scale_.astype(np.float32))
np.save(os.path.join(out, "pred.npy"), model.predict(scaler.transform(target)).astype(np.int64))
