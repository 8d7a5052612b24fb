package org.ciphernet.ntt;

import java.util.Locale;
import org.ciphernet.ntt.internal.LimbKernel;
import org.ciphernet.ntt.internal.NttEngine;
import org.ciphernet.ntt.internal.NttTables;
import org.ciphernet.ntt.internal.ScalarLimbKernel;
import org.ciphernet.ntt.internal.ScalarNtt;
import org.ciphernet.ntt.internal.vector.VectorSupport;

/**
 * The arithmetic implementations. Both compute exactly the same values (outputs are canonical
 * residues); they differ only in speed.
 *
 * <p>{@link #preferred()} is decided once at start-up: {@link #VECTOR} when the
 * {@code jdk.incubator.vector} module is present (run with {@code --add-modules
 * jdk.incubator.vector}) and the CPU offers vectors of at least 256 bits, else {@link #SCALAR}.
 * The system property {@code ciphernet.backend=scalar|vector} overrides the choice.
 */
public enum Backend {
    /** Exact 64-bit scalar arithmetic (Harvey/Shoup, Barrett), any modulus below 2^61. */
    SCALAR,
    /**
     * Vector-API arithmetic: double/FMA lanes for moduli below 2^50, 64-bit lanes for additions;
     * where it does not apply (larger moduli, tiny rings) it uses the scalar code.
     */
    VECTOR;

    private static final boolean VECTOR_AVAILABLE = detectVector();
    private static final Backend PREFERRED = choose();

    private static boolean detectVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorSupport.preferredBits() >= 256;
        } catch (LinkageError e) {
            return false;
        }
    }

    private static Backend choose() {
        String forced = System.getProperty("ciphernet.backend");
        if (forced != null) {
            Backend b = Backend.valueOf(forced.trim().toUpperCase(Locale.ROOT));
            if (!b.isAvailable()) {
                throw new IllegalStateException("ciphernet.backend=" + forced
                        + " but the Vector API is not available: run with --add-modules jdk.incubator.vector");
            }
            return b;
        }
        return VECTOR_AVAILABLE ? VECTOR : SCALAR;
    }

    /** The backend chosen at start-up. */
    public static Backend preferred() {
        return PREFERRED;
    }

    /** Whether this backend can run in this JVM. */
    public boolean isAvailable() {
        return this == SCALAR || VECTOR_AVAILABLE;
    }

    private void requireAvailable() {
        if (!isAvailable()) {
            throw new IllegalStateException(
                    "the Vector API backend is not available: run with --add-modules jdk.incubator.vector");
        }
    }

    NttEngine ntt(NttTables tables) {
        requireAvailable();
        return this == VECTOR ? VectorSupport.ntt(tables) : new ScalarNtt(tables);
    }

    LimbKernel limbKernel(Modulus m) {
        requireAvailable();
        return this == VECTOR ? VectorSupport.limbKernel(m) : new ScalarLimbKernel(m);
    }
}
