package dev.mailflow.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP: read the configuration again and apply what can change while running, as daemons do. */
final class SignalHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(SignalHandlers.class);

    private SignalHandlers() {
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
