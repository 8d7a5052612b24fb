package org.ciphernet.serve;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that refuses (413) to deliver more than a limit, so bodies without a
 * Content-Length are bounded too; a failure to read it (the client went away) becomes a
 * {@link BrokenBody}, told apart from the service's own I/O errors.
 */
final class LimitedInputStream extends FilterInputStream {
    /** The client's body broke off. */
    static final class BrokenBody extends IOException {
        private static final long serialVersionUID = 1L;

        BrokenBody(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final long limit;
    private long read;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            throw new BrokenBody(e);
        }
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(b, off, (int) Math.min(len, limit - read + 1));
        } catch (IOException e) {
            throw new BrokenBody(e);
        }
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) {
        read += n;
        if (read > limit) {
            throw new ApiException(413, "too_large", "the body exceeds " + limit + " bytes, the most this request takes");
        }
    }
}
