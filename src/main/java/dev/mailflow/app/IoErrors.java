package dev.mailflow.app;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** One sentence for an I/O error, as an operator reads it: the file and what is wrong with it. */
final class IoErrors {

    private IoErrors() {
    }

    static String describe(IOException e) {
        if (e instanceof FileSystemException fse) {
            String what = fse.getReason() != null ? fse.getReason().toLowerCase(java.util.Locale.ROOT)
                    : switch (fse) {
                        case AccessDeniedException a -> "permission denied";
                        case NoSuchFileException n -> "no such file or directory";
                        case FileAlreadyExistsException f -> "it exists and is not a directory";
                        case NotDirectoryException n -> "not a directory";
                        default -> fse.getClass().getSimpleName();
                    };
            String file = fse.getFile();
            String other = fse.getOtherFile();
            return (file == null ? "" : file + (other == null ? "" : " -> " + other) + ": ") + what;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
