package dev.mailflow.sql;

import java.sql.SQLException;
import java.util.Locale;

/**
 * What went wrong with a database, in one sentence for a mail administrator: the login
 * refused, nothing listening, no such database, no permission, or the server's own first line.
 * The connection pool's wrapper ("Connection is not available, request timed out ...
 * (total=0, active=0, ...)") gives way to the cause under it, and the driver's "FATAL:" and
 * "ERROR:" prefixes and its advice about the "postmaster" (the PostgreSQL server process, not
 * the mailbox) are left out.
 */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    public static String describe(Throwable e) {
        SQLException sql = deepestSql(e);
        if (sql == null) {
            return firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        String text = firstLine(sql.getMessage() == null ? "" : sql.getMessage());
        text = text.replaceFirst("^(FATAL|ERROR|FEHLER|FATAL ERROR): +", "");
        if (state.equals("28P01") || state.equals("28000")) {
            return "the database refused the login: " + text;
        }
        if (state.equals("3D000")) {
            return "no such database: " + text;
        }
        if (state.equals("42501")) {
            return "the database user lacks a permission: " + text;
        }
        if (state.startsWith("08") || text.contains("Connection refused") || text.contains("refused")) {
            int check = text.indexOf(". Check that");
            if (check > 0) {
                text = text.substring(0, check);
            }
            return text.toLowerCase(Locale.ROOT).contains("refused") ? "nothing answers there (" + text + ")" : text;
        }
        if (text.contains("Connection is not available, request timed out")) {
            return "no connection within the pool's timeout (the database is slow, stopped, or out of connections)";
        }
        return text.isEmpty() ? "SQLSTATE " + state : text;
    }

    /** The SQLException deepest in the causes: the driver's own, under the pool's. */
    private static SQLException deepestSql(Throwable e) {
        SQLException found = null;
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof SQLException s && s.getMessage() != null) {
                found = s;
            }
        }
        return found;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
