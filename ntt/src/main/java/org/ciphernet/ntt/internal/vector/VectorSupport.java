package org.ciphernet.ntt.internal.vector;

import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.internal.LimbKernel;
import org.ciphernet.ntt.internal.NttEngine;
import org.ciphernet.ntt.internal.NttTables;
import org.ciphernet.ntt.internal.ScalarNtt;

/**
 * The only entry into the vector classes; touched only after the incubator module was found,
 * so that a JVM without {@code jdk.incubator.vector} never loads them.
 */
public final class VectorSupport {
    private VectorSupport() {}

    /** Bit size of the preferred vector shape on this CPU. */
    public static int preferredBits() {
        return VectorNtt.DS.vectorBitSize();
    }

    /** The vector NTT where it applies, else the scalar one. */
    public static NttEngine ntt(NttTables tables) {
        return VectorNtt.supports(tables.n, tables.modulus.value())
                ? new VectorNtt(tables)
                : new ScalarNtt(tables);
    }

    public static LimbKernel limbKernel(Modulus m) {
        return new VectorLimbKernel(m);
    }
}
