package dev.mailflow.probe;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import dev.mailflow.server.protection.DnsList;
import dev.mailflow.server.protection.DnsListCheck;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An address looked up in the DNS block lists given with {@code --dnsbl} (RFC 5782: an A query
 * for the reversed address under the list's zone, then its TXT record for the list's reason).
 * None by default: the probe never asks a public list unasked. An answer in 127.255.255.0/24
 * is the list's own error (over quota, a public resolver), never a listing; an answer outside
 * 127.0.0.0/8 is a resolver rewriting NXDOMAIN. The codes of a few well-known lists are named.
 */
final class BlockListCheck {

    /** The result for one address: FAIL when listed, WARN when a list could not answer, PASS otherwise. */
    record Result(String status, String detail, Map<String, Object> details) {
    }

    private BlockListCheck() {
    }

    static Result run(DnsResolver dns, InetAddress address, List<DnsList> lists, Duration timeout) {
        var findings = new ArrayList<Map<String, Object>>();
        var listed = new ArrayList<String>();
        var problems = new ArrayList<String>();
        var clean = new ArrayList<String>();
        for (var list : lists) {
            String name = list.queryName(address);
            var f = new LinkedHashMap<String, Object>();
            f.put("zone", list.zone());
            f.put("query", name);
            switch (dns.a(name)) {
                case DnsAnswer.NotFound<InetAddress> n -> {
                    f.put("result", "not listed");
                    clean.add(list.zone());
                }
                case DnsAnswer.TempFail<InetAddress> t -> {
                    f.put("result", "error");
                    f.put("detail", t.reason());
                    problems.add(Messages.text("dnsbl.noAnswer", list.zone(), t.reason()));
                }
                case DnsAnswer.Found<InetAddress> found -> {
                    var codes = found.records().stream().map(InetAddress::getHostAddress).toList();
                    f.put("answers", codes);
                    var error = found.records().stream().filter(DnsList::isListError).findFirst();
                    if (error.isPresent()) {
                        f.put("result", "error");
                        problems.add(Messages.text("dnsbl.listError", list.zone(), error.get().getHostAddress(),
                                DnsListCheck.listErrorMeaning(error.get(), "--dns-server")));
                    } else if (!found.records().stream().allMatch(DnsList::isListingCode)) {
                        f.put("result", "error");
                        problems.add(Messages.text("dnsbl.notACode", list.zone(), String.join(", ", codes)));
                    } else {
                        String reason = txt(dns, name);
                        f.put("result", "listed");
                        f.put("meaning", codes.stream().map(c -> meaning(list.zone(), c)).toList());
                        if (reason != null) {
                            f.put("reason", reason);
                        }
                        String meanings = String.join(", ", codes.stream()
                                .map(c -> Messages.text("dnsbl.code", c, meaning(list.zone(), c))).toList());
                        listed.add(reason == null ? Messages.text("dnsbl.listed", list.zone(), meanings)
                                : Messages.text("dnsbl.listed.reason", list.zone(), meanings, reason));
                    }
                }
            }
            findings.add(f);
        }
        String status = !listed.isEmpty() ? "FAIL" : !problems.isEmpty() ? "WARN" : "PASS";
        var parts = new ArrayList<String>();
        if (!listed.isEmpty()) {
            parts.add(Messages.text("dnsbl.listedAdvice", Messages.joined(listed)));
        }
        parts.addAll(problems);
        if (!clean.isEmpty()) {
            parts.add(Messages.text("dnsbl.clean", String.join(", ", clean)));
        }
        return new Result(status, Messages.joined(parts), Map.of("lists", findings));
    }

    /** The list's TXT record for the address (RFC 5782 2.1): its reason or a link, or null. */
    private static String txt(DnsResolver dns, String name) {
        if (dns.txt(name) instanceof DnsAnswer.Found<TxtRecord> t && !t.records().isEmpty()) {
            String text = t.records().get(0).text();
            String printable = dev.mailflow.smtp.Reply.printable(text);
            return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
        }
        return null;
    }

    /** A listing code in words: the list's own meaning for the lists whose codes are published, else RFC 5782's. */
    static String meaning(String zone, String code) {
        if (zone.equals("zen.spamhaus.org") || zone.endsWith(".zen.dq.spamhaus.net")) {
            return Messages.text(switch (code) {
                case "127.0.0.2" -> "dnsbl.spamhaus.sbl";
                case "127.0.0.3" -> "dnsbl.spamhaus.css";
                case "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7" -> "dnsbl.spamhaus.xbl";
                case "127.0.0.9" -> "dnsbl.spamhaus.drop";
                case "127.0.0.10", "127.0.0.11" -> "dnsbl.spamhaus.pbl";
                default -> "dnsbl.listedWord";
            });
        }
        return Messages.text(code.equals("127.0.0.2") ? "dnsbl.testCode" : "dnsbl.listedWord");
    }
}
