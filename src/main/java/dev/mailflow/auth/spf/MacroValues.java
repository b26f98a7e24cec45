package dev.mailflow.auth.spf;

import java.net.InetAddress;
import java.util.function.Function;

/**
 * The values macros expand to (RFC 7208 7.2) for one check_host() level: everything but
 * {@code d} is the same for the whole check. {@code p} is looked up only when a macro asks for
 * it, for the current domain.
 */
record MacroValues(InetAddress ip, String sender, String localPart, String senderDomain, String domain,
        String helo, String receiver, long timestamp, Function<String, String> validatedName) {

    MacroValues withDomain(String d) {
        return new MacroValues(ip, sender, localPart, senderDomain, d, helo, receiver, timestamp, validatedName);
    }

    String value(char letter) {
        return switch (letter) {
            case 's' -> sender;
            case 'l' -> localPart;
            case 'o' -> senderDomain;
            case 'd' -> domain;
            case 'i' -> Addresses.dotted(ip);
            case 'p' -> validatedName.apply(domain);
            case 'v' -> Addresses.isIp4(ip) ? "in-addr" : "ip6";
            case 'h' -> helo;
            case 'c' -> Addresses.readable(ip);
            case 'r' -> receiver;
            case 't' -> Long.toString(timestamp);
            default -> throw new IllegalArgumentException("not a macro letter: " + letter);
        };
    }
}
