package org.ciphernet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.ciphernet.ckks.CkksException;

/**
 * How the commands read and write their files: every problem becomes a {@link UserError} naming
 * the file and what is wrong with it (missing, a folder, unreadable, empty, corrupted), and key
 * material is written with owner-only permissions whatever the umask.
 */
final class CliFiles {
    static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private CliFiles() {
    }

    /** Checks that {@code file} exists, is a regular file and is readable (without reading it). */
    static void requireReadable(Path file, String what) {
        if (!Files.exists(file)) {
            throw new UserError(what + " " + file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new UserError(what + " " + file + ": is a folder, not a file");
        }
        if (!Files.isReadable(file)) {
            throw new UserError(what + " " + file + ": permission denied");
        }
    }

    /** The bytes of a non-empty file. */
    static byte[] read(Path file, String what) {
        requireReadable(file, what);
        try {
            byte[] b = Files.readAllBytes(file);
            if (b.length == 0) {
                throw new UserError(what + " " + file + ": the file is empty");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new UserError(what + " " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new UserError(what + " " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new UserError(what + " " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads and parses a file; a parse error names the file. */
    static <T> T parse(Path file, String what, Function<byte[], T> parser) {
        byte[] b = read(file, what);
        try {
            return parser.apply(b);
        } catch (CkksException e) {
            throw new UserError(what + " " + file + ": " + e.getMessage(), e);
        }
    }

    static final Set<PosixFilePermission> PUBLIC_READ = PosixFilePermissions.fromString("rw-r--r--");

    /**
     * Writes a public file (644), replacing it atomically (see {@link #writeAtomically}); an I/O
     * problem names the file.
     */
    static void write(Path file, byte[] bytes, String what) {
        writeAtomically(file, bytes, PUBLIC_READ, what);
    }

    /**
     * Creates a folder private to its owner (700, set explicitly so the umask cannot widen it) if it
     * does not exist; warns if an existing one is open to group or others.
     */
    static void privateFolder(Path dir, PrintStream err) {
        try {
            if (!Files.exists(dir)) {
                // created 700 from the start (a folder made with the umask's permissions and narrowed
                // afterwards would be open, for a moment, to files planted by other users)
                if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
                } else {
                    Files.createDirectories(dir);
                }
                if (posix(dir)) {
                    Files.setPosixFilePermissions(dir, OWNER_RWX);
                }
            } else if (!Files.isDirectory(dir)) {
                throw new UserError("key folder " + dir + ": exists and is not a folder");
            } else if (posix(dir) && !java.util.Collections.disjoint(Files.getPosixFilePermissions(dir), GROUP_OR_OTHERS)) {
                err.println("warning: key folder " + dir + " is accessible to group or others; run: chmod 700 " + dir);
            }
        } catch (IOException e) {
            throw new UserError("cannot create key folder " + dir + " (" + e + ")", e);
        }
    }

    /** Writes secret bytes to {@code file} with permissions 600 (see {@link #writeAtomically}). */
    static void writeSecret(Path file, byte[] bytes) {
        writeAtomically(file, bytes, OWNER_RW, "secret key");
    }

    /**
     * Writes {@code bytes} to {@code file}: into a new temporary file in the same folder, created
     * owner-only and given {@code permissions} before anything is written, forced to the disk, then
     * moved over the target in one step. No other user can read a partial or widened copy, a
     * crash leaves the old file or the new one (never half of one), and a symbolic link planted at
     * {@code file} is replaced rather than followed.
     */
    static void writeAtomically(Path file, byte[] bytes, Set<PosixFilePermission> permissions, String what) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = posix(dir) ? Files.createTempFile(dir, ".ciphernet", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_RW))
                    : Files.createTempFile(dir, ".ciphernet", ".tmp");
            if (posix(tmp)) {
                Files.setPosixFilePermissions(tmp, permissions);
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UserError("cannot write " + what + " " + file + " (" + e + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is owner-only
                }
            }
        }
    }

    /** One warning line if a secret file is readable or writable by group or others. */
    static void warnIfShared(Path file, PrintStream err) {
        try {
            if (posix(file) && !java.util.Collections.disjoint(Files.getPosixFilePermissions(file), GROUP_OR_OTHERS)) {
                err.println("warning: " + file + " is accessible to group or others; run: chmod 600 " + file);
            }
        } catch (IOException e) {
            // the read that follows reports the problem
        }
    }

    private static boolean posix(Path p) {
        return Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class) != null;
    }
}
