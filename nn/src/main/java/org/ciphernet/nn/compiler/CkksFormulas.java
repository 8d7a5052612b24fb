package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.List;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ntt.Primes;

/** STAND-IN until CkksParameters offers these (branch i14-ckks): the only copy of each formula in nn. */
final class CkksFormulas {
    private CkksFormulas() {
    }

    /** The primes of Q, as CkksContext chooses them. */
    static List<Long> qPrimes(CkksParameters p) {
        List<Long> chosen = new ArrayList<>();
        chosen.addAll(Primes.generate(p.qBits().get(0), p.degree(), 1, chosen));
        for (int i = 1; i < p.qBits().size(); i++) {
            chosen.addAll(Primes.closestTo(p.qBits().get(i), p.degree(), 1, chosen));
        }
        return List.copyOf(chosen);
    }

    /** log2 of the product of Q's primes up to a level, summed in index order. */
    static double log2Modulus(List<Long> q, int level) {
        double s = 0;
        for (int i = 0; i <= level; i++) {
            s += Math.log(q.get(i)) / Math.log(2);
        }
        return s;
    }

    /** Bytes of one switching key made for levels up to {@code level}. */
    static long switchingKeyBytes(CkksParameters p, int level) {
        int alpha = p.pBits().size();
        return (long) (level / alpha + 1) * 2 * (level + 1 + alpha) * p.degree() * 8L;
    }
}
