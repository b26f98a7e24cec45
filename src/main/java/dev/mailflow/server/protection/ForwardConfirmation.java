package dev.mailflow.server.protection;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Forward-confirmed reverse DNS: the PTR records of the client's address, then the A (IPv4
 * client) or AAAA (IPv6 client) records of each name, asked in parallel; the first name in PTR
 * order that leads back to the address is the confirmed one. At most {@link #MAX_PTR_NAMES}
 * names are followed (as RFC 7208 5.5 bounds SPF's ptr), so a hostile reverse zone cannot make
 * one connection ask DNS without end. Everything ends by the deadline.
 */
public final class ForwardConfirmation {

    /** PTR names followed at most; the rest are ignored. */
    public static final int MAX_PTR_NAMES = 10;

    private ForwardConfirmation() {
    }

    /**
     * @param deadline System.nanoTime() by which the answer must be known; past it, whatever
     *                 has not answered counts as a temporary failure
     */
    public static ReverseDns lookup(DnsResolver dns, InetAddress client, long deadline, Executor executor) {
        var ptr = Lookups.await(CompletableFuture.supplyAsync(() -> dns.ptr(client), executor), deadline);
        String ip = client.getHostAddress();
        switch (ptr) {
            case Lookups.Outcome.Failed<String> f -> {
                return new ReverseDns(ReverseDns.Status.TEMPFAIL, null, List.of(),
                        "PTR lookup for " + ip + " failed: " + f.reason());
            }
            case Lookups.Outcome.Answered<String> a when !(a.answer() instanceof DnsAnswer.Found<String>) -> {
                if (a.answer() instanceof DnsAnswer.TempFail<String> t) {
                    return new ReverseDns(ReverseDns.Status.TEMPFAIL, null, List.of(),
                            "PTR lookup for " + ip + " failed: " + t.reason());
                }
                return new ReverseDns(ReverseDns.Status.NO_PTR, null, List.of(), "no PTR record for " + ip);
            }
            case Lookups.Outcome.Answered<String> a -> {
                var names = new LinkedHashSet<String>();
                for (String n : a.answer().records()) {
                    DnsNames.normalize(n).filter(x -> x.contains(".")).ifPresent(names::add);
                    if (names.size() == MAX_PTR_NAMES) {
                        break;
                    }
                }
                if (names.isEmpty()) {
                    return new ReverseDns(ReverseDns.Status.UNCONFIRMED, null, a.answer().records().stream()
                            .limit(MAX_PTR_NAMES).toList(), "the PTR record of " + ip + " holds no host name");
                }
                return confirm(dns, client, List.copyOf(names), deadline, executor);
            }
        }
    }

    private static ReverseDns confirm(DnsResolver dns, InetAddress client, List<String> names, long deadline,
                                      Executor executor) {
        boolean v4 = client instanceof Inet4Address;
        var forward = new ArrayList<CompletableFuture<DnsAnswer<InetAddress>>>();
        for (String name : names) {
            forward.add(CompletableFuture.supplyAsync(() -> v4 ? dns.a(name) : dns.aaaa(name), executor));
        }
        String ip = client.getHostAddress();
        String failure = null;
        try {
            for (int i = 0; i < names.size(); i++) {
                var outcome = Lookups.await(forward.get(i), deadline);
                if (outcome instanceof Lookups.Outcome.Answered<InetAddress> a) {
                    if (a.answer().records().contains(client)) {
                        return new ReverseDns(ReverseDns.Status.CONFIRMED, names.get(i), names,
                                names.get(i) + " (forward-confirmed)");
                    }
                    if (a.answer() instanceof DnsAnswer.TempFail<InetAddress> t && failure == null) {
                        failure = (v4 ? "A" : "AAAA") + " lookup for " + names.get(i) + " failed: " + t.reason();
                    }
                } else if (outcome instanceof Lookups.Outcome.Failed<InetAddress> f && failure == null) {
                    failure = (v4 ? "A" : "AAAA") + " lookup for " + names.get(i) + " failed: " + f.reason();
                }
            }
        } finally {
            forward.forEach(f -> f.cancel(false));
        }
        if (failure != null) {
            return new ReverseDns(ReverseDns.Status.TEMPFAIL, null, names, failure);
        }
        return new ReverseDns(ReverseDns.Status.UNCONFIRMED, null, names, "PTR " + String.join(", ", names)
                + (names.size() == 1 ? " does" : " do") + " not resolve back to " + ip);
    }
}
