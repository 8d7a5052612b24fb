/**
 * ONNX import: {@link org.ciphernet.nn.onnx.OnnxImporter} turns a model exported from PyTorch (or
 * any ONNX producer) into a {@link org.ciphernet.nn.model.Network} the compiler can plan.
 */
package org.ciphernet.nn.onnx;
