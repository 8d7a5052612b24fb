package org.ciphernet.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A dataset of encrypted tensors on disk: a folder with one file {@code <id>.ct} per record, the
 * serialized {@link org.ciphernet.nn.EncryptedTensor} (a query of one image, or of a batch or a
 * packed group of images, as the plan has it). Ids are 1 to 128 characters of
 * {@code [A-Za-z0-9._-]} not starting with a dot; {@code client encrypt-dataset} names each record
 * by the index of its first image, zero-padded, so answers can be matched with labels.
 *
 * <p>Writes are atomic: a record is written to a temporary file in the folder, forced to disk and
 * renamed onto its name, so a reader (or a retried Spark task) sees either no record or a whole
 * one. {@link #publishOnce} keeps the first complete record of an id: a task that is run twice (a
 * retry after a failure, a speculative copy) leaves exactly one answer per id.
 *
 * <p>The folder must be on a file system every executor sees (local disk for {@code local[*]}, a
 * shared mount such as NFS on a cluster).
 */
public final class EncryptedDataset {
    /** The file suffix of a record. */
    public static final String SUFFIX = ".ct";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path folder;

    private EncryptedDataset(Path folder) {
        this.folder = folder;
    }

    /** An existing dataset folder. */
    public static EncryptedDataset open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("encrypted dataset " + folder + ": " + (Files.exists(folder) ? "is a file, not a folder"
                    : "no such folder"));
        }
        return new EncryptedDataset(folder);
    }

    /**
     * A folder to write records into, created if needed; with {@code requireEmpty}, refuses a
     * folder that already holds records (an earlier run's answers must not mix with this run's).
     */
    public static EncryptedDataset create(Path folder, boolean requireEmpty) {
        try {
            Files.createDirectories(folder);
        } catch (FileAlreadyExistsException e) {
            throw new DatasetException("encrypted dataset " + folder + ": is a file, not a folder", e);
        } catch (IOException e) {
            throw new DatasetException("encrypted dataset " + folder + ": cannot be created (" + e.getMessage() + ")", e);
        }
        EncryptedDataset d = new EncryptedDataset(folder);
        if (requireEmpty && !d.ids().isEmpty()) {
            throw new DatasetException("encrypted dataset " + folder + ": already holds " + d.ids().size()
                    + " records; choose an empty or new folder");
        }
        return d;
    }

    /** The folder. */
    public Path folder() {
        return folder;
    }

    /** Whether {@code id} is a valid record id. */
    public static boolean validId(String id) {
        return ID.matcher(id).matches();
    }

    /** The id of the record whose first image is {@code index} (zero-padded, so ids sort like indices). */
    public static String idOfImage(int index) {
        return String.format(java.util.Locale.ROOT, "%08d", index);
    }

    /** The record ids in the folder, sorted. Files other than records are ignored. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (validId(id) && Files.isRegularFile(f)) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new DatasetException("encrypted dataset " + folder + ": cannot be listed (" + e.getMessage() + ")", e);
        }
        Collections.sort(ids);
        return ids;
    }

    /** The file of a record. */
    public Path file(String id) {
        if (!validId(id)) {
            throw new DatasetException("invalid record id '" + id + "': use 1 to 128 of A-Z a-z 0-9 . _ - (not starting with a dot)");
        }
        return folder.resolve(id + SUFFIX);
    }

    /** The bytes of a record. */
    public byte[] read(String id) {
        Path f = file(id);
        try {
            byte[] b = Files.readAllBytes(f);
            if (b.length == 0) {
                throw new DatasetException("record " + f + ": the file is empty");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new DatasetException("record " + f + ": no such file", e);
        } catch (IOException e) {
            throw new DatasetException("record " + f + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Writes a record atomically, replacing an earlier one of the same id. */
    public void write(String id, byte[] bytes) {
        Path tmp = temp(id, bytes);
        try {
            move(tmp, file(id), true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("record " + file(id) + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Writes a record atomically unless one of that id is already there (then the new bytes are
     * discarded and {@code false} returned): the first complete answer of an id wins.
     */
    public boolean publishOnce(String id, byte[] bytes) {
        Path target = file(id);
        if (Files.exists(target)) {
            return false;
        }
        Path tmp = temp(id, bytes);
        try {
            // a hard link fails if the name exists: atomic "create if absent" for a complete file
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            try { // file systems without hard links: a rename, which may replace a concurrent twin's equal answer
                if (Files.exists(target)) {
                    return false;
                }
                move(tmp, target, false);
                tmp = null;
                return true;
            } catch (IOException e2) {
                throw new UncheckedIOException("record " + target + ": cannot be written (" + e2.getMessage() + ")", e2);
            }
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Removes temporary files left by writers that died (call when no writer runs). */
    public void removeTemporaryFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, TEMP_PREFIX + "*")) {
            for (Path f : files) {
                deleteQuietly(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path temp(String id, byte[] bytes) {
        Path tmp = folder.resolve(TEMP_PREFIX + file(id).getFileName() + "-" + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            out.write(bytes);
            out.flush();
            ch.force(true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("record " + file(id) + ": cannot be written (" + e.getMessage() + ")", e);
        }
        return tmp;
    }

    private static void move(Path from, Path to, boolean replace) throws IOException {
        try {
            if (replace) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (AtomicMoveNotSupportedException e) {
            if (replace) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is removed by removeTemporaryFiles
        }
    }

    @Override
    public String toString() {
        return folder.toString();
    }
}
