package dev.mailflow.auth.dkim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which header fields Mailflow signs (RFC 6376 section 5.4.1 leaves the choice to the
 * signer), in the manner of rspamd's and Stalwart's defaults and OpenDKIM's oversigning:
 *
 * <ul>
 * <li><b>Oversigned</b>, each listed once more than it occurs, even when absent: From, Reply-To,
 *     Subject, To, Cc. These are what a reader sees; oversigning means nobody can add a second
 *     From or a Reply-To later without breaking the signature (RFC 6376 8.15).</li>
 * <li><b>Signed when present</b>, every occurrence: Date, Message-ID, In-Reply-To, References,
 *     MIME-Version, Content-Type, Content-Transfer-Encoding, Content-Disposition, Sender,
 *     List-Id (RFC 2919), the RFC 2369 list fields (List-Help, List-Subscribe,
 *     List-Unsubscribe, List-Post, List-Owner, List-Archive) and List-Unsubscribe-Post (RFC 8058
 *     section 4 wants it and List-Unsubscribe signed for one-click unsubscribe).</li>
 * <li><b>Not signed</b>: trace and per-hop fields that relays add or change (Received,
 *     Return-Path, Delivered-To, Authentication-Results, ARC-*, DKIM-Signature) and X- fields.</li>
 * </ul>
 */
final class SignedHeaders {

    static final List<String> OVERSIGNED = List.of("from", "reply-to", "subject", "to", "cc");
    static final List<String> WHEN_PRESENT = List.of("date", "message-id", "in-reply-to", "references",
            "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "sender", "list-id",
            "list-help", "list-subscribe", "list-unsubscribe", "list-unsubscribe-post", "list-post", "list-owner",
            "list-archive");

    private SignedHeaders() {
    }

    /** The h= list for this message, lowercase, in the order above. */
    static List<String> select(RawMessage message) {
        var h = new ArrayList<String>();
        for (String name : OVERSIGNED) {
            int n = count(message, name);
            for (int i = 0; i <= n; i++) {
                h.add(name);
            }
        }
        for (String name : WHEN_PRESENT) {
            int n = count(message, name);
            for (int i = 0; i < n; i++) {
                h.add(name);
            }
        }
        return h;
    }

    private static int count(RawMessage message, String name) {
        return (int) message.headers().stream().filter(f -> f.name().toLowerCase(Locale.ROOT).equals(name)).count();
    }
}
