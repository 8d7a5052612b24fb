package org.ciphernet.nn.onnx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.ciphernet.nn.onnx.OnnxImportException;

/** A constant tensor of an ONNX graph (an initializer or a Constant node), as doubles. */
record Tensor(long[] dims, double[] data) {
    private static final int FLOAT = 1;
    private static final int INT32 = 6;
    private static final int INT64 = 7;
    private static final int DOUBLE = 11;
    /** Constants larger than this are refused (a corrupted length must not exhaust the heap). */
    private static final long MAX_ELEMENTS = 1L << 27;

    long size() {
        return data.length;
    }

    /** Decodes an ONNX TensorProto of float, double, int32 or int64 elements. */
    static Tensor of(OnnxIr.TensorProto t, String where) {
        long n = 1;
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw new OnnxImportException(where + ": tensor '" + t.getName() + "' has a negative dimension");
            }
            n *= dims[i];
            if (n > MAX_ELEMENTS) {
                throw new OnnxImportException(where + ": tensor '" + t.getName() + "' has more than " + MAX_ELEMENTS + " elements");
            }
        }
        if (t.getDataLocation() == OnnxIr.TensorProto.DataLocation.EXTERNAL) {
            throw new OnnxImportException(where + ": tensor '" + t.getName()
                    + "' is stored in an external file; export the model with its weights inside the .onnx file");
        }
        int count = (int) n;
        double[] data = new double[count];
        int type = t.getDataType();
        if (t.hasRawData()) {
            int width = switch (type) {
                case FLOAT, INT32 -> 4;
                case INT64, DOUBLE -> 8;
                default -> throw unsupportedType(t, where);
            };
            if (t.getRawData().size() != (long) count * width) {
                throw new OnnxImportException(where + ": tensor '" + t.getName() + "' holds " + t.getRawData().size()
                        + " bytes, but its shape " + Arrays.toString(dims) + " needs " + (long) count * width);
            }
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                data[i] = switch (type) {
                    case FLOAT -> b.getFloat();
                    case INT32 -> b.getInt();
                    case INT64 -> b.getLong();
                    default -> b.getDouble();
                };
            }
        } else {
            int have = switch (type) {
                case FLOAT -> t.getFloatDataCount();
                case INT32 -> t.getInt32DataCount();
                case INT64 -> t.getInt64DataCount();
                case DOUBLE -> t.getDoubleDataCount();
                default -> throw unsupportedType(t, where);
            };
            if (have != count) {
                throw new OnnxImportException(where + ": tensor '" + t.getName() + "' holds " + have
                        + " values, but its shape " + Arrays.toString(dims) + " needs " + count);
            }
            for (int i = 0; i < count; i++) {
                data[i] = switch (type) {
                    case FLOAT -> t.getFloatData(i);
                    case INT32 -> t.getInt32Data(i);
                    case INT64 -> t.getInt64Data(i);
                    default -> t.getDoubleData(i);
                };
            }
        }
        for (double v : data) {
            if (!Double.isFinite(v)) {
                throw new OnnxImportException(where + ": tensor '" + t.getName() + "' contains a non-finite value");
            }
        }
        return new Tensor(dims, data);
    }

    private static OnnxImportException unsupportedType(OnnxIr.TensorProto t, String where) {
        return new OnnxImportException(where + ": tensor '" + t.getName() + "' has element type " + t.getDataType()
                + "; only float, double, int32 and int64 constants are supported");
    }
}
