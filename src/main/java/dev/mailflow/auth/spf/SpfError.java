package dev.mailflow.auth.spf;

/**
 * Ends a check with temperror or permerror (RFC 7208 2.6.6, 2.6.7) from wherever it is found,
 * through any depth of include and redirect. Control flow only: no stack trace, and the
 * reason is in words for the user.
 */
final class SpfError extends Exception {

    final SpfResult result;

    SpfError(SpfResult result, String reason) {
        super(reason, null, false, false);
        this.result = result;
    }

    /** The same error seen from the including or redirecting record (the path, kept short). */
    SpfError within(String where) {
        return getMessage().length() > 400 ? this : new SpfError(result, where + ": " + getMessage());
    }

    static SpfError perm(String reason) {
        return new SpfError(SpfResult.PERMERROR, reason);
    }

    static SpfError temp(String reason) {
        return new SpfError(SpfResult.TEMPERROR, reason);
    }
}
