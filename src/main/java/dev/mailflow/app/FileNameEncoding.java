package dev.mailflow.app;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Whether this JVM can name files in UTF-8. The JVM encodes file names by the locale it
 * started under ({@code sun.jnu.encoding}, from LC_ALL, LC_CTYPE or LANG), and nothing can
 * change that once it runs: under a POSIX locale (LANG unset, as a service may start) a
 * mailbox such as {@code 用户@example.test} cannot become a directory. The launcher, the
 * wrapper and the systemd unit start Java with {@code LC_ALL=C.UTF-8} when the locale is not
 * UTF-8 (.mvn/jdk.sh); this says so clearly when Java was started some other way.
 */
final class FileNameEncoding {

    private FileNameEncoding() {
    }

    /** The character set file names are written in. */
    static String current() {
        String jnu = System.getProperty("sun.jnu.encoding");
        return jnu != null ? jnu : Charset.defaultCharset().name();
    }

    static boolean isUtf8() {
        try {
            return Charset.forName(current()).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The warning for the start-up output, or null when file names are UTF-8. */
    static String warning() {
        if (isUtf8()) {
            return null;
        }
        return "warning: file names are in " + current() + ", not UTF-8 (the locale is not UTF-8: LANG and LC_ALL "
                + "unset or POSIX); mail to mailboxes with non-ASCII names will wait in the queue. Start Mailflow "
                + "with LC_ALL=C.UTF-8 (./mailflow and the systemd unit do).";
    }
}
