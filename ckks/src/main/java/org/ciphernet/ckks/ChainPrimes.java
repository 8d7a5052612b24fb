package org.ciphernet.ckks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.ciphernet.ntt.Primes;

/**
 * The primes of a parameter set's chain, chosen once per set: the first prime is the largest prime
 * {@code ≡ 1 mod 2N} below {@code 2^qBits[0]}, scaling primes are the primes closest to
 * {@code 2^bits} (alternating above and below), special primes the largest below {@code 2^bits};
 * all distinct (each choice excludes the primes chosen before it), all deterministic.
 *
 * <p>The cache lives outside {@link CkksParameters} so that the record's components, equality,
 * hash code and fingerprint stay its declared values. It is keyed by equality and holds its keys
 * weakly: equal parameters share one entry while any of the instances used as its key is alive.
 */
final class ChainPrimes {
    /** Q's primes (first prime first) and P's, as immutable lists. */
    record Chain(List<Long> q, List<Long> p) {}

    private static final Map<CkksParameters, Chain> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private ChainPrimes() {}

    /** The chain of {@code params}, chosen on first use and cached (thread-safe; chosen once per entry). */
    static Chain of(CkksParameters params) {
        return CACHE.computeIfAbsent(params, ChainPrimes::choose);
    }

    private static Chain choose(CkksParameters params) {
        int n = params.degree();
        List<Long> chosen = new ArrayList<>();
        chosen.addAll(Primes.generate(params.qBits().get(0), n, 1, chosen));
        for (int i = 1; i < params.qBits().size(); i++) {
            chosen.addAll(Primes.closestTo(params.qBits().get(i), n, 1, chosen));
        }
        for (int b : params.pBits()) {
            chosen.addAll(Primes.generate(b, n, 1, chosen));
        }
        int q = params.qBits().size();
        return new Chain(List.copyOf(chosen.subList(0, q)), List.copyOf(chosen.subList(q, chosen.size())));
    }
}
