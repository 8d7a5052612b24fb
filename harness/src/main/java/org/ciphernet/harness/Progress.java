package org.ciphernet.harness;

/** Reports progress of long steps (the CLI shows a progress bar). */
public interface Progress {
    /** A step started with {@code total} units of work. */
    void start(String step, long total);

    /** One more unit done. */
    void advance();

    /** The step finished. */
    void finish();

    /** Reports nothing. */
    static Progress none() {
        return new Progress() {
            @Override
            public void start(String step, long total) {
            }

            @Override
            public void advance() {
            }

            @Override
            public void finish() {
            }
        };
    }
}
