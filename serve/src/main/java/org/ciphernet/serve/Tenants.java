package org.ciphernet.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bearer tokens and the tenants they stand for, from a file of {@code token tenant} lines (blank
 * lines and {@code #} comments ignored). Tokens are kept only as SHA-256 digests and compared in
 * constant time; a tenant name is 1 to 64 of {@code [A-Za-z0-9._-]} (it names the tenant's folder).
 */
public final class Tenants {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    private final Map<String, String> tenantByDigest; // hex SHA-256 of the token -> tenant

    private Tenants(Map<String, String> tenantByDigest) {
        this.tenantByDigest = Map.copyOf(tenantByDigest);
    }

    /**
     * Reads a tokens file.
     *
     * @throws IllegalArgumentException naming the line of a malformed entry, a short token or a
     *     repeated token
     */
    public static Tenants read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses the lines of a tokens file ({@code source} names it in errors). */
    public static Tenants parse(List<String> lines, String source) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            String where = source + " line " + (i + 1);
            if (f.length != 2) {
                throw new IllegalArgumentException(where + ": expected 'token tenant', got " + f.length + " fields");
            }
            if (f[0].length() < 16) {
                throw new IllegalArgumentException(where + ": the token is shorter than 16 characters (use a random one, "
                        + "e.g. openssl rand -hex 24)");
            }
            if (!NAME.matcher(f[1]).matches()) {
                throw new IllegalArgumentException(where + ": tenant name '" + f[1] + "' must be 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            if (m.put(digest(f[0]), f[1]) != null) {
                throw new IllegalArgumentException(where + ": this token is listed twice");
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException(source + ": no 'token tenant' lines: nobody could use the service");
        }
        return new Tenants(m);
    }

    /** The tenant of an {@code Authorization} header's bearer token, if the token is known. */
    Optional<String> tenant(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] d = HexFormat.of().parseHex(digest(authorization.substring(7).strip()));
        String found = null;
        for (Map.Entry<String, String> e : tenantByDigest.entrySet()) { // visit every entry: no early exit on a match
            if (MessageDigest.isEqual(d, HexFormat.of().parseHex(e.getKey()))) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The number of tokens. */
    public int size() {
        return tenantByDigest.size();
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
