package dev.mailflow.server.protection;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The DNS list lookups of one client (RFC 5782 2.1): one A query per zone, all started at once
 * (at connect) on their own threads, and read when the answer is needed, by a deadline. A zone
 * that several entries name is asked once. What the answers mean is postscreen's model:
 *
 * <ul>
 * <li>an answer in 127.0.0.0/8 that an entry's filter takes adds the entry's weight to the
 *     score (each entry once);</li>
 * <li>an answer in 127.255.255.0/24, or outside 127.0.0.0/8, is the list's error, never a
 *     listing ({@link ClientReputation.Problem.Kind#LIST_ERROR});</li>
 * <li>NXDOMAIN or no data: not listed;</li>
 * <li>a DNS failure, or no answer by the deadline: not listed, a
 *     {@link ClientReputation.Problem.Kind#DNS_FAILURE}.</li>
 * </ul>
 */
public final class DnsListCheck {

    private final List<DnsList> blockLists;
    private final List<DnsList> allowLists;
    private final Map<String, CompletableFuture<DnsAnswer<InetAddress>>> lookups;
    private final long deadline;
    private Result result;

    private DnsListCheck(List<DnsList> blockLists, List<DnsList> allowLists,
                         Map<String, CompletableFuture<DnsAnswer<InetAddress>>> lookups, long deadline) {
        this.blockLists = blockLists;
        this.allowLists = allowLists;
        this.lookups = lookups;
        this.deadline = deadline;
    }

    /**
     * Starts the lookups for the client in every zone of the lists.
     *
     * @param deadline System.nanoTime() by which the answers are taken as they are
     */
    public static DnsListCheck start(DnsResolver dns, InetAddress client, List<DnsList> blockLists,
                                     List<DnsList> allowLists, long deadline, Executor executor) {
        var lookups = new LinkedHashMap<String, CompletableFuture<DnsAnswer<InetAddress>>>();
        for (var list : concat(allowLists, blockLists)) {
            lookups.computeIfAbsent(list.zone(), zone -> {
                String name = list.queryName(client);
                return CompletableFuture.supplyAsync(() -> dns.a(name), executor);
            });
        }
        return new DnsListCheck(List.copyOf(blockLists), List.copyOf(allowLists), lookups, deadline);
    }

    /**
     * What the lists said: the listings, the allow lists that listed the client, the lists that
     * gave no usable answer.
     *
     * @param problems by zone, each zone once
     */
    public record Result(List<ClientReputation.Listing> listings, List<String> allowedBy,
                         List<ClientReputation.Problem> problems, int score) {
    }

    /** Waits for the answers until the deadline at most; the same result on every later call. */
    public Result finish() {
        if (result != null) {
            return result;
        }
        var answers = new LinkedHashMap<String, Evaluated>();
        for (var e : lookups.entrySet()) {
            answers.put(e.getKey(), evaluate(e.getKey(), Lookups.await(e.getValue(), deadline)));
        }
        cancel();
        var listings = new ArrayList<ClientReputation.Listing>();
        int score = 0;
        for (var list : blockLists) {
            var codes = answers.get(list.zone()).codes();
            if (list.counts(codes)) {
                var counted = codes.stream().filter(c -> list.filter() == null || list.filter().matches(c))
                        .map(InetAddress::getHostAddress).toList();
                listings.add(new ClientReputation.Listing(list.zone(), list.text(), counted, list.weight()));
                score += list.weight();
            }
        }
        var allowedBy = new ArrayList<String>();
        for (var list : allowLists) {
            if (list.counts(answers.get(list.zone()).codes()) && !allowedBy.contains(list.zone())) {
                allowedBy.add(list.zone());
            }
        }
        var problems = answers.values().stream().map(Evaluated::problem).filter(p -> p != null).toList();
        result = new Result(listings, allowedBy, problems, score);
        return result;
    }

    /** Gives up on lookups still running (the connection ended). */
    public void cancel() {
        lookups.values().forEach(f -> f.cancel(false));
    }

    /** A zone's answer: its listing codes (possibly none), or the problem that made it unusable. */
    private record Evaluated(List<InetAddress> codes, ClientReputation.Problem problem) {
    }

    private Evaluated evaluate(String zone, Lookups.Outcome<InetAddress> outcome) {
        if (outcome instanceof Lookups.Outcome.Failed<InetAddress> f) {
            return failure(zone, f.reason());
        }
        var answer = ((Lookups.Outcome.Answered<InetAddress>) outcome).answer();
        return switch (answer) {
            case DnsAnswer.NotFound<InetAddress> n -> new Evaluated(List.of(), null);
            case DnsAnswer.TempFail<InetAddress> t -> failure(zone, t.reason());
            case DnsAnswer.Found<InetAddress> found -> {
                for (var a : found.records()) {
                    if (DnsList.isListError(a)) {
                        yield new Evaluated(List.of(), new ClientReputation.Problem(zone,
                                ClientReputation.Problem.Kind.LIST_ERROR, "the list answered " + a.getHostAddress()
                                + ", its own error code, not a listing: " + listErrorMeaning(a)));
                    }
                    if (!DnsList.isListingCode(a)) {
                        yield new Evaluated(List.of(), new ClientReputation.Problem(zone,
                                ClientReputation.Problem.Kind.LIST_ERROR, "the list answered " + a.getHostAddress()
                                + ", which is no listing code (RFC 5782 answers are in 127.0.0.0/8): a resolver"
                                + " that rewrites NXDOMAIN answers?"));
                    }
                }
                yield new Evaluated(found.records(), null);
            }
        };
    }

    private static Evaluated failure(String zone, String reason) {
        return new Evaluated(List.of(), new ClientReputation.Problem(zone, ClientReputation.Problem.Kind.DNS_FAILURE,
                "DNS failure, counted as not listed: " + reason));
    }

    /** What the 127.255.255.x codes say, as Spamhaus documents them (other lists use them alike). */
    static String listErrorMeaning(InetAddress code) {
        return listErrorMeaning(code, "[delivery] dns_server");
    }

    /**
     * @param ownResolver where the user names a resolver of their own ({@code [delivery] dns_server},
     *                    {@code --dns-server})
     */
    public static String listErrorMeaning(InetAddress code, String ownResolver) {
        int last = code.getAddress()[3] & 0xff;
        return switch (last) {
            case 252 -> "the list's name is mistyped, or the list is gone";
            case 254 -> "the list refuses queries through a public or shared resolver; ask it through a resolver"
                    + " of your own (" + ownResolver + ")";
            case 255 -> "too many queries from this resolver (over the list's free quota)";
            default -> "the list refuses to answer this resolver";
        };
    }

    private static List<DnsList> concat(List<DnsList> a, List<DnsList> b) {
        var all = new ArrayList<DnsList>(a);
        all.addAll(b);
        return all;
    }
}
