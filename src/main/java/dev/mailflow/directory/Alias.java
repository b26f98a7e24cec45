package dev.mailflow.directory;

import dev.mailflow.smtp.MailAddress;
import java.util.List;

/** An address in an accepted domain that expands to one or more other addresses. */
public record Alias(MailAddress address, List<MailAddress> targets) {

    public Alias {
        targets = List.copyOf(targets);
    }
}
