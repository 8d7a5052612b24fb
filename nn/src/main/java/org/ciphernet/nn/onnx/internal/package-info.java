/**
 * Internals of the ONNX importer (not exported): the protobuf classes generated from
 * {@code src/main/proto/onnx.proto}, constant decoding, and the graph translation that folds
 * element-wise operators into polynomials of the structural layers.
 */
package org.ciphernet.nn.onnx.internal;
