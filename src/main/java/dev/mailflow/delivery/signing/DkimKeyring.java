package dev.mailflow.delivery.signing;

import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code [[dkim_key]]} keys by signing domain, each with its signer made once (keys are
 * read at start and at each reload, never per message). A domain may have several keys, an
 * RSA and an Ed25519 one side by side (RFC 8463 section 6), or two selectors during a key
 * rotation: a message gets a signature from each, in the configuration's order.
 *
 * <p>The keys for a From domain are its own, else those of its nearest parent domain that has
 * keys: {@code news.example.test} is signed with {@code d=example.test}, which DMARC's relaxed
 * alignment accepts (RFC 9989 section 4.4.1). Immutable, so thread-safe.
 */
public final class DkimKeyring {

    /** No keys: nothing is signed. */
    public static final DkimKeyring EMPTY = new DkimKeyring(List.of(), Clock.systemUTC());

    private final Map<String, List<DkimSigner>> byDomain;
    private final List<DkimSigningKey> keys;

    /** @param clock the time of t= */
    public DkimKeyring(List<DkimSigningKey> keys, Clock clock) {
        this.keys = List.copyOf(keys);
        var map = new LinkedHashMap<String, List<DkimSigner>>();
        for (var key : this.keys) {
            map.computeIfAbsent(key.domain().toLowerCase(Locale.ROOT), d -> new ArrayList<>())
                    .add(new DkimSigner(key, clock));
        }
        map.replaceAll((d, list) -> List.copyOf(list));
        this.byDomain = Map.copyOf(map);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public List<DkimSigningKey> keys() {
        return keys;
    }

    /**
     * The signers for mail from {@code fromDomain} (lowercase A-labels): its own keys, else its
     * nearest parent's; empty when neither it nor a parent has a key.
     */
    public List<DkimSigner> signersFor(String fromDomain) {
        String d = fromDomain.toLowerCase(Locale.ROOT);
        while (true) {
            var signers = byDomain.get(d);
            if (signers != null) {
                return signers;
            }
            int dot = d.indexOf('.');
            if (dot < 0) {
                return List.of();
            }
            d = d.substring(dot + 1);
        }
    }
}
