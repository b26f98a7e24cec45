package dev.mailflow.server.protection;

import dev.mailflow.dns.DnsAnswer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a DNS lookup that runs on its own thread, up to a deadline. */
final class Lookups {

    private Lookups() {
    }

    /** A lookup's answer, or why there is none. */
    sealed interface Outcome<T> {
        record Answered<T>(DnsAnswer<T> answer) implements Outcome<T> {
        }

        record Failed<T>(String reason) implements Outcome<T> {
        }
    }

    /** Waits until {@code deadline} (System.nanoTime()) at most; a lookup that broke is a failure, never a listing. */
    static <T> Outcome<T> await(CompletableFuture<DnsAnswer<T>> lookup, long deadline) {
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            return new Outcome.Answered<>(lookup.get(left, TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return new Outcome.Failed<>("no answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed<>("interrupted");
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Outcome.Failed<>("lookup failed (" + cause.getClass().getSimpleName() + ")");
        }
    }
}
