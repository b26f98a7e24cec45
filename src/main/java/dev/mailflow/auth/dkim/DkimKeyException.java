package dev.mailflow.auth.dkim;

/**
 * A signing key that cannot be used: unreadable, not PKCS#8 PEM, not RSA or Ed25519, or too
 * short. The message is our own sentence, fit to show an operator as it is.
 */
public final class DkimKeyException extends Exception {

    public DkimKeyException(String message) {
        super(message, null, false, false);
    }
}
