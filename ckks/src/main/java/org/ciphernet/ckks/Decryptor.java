package org.ciphernet.ckks;

import java.util.Objects;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/** Decrypts ciphertexts with the secret key: {@code c0 + c1·s (+ c2·s²)}. Thread-safe. */
public final class Decryptor {
    private final CkksContext context;
    private final RingContext ring;
    private final SecretKey secretKey;

    public Decryptor(CkksContext context, SecretKey sk) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.secretKey = Objects.requireNonNull(sk, "secret key");
        context.check(sk.fingerprint(), "the secret key");
    }

    /** The plaintext (NTT form, same level and scale) encrypted by ct. */
    public Plaintext decrypt(Ciphertext ct) {
        context.check(Arguments.present(ct, "the ciphertext").fingerprint(), "the ciphertext");
        int count = ct.level() + 1;
        RnsPoly s = secretKey.poly().copyPrefix(count);
        RnsPoly m = ct.part(0).copy();
        RnsPoly sPow = s;
        RnsPoly tmp = ring.zero(context.levelPrimes(ct.level()), true);
        for (int i = 1; i < ct.size(); i++) {
            if (i == 2) {
                RnsPoly s2 = ring.zero(context.levelPrimes(ct.level()), true);
                ring.multiply(s, s, s2);
                sPow = s2;
            }
            ring.multiply(ct.part(i), sPow, tmp);
            ring.add(m, tmp, m);
        }
        return new Plaintext(m, ct.level(), ct.scale(), context.fingerprint());
    }
}
