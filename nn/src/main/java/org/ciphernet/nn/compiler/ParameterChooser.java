package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.NoSecureParametersException;

/**
 * Chooses CKKS parameters for a depth and a slot count: the smallest ring that is secure at the
 * requested level, then the largest scale (from the preferred one down to the minimum) for which
 * the special primes allow at most {@value #PREFERRED_DNUM} key-switching digits (smaller keys and
 * faster rotations), or else any digit count. With {@link CompileOptions#smallPrimes()} the chain
 * has extra primes above the network's depth for the output's headroom, so the plan ends at a level
 * above 0.
 *
 * <p>Whether a network fits depends on its layout (depth and slots differ between layout
 * variants), so a shortfall is not thrown but returned as the {@link Choice}'s refusal; given
 * parameters weaker than the options ask for are a configuration error and are thrown at once.
 */
final class ParameterChooser {
    static final int PREFERRED_DNUM = 8;

    private ParameterChooser() {
    }

    /**
     * The parameters chosen, or why none fit.
     *
     * @param parameters the parameters, or null if refused
     * @param refusal why no parameters hold the network (the exception to throw if no layout fits), or null
     */
    record Choice(CkksParameters parameters, IllegalArgumentException refusal) {
        static Choice of(CkksParameters p) {
            return new Choice(p, null);
        }

        static Choice refused(IllegalArgumentException reason) {
            return new Choice(null, reason);
        }

        /** The parameters, or the refusal thrown. */
        CkksParameters orElseThrow() {
            if (refusal != null) {
                throw refusal;
            }
            return parameters;
        }
    }

    /**
     * Parameters for a depth and a slot count.
     *
     * @throws org.ciphernet.ckks.CkksException.InsecureParametersException if the options give
     *     parameters below the security they ask for
     */
    static Choice choose(int depth, int minSlots, CompileOptions o) {
        int needDepth = Math.max(depth, 1);
        if (o.parameters().isPresent()) {
            CkksParameters p = o.parameters().get();
            if (p.security().bits() < o.security().bits()) {
                throw new org.ciphernet.ckks.CkksException.InsecureParametersException("the given parameters were checked at "
                        + p.security() + ", below the " + o.security() + " the options ask for; pass secure parameters, or "
                        + "opt out explicitly with CompileOptions.withSecurity(SecurityLevel." + p.security() + ")");
            }
            if (p.maxLevel() < needDepth) {
                return Choice.refused(new NoSecureParametersException("the network needs multiplicative depth " + needDepth
                        + " but the given parameters offer " + p.maxLevel(), needDepth, p.maxLevel()));
            }
            if (p.slots() < minSlots) {
                return Choice.refused(new IllegalArgumentException("the network needs " + minSlots
                        + " slots but the given parameters have " + p.slots()));
            }
            return Choice.of(p);
        }
        int minLogN = o.security() == org.ciphernet.ckks.SecurityLevel.NONE_INSECURE ? 10 : 12;
        while ((1 << (minLogN - 1)) < minSlots) {
            minLogN++;
        }
        for (boolean preferSmallKeys : new boolean[] {true, false}) {
            for (int logN = minLogN; logN <= 17; logN++) {
                if (!o.security().hasBound(logN)) {
                    break;
                }
                int bound = o.security().maxLogQp(logN);
                for (int scale = o.maxScaleBits(); scale >= o.minScaleBits(); scale--) {
                    // small primes: a first prime of the scale's size and extra primes for the output's headroom
                    int extra = o.smallPrimes() ? (o.integerBits() + 1 + scale - 1) / scale : 0;
                    int q0 = o.smallPrimes() ? scale : scale + o.integerBits();
                    int levels = needDepth + extra;
                    int logQ = q0 + levels * scale;
                    int pBits = Math.min(61, q0);
                    int kMax = (bound - logQ) / pBits;
                    if (kMax < 1 || scale < logN + 3) {
                        continue;
                    }
                    int dnum = (levels + 1 + kMax - 1) / kMax;
                    if (preferSmallKeys && dnum > PREFERRED_DNUM) {
                        continue;
                    }
                    int alpha = (levels + 1 + dnum - 1) / dnum;
                    List<Integer> q = new ArrayList<>();
                    q.add(q0);
                    q.addAll(Collections.nCopies(levels, scale));
                    return Choice.of(CkksParameters.builder().logN(logN).qBits(q).pBits(Collections.nCopies(alpha, pBits))
                            .logScale(scale).security(o.security()).build());
                }
            }
        }
        int best = 0;
        int bestLogN = minLogN;
        for (int logN = minLogN; logN <= 17 && o.security().hasBound(logN); logN++) {
            int bound = o.security().maxLogQp(logN);
            int q0 = o.minScaleBits() + o.integerBits();
            int avail = (bound - 2 * q0) / o.minScaleBits();
            if (avail > best) {
                best = avail;
                bestLogN = logN;
            }
        }
        return Choice.refused(new NoSecureParametersException(String.format(
                "no %s parameters hold this network: it needs multiplicative depth %d and %d slots; the deepest chain "
                        + "available is depth %d (N = 2^%d, scale 2^%d). Reduce the depth (fewer activations, fuse "
                        + "linear layers), lower the scale, or opt out of the security check explicitly.",
                o.security(), needDepth, minSlots, Math.max(best, 0), bestLogN, o.minScaleBits()), needDepth, Math.max(best, 0)));
    }
}
