package dev.mailflow.smtp;

/**
 * The rules text content obeys whatever way it arrives (DATA or BDAT without
 * {@code BODY=BINARYMIME}): every CR is followed by LF and every LF follows a CR
 * (RFC 5321 2.3.8, 4.1.1.4), and no NUL octet (RFC 5321 4.5.2 and RFC 5322 2.3 allow it in
 * no text; only BINARYMIME content, RFC 3030, may hold it).
 *
 * <p>SECURITY (SMTP smuggling, CVE-2023-51764 family): a next hop that drops NULs or reads a
 * bare LF as a line end sees {@code <CRLF>.<CRLF>} where we saw content, and the commands
 * after it as a second message with the attacker's envelope. BDAT carries no end-of-data
 * marker of its own, but the chunk is relayed onward, perhaps by DATA: so the same rules.
 *
 * <p>Fed the octets in order, across chunks: a CR at the end of one chunk and the LF at the
 * start of the next are one line ending.
 */
public final class TextContentRules {

    private boolean pendingCr;
    private boolean bareLineEnding;
    private boolean nul;

    public void feed(byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte b = buf[i];
            if (pendingCr) {
                pendingCr = false;
                if (b == '\n') {
                    continue;
                }
                bareLineEnding = true;
            }
            if (b == '\r') {
                pendingCr = true;
            } else if (b == '\n') {
                bareLineEnding = true;
            } else if (b == 0) {
                nul = true;
            }
        }
    }

    /** The content ended: a CR left waiting for its LF is a bare CR. */
    public void end() {
        if (pendingCr) {
            pendingCr = false;
            bareLineEnding = true;
        }
    }

    /** The reply that refuses the content so far, or null while it obeys the rules. */
    public Reply refusal() {
        if (bareLineEnding) {
            return Reply.BARE_LINE_ENDING;
        }
        if (nul) {
            return Reply.NUL_IN_CONTENT;
        }
        return null;
    }
}
