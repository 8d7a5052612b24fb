package org.ciphernet.ckks;

/** The key that switches {@code s²} to {@code s}: turns a 3-part product back into 2 parts. */
public final class RelinearizationKey {
    private final SwitchingKey key;

    RelinearizationKey(SwitchingKey key) {
        this.key = key;
    }

    SwitchingKey key() {
        return key;
    }

    public long fingerprint() {
        return key.fingerprint();
    }

    /** Bytes of key material in memory. */
    public long sizeInBytes() {
        return key.sizeInBytes();
    }
}
