package dev.mailflow.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * For interop tests only: keys from a real DNS server on a loopback port, through dnsjava, no
 * cache. (Mailflow's own resolver, {@code dev.mailflow.dns}, will take this place in the server.)
 */
final class DnsjavaKeyLookup implements DkimKeyLookup {

    private final SimpleResolver resolver;

    DnsjavaKeyLookup(int port) throws Exception {
        resolver = new SimpleResolver("127.0.0.1");
        resolver.setPort(port);
        resolver.setTimeout(Duration.ofSeconds(3));
    }

    @Override
    public Answer lookup(String selector, String domain) {
        try {
            Lookup l = new Lookup(selector + "._domainkey." + domain + ".", Type.TXT);
            l.setResolver(resolver);
            l.setCache(null);
            Record[] records = l.run();
            return switch (l.getResult()) {
                case Lookup.SUCCESSFUL -> {
                    var out = new ArrayList<String>();
                    for (Record r : records) {
                        var sb = new StringBuilder();
                        for (byte[] s : ((TXTRecord) r).getStringsAsByteArrays()) {
                            sb.append(new String(s, StandardCharsets.ISO_8859_1));
                        }
                        out.add(sb.toString());
                    }
                    yield new Found(List.copyOf(out));
                }
                case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> new NotFound();
                default -> new TempFail(l.getErrorString());
            };
        } catch (Exception e) {
            return new TempFail("bad name");
        }
    }
}
