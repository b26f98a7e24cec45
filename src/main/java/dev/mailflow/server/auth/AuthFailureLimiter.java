package dev.mailflow.server.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Failed authentications across connections (RFC 4954 4 leaves the policy to the server),
 * counted twice: per client network ({@link ClientNetwork}: the IPv4 address, the IPv6 /64)
 * and per account (the user name tried, existing or not). Past either limit within the
 * window, AUTH is refused without checking (454 4.7.0) until old failures age out.
 *
 * <p>SECURITY: nothing here is ever cleared by a success. A good login at one account used
 * to clear its address's failures, so an attacker with an account of its own guessed at
 * another between its own logins, for ever. Failures now only age out of the window. A check
 * in progress counts against both limits until it ends, so that clients running many checks
 * at once cannot pass a limit by the number of checks in flight. Memory is bounded: see
 * {@link FailureWindows}.
 *
 * <p>The account limit lets anyone lock an account out of AUTH for a window by guessing at
 * it; that is the price of stopping a guesser that has many addresses, as any account lockout
 * pays. It is set above the per-address limit so that one user's mistakes on several devices
 * do not reach it first.
 */
public final class AuthFailureLimiter {

    /** Why an attempt is refused before any check. */
    public enum Refusal { ADDRESS, ACCOUNT }

    /** The longest account key kept: longer user names (never valid addresses) are cut. */
    static final int MAX_ACCOUNT_KEY = 320;

    private final FailureWindows<ClientNetwork> networks;
    private final FailureWindows<String> accounts;
    private final Clock clock;

    /**
     * @param perNetwork  failures from one client network within {@code window} before AUTH is refused
     * @param perAccount  failures at one account within {@code window} before AUTH to it is refused
     * @param maxTracked  networks, and accounts, remembered at most (each map)
     */
    public AuthFailureLimiter(int perNetwork, int perAccount, Duration window, int maxTracked, Clock clock) {
        this.networks = new FailureWindows<>(perNetwork, window.toMillis(), maxTracked);
        this.accounts = new FailureWindows<>(perAccount, window.toMillis(), maxTracked);
        this.clock = clock;
    }

    /** Whether the client's network has reached its limit (checked before the SASL exchange). */
    public synchronized boolean addressBlocked(InetAddress client) {
        long now = clock.millis();
        accounts.expire(now);
        return networks.reached(ClientNetwork.of(client), now);
    }

    /**
     * Starts one password check for {@code account} from {@code client}: refused when either
     * limit is reached, else counted as running until the attempt says how it ended.
     *
     * @param account the account's lookup key ({@code MailAddress.key()}), or the user name
     *                as tried when it is not an address
     */
    public synchronized Attempt begin(InetAddress client, String account) {
        var network = ClientNetwork.of(client);
        String key = accountKey(account);
        long now = clock.millis();
        if (networks.reached(network, now)) {
            return new Attempt(network, key, Refusal.ADDRESS);
        }
        if (accounts.reached(key, now)) {
            return new Attempt(network, key, Refusal.ACCOUNT);
        }
        networks.begin(network, now);
        accounts.begin(key, now);
        return new Attempt(network, key, null);
    }

    static String accountKey(String account) {
        String key = account.strip().toLowerCase(Locale.ROOT);
        return key.length() > MAX_ACCOUNT_KEY ? key.substring(0, MAX_ACCOUNT_KEY) : key;
    }

    private synchronized void end(Attempt attempt, boolean failed) {
        long now = clock.millis();
        networks.end(attempt.network, failed, now);
        accounts.end(attempt.account, failed, now);
    }

    synchronized int trackedNetworks() {
        return networks.size();
    }

    synchronized int trackedAccounts() {
        return accounts.size();
    }

    /** One password check: refused, or running until exactly one of its ends is called. */
    public final class Attempt {
        private final ClientNetwork network;
        private final String account;
        private final Refusal refusal;
        private boolean ended;

        private Attempt(ClientNetwork network, String account, Refusal refusal) {
            this.network = network;
            this.account = account;
            this.refusal = refusal;
            this.ended = refusal != null;
        }

        /** Why the attempt is refused, or null when the password may be checked. */
        public Refusal refusal() {
            return refusal;
        }

        /** Wrong credentials: counted for the client's network and for the account. */
        public void failed() {
            finish(true);
        }

        /** Right credentials: nothing is counted, and nothing is cleared. */
        public void succeeded() {
            finish(false);
        }

        /** The check could not run (pool busy, shutdown): nothing is counted. */
        public void abandoned() {
            finish(false);
        }

        private void finish(boolean failed) {
            synchronized (AuthFailureLimiter.this) {
                if (!ended) {
                    ended = true;
                    end(this, failed);
                }
            }
        }
    }
}
