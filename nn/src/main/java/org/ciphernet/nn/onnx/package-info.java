/**
 * ONNX import: {@link org.ciphernet.nn.onnx.OnnxImporter} turns a model exported from PyTorch (or
 * any ONNX producer) into a {@link org.ciphernet.nn.model.Network} the compiler can plan; operators
 * without an HE-friendly form are refused with the node's name and operator.
 */
package org.ciphernet.nn.onnx;
