#!/usr/bin/python3
"""make_tiny_model.py OUT.onnx: a tiny embedding model over [N,3,224,224] (8×8 stride-8 conv to 16 channels, ReLU,
global average pool, flatten → [N,16]), so an embed benchmark measures the pipeline (decode, preprocess, shards)
rather than the network."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
w = numpy_helper.from_array(rng.standard_normal((16, 3, 8, 8)).astype(np.float32) * 0.05, "w")
b = numpy_helper.from_array(np.zeros(16, np.float32), "b")
nodes = [
    helper.make_node("Conv", ["input", "w", "b"], ["c"], kernel_shape=[8, 8], strides=[8, 8]),
    helper.make_node("Relu", ["c"], ["r"]),
    helper.make_node("GlobalAveragePool", ["r"], ["p"]),
    helper.make_node("Flatten", ["p"], ["output"], axis=1),
]
graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 16])], [w, b])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
