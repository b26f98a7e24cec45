package dev.mailflow.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP: read the configuration again and apply what can change while running, as daemons do. */
final class SignalHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(SignalHandlers.class);

    private SignalHandlers() {
    }

    /**
     * SIGTERM and SIGINT: {@code action} stops the server in order, on a thread of its own (a
     * signal handler must not block). Without this the JVM would run its shutdown hooks and exit
     * with 143 (128 + SIGTERM).
     */
    @SuppressWarnings("removal")
    static void onStop(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> new Thread(action, "mailflow-stop").start());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("no SIG{} handler on this platform: {}", name, e.toString());
            }
        }
    }

    @SuppressWarnings("removal")
    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> Thread.ofVirtual().start(action));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debug("no SIGHUP handler on this platform: {}", e.toString());
        }
    }
}
