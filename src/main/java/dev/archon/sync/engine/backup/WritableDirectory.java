package dev.archon.sync.engine.backup;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A directory the sync writes to (the backup directory, the work directory), named with the setting
 * that chooses it, and what goes wrong with it told in a user's words: read-only, not a directory,
 * permission denied, full. Never a Java exception's class name.
 */
public record WritableDirectory(String role, Path dir, String setting) {
    static final String NO_SPACE = "No space left on device";

    public static WritableDirectory backups(Path dir) {
        return new WritableDirectory("backup directory", dir, "ARCHON_SYNC_BACKUP_DIR");
    }

    public static WritableDirectory work(Path dir) {
        return new WritableDirectory("work directory", dir, "ARCHON_SYNC_WORK_DIR");
    }

    /** Creates it if need be and writes (and removes) a probe file: why that failed, or empty when it worked. */
    public Optional<String> whyNotWritable() {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("the " + role + " " + dir.toAbsolutePath() + " cannot be written: " + reason(e)
                    + "; fix " + setting);
        }
    }

    /** The message for a write that ran out of space in this directory. */
    public String full(String whileDoing) {
        return "no space left on the " + role + " " + dir.toAbsolutePath() + " (" + setting + ") while " + whileDoing
                + ": free space there or point " + setting + " at a larger disk";
    }

    /** Whether an error (or a tool's stderr) says the disk was full. */
    public static boolean isNoSpace(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause() == cur ? null : cur.getCause()) {
            if (isNoSpace(cur.getMessage())) {
                return true;
            }
        }
        return false;
    }

    public static boolean isNoSpace(String text) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(NO_SPACE.toLowerCase(Locale.ROOT));
    }

    private static String reason(Exception e) {
        String text = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("read-only file system")) {
            return "it is on a read-only filesystem";
        }
        if (isNoSpace(text)) {
            return "its disk is full";
        }
        if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException || lower.contains("not a directory")) {
            return "part of that path is a file, not a directory";
        }
        if (e instanceof AccessDeniedException || lower.contains("permission denied")) {
            return "permission denied (" + offending(e) + ")";
        }
        if (e instanceof UnsupportedOperationException) {
            return "its filesystem does not support the files a backup needs";
        }
        return text;
    }

    private static String offending(Exception e) {
        return e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : "?";
    }
}
