package org.ciphernet.serve;

import com.google.gson.Gson;
import com.google.gson.JsonSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The tenants' evaluation keys on disk: {@code <data>/tenants/<tenant>/keys/<id>.keys}, the id
 * being the SHA-256 of the bytes (a repeated upload is idempotent), and beside it {@code <id>.json}
 * (the plan fingerprint, size and upload time). An upload is streamed into a temporary file,
 * counted against a limit, checked by the caller, forced to disk and renamed onto its name: a key
 * is visible only when complete and checked, survives restarts, and an upload that breaks off
 * leaves nothing (its temporary file is removed, and any left by a crash is removed at start-up).
 */
final class KeyVault {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final String TEMP = ".upload-";
    private static final Gson GSON = new Gson();
    private final Path root;

    /** What the vault records of a key. */
    record Entry(String tenant, String id, long planFingerprint, long bytes, String uploaded) {
    }

    /** What an upload became. */
    record Upload(Entry entry, boolean created) {
    }

    /** Checks an uploaded file before it becomes visible; throws {@link ApiException} to refuse it. */
    interface Check {
        /** @return the plan fingerprint the keys were made for */
        long check(Path file, long bytes, String id);
    }

    KeyVault(Path dataDir) throws IOException {
        this.root = dataDir.resolve("tenants");
        Files.createDirectories(root);
        removeTemporaryFiles();
    }

    /** Whether {@code id} looks like a key id (so paths built from it stay in the tenant's folder). */
    static boolean validId(String id) {
        return ID.matcher(id).matches();
    }

    /**
     * Streams {@code body} into the tenant's folder, at most {@code maxBytes} (else 413), and makes
     * it visible under its content hash once {@code check} accepts it.
     */
    Upload store(String tenant, InputStream body, long maxBytes, Check check) {
        Path dir = folder(tenant);
        Path tmp = dir.resolve(TEMP + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long n;
            try (InputStream in = new DigestInputStream(new LimitedInputStream(body, maxBytes), sha);
                    FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(ch)) {
                n = in.transferTo(out);
                out.flush();
            }
            if (n == 0) {
                throw ApiException.badRequest("empty", "the body is empty: send the evaluation keys file");
            }
            String id = HexFormat.of().formatHex(sha.digest());
            Path target = dir.resolve(id + ".keys");
            Optional<Entry> existing = entry(tenant, id);
            if (existing.isPresent() && Files.exists(target)) {
                return new Upload(existing.get(), false);
            }
            long plan = check.check(tmp, n, id);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) { // to disk before it gets its name
                ch.force(true);
            }
            Entry e = new Entry(tenant, id, plan, n, java.time.Instant.now().toString());
            writeAtomically(dir.resolve(id + ".json"), GSON.toJson(e).getBytes(StandardCharsets.UTF_8));
            move(tmp, target);
            force(dir);
            return new Upload(e, true);
        } catch (LimitedInputStream.BrokenBody e) {
            throw new ApiException(400, "broken_upload", "the upload broke off: " + e.getMessage());
        } catch (IOException e) {
            throw new ApiException(507, "storage", "the service cannot store the keys (" + e.getMessage() + "); nothing was kept");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // removed at the next start
            }
        }
    }

    /** A tenant's key, if it exists and is complete. */
    Optional<Entry> entry(String tenant, String id) {
        if (!validId(id)) {
            return Optional.empty();
        }
        Path dir = folder(tenant);
        if (!Files.exists(dir.resolve(id + ".keys"))) {
            return Optional.empty();
        }
        try {
            Entry e = GSON.fromJson(Files.readString(dir.resolve(id + ".json")), Entry.class);
            return Optional.ofNullable(e);
        } catch (NoSuchFileException ex) {
            return Optional.empty();
        } catch (IOException | JsonSyntaxException ex) {
            throw new IllegalStateException("key record " + dir.resolve(id + ".json") + " is unreadable: " + ex.getMessage(), ex);
        }
    }

    /** The file of a tenant's key. */
    Path file(String tenant, String id) {
        return folder(tenant).resolve(id + ".keys");
    }

    /** A tenant's keys. */
    List<Entry> list(String tenant) {
        List<Entry> out = new ArrayList<>();
        Path dir = folder(tenant);
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.keys")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                entry(tenant, name.substring(0, name.length() - ".keys".length())).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(java.util.Comparator.comparing(Entry::uploaded));
        return out;
    }

    /** Deletes a tenant's key; false if there was none. */
    boolean delete(String tenant, String id) {
        if (!validId(id)) {
            return false;
        }
        Path dir = folder(tenant);
        try {
            boolean had = Files.deleteIfExists(dir.resolve(id + ".keys"));
            Files.deleteIfExists(dir.resolve(id + ".json"));
            force(dir);
            return had;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path folder(String tenant) {
        return root.resolve(tenant).resolve("keys");
    }

    /** Temporary files of uploads a crash interrupted, and records whose keys never arrived. */
    private void removeTemporaryFiles() throws IOException {
        try (DirectoryStream<Path> tenants = Files.newDirectoryStream(root)) {
            for (Path t : tenants) {
                Path dir = t.resolve("keys");
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) {
                        String name = f.getFileName().toString();
                        boolean orphanRecord = name.endsWith(".json")
                                && !Files.exists(dir.resolve(name.substring(0, name.length() - 5) + ".keys"));
                        if (name.startsWith(TEMP) || name.startsWith(".tmp-") || orphanRecord) {
                            Files.deleteIfExists(f);
                        }
                    }
                }
            }
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(".tmp-" + file.getFileName() + "-" + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        move(tmp, file);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forces a folder's entries (the renames) to disk, where the platform allows it. */
    private static void force(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system can sync a directory; the rename is still atomic
        }
    }
}
