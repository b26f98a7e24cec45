package dev.mailflow.app;

import dev.mailflow.queue.QueueIds;
import picocli.CommandLine.ITypeConverter;

/** A queue id on the command line: the number {@code queue list} shows (the 250 reply's InternalId). */
final class QueueIdConverter implements ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        try {
            return QueueIds.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageErrors.Sentence(e.getMessage());
        }
    }
}
