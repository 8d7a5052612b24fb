package org.ciphernet.nn.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.onnx.internal.GraphTranslator;
import org.ciphernet.nn.onnx.internal.OnnxIr;

/**
 * Imports a trained model from ONNX into a {@link Network}.
 *
 * <p>Supported operators: Conv (square kernels, symmetric padding, no groups or dilation), Gemm,
 * MatMul with constant weights, Add (of a constant, or of two tensors: a skip connection), Sub,
 * Mul and Div by constants, x² (Pow with exponent 2 or Mul(x, x)), the quadratic activation
 * {@code a·x² + b·x + c} written with Mul and Add, AveragePool (no padding), GlobalAveragePool,
 * Flatten, Reshape to [batch, n], BatchNormalization (eval mode) and Identity. Constants may be
 * scalars or one value per channel. Anything else is rejected with an exception naming the node
 * and its operator: {@link org.ciphernet.nn.model.UnsupportedLayerException} (with the HE-friendly
 * replacement) for operators CKKS cannot evaluate, {@link OnnxImportException} for malformed
 * models and unsupported attributes.
 *
 * <pre>{@code
 * Network net = OnnxImporter.read(Path.of("testdata/models/cryptonets.onnx"));
 * }</pre>
 *
 * <p>Export from PyTorch in eval mode with constant folding, for example
 * {@code torch.onnx.export(model.eval(), torch.zeros(1, 1, 28, 28), "m.onnx", opset_version=13)}.
 */
public final class OnnxImporter {
    /** Models larger than this are refused before parsing. */
    public static final long MAX_MODEL_BYTES = 1L << 30;

    private OnnxImporter() {
    }

    /** Reads a model file; the network is named after the file (without {@code .onnx}). */
    public static Network read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_MODEL_BYTES) {
            throw new OnnxImportException(file + " is " + size + " bytes, more than the " + MAX_MODEL_BYTES + " supported");
        }
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        return read(Files.readAllBytes(file), name);
    }

    /** Parses a serialized ONNX ModelProto. */
    public static Network read(byte[] model, String name) {
        OnnxIr.ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            in.setSizeLimit(Integer.MAX_VALUE);
            proto = OnnxIr.ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException("'" + name + "' is not a valid ONNX model (corrupted or truncated protobuf: "
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxImportException("'" + name + "' could not be parsed: " + e.getMessage(), e);
        }
        return GraphTranslator.translate(proto, name);
    }
}
