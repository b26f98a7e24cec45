package dev.mailflow.app;

import java.time.Duration;
import java.util.List;

/** {@code [logs]}: how much of the tracking and protocol logs to keep. */
final class LogsSection implements ConfigSection<LogsConfig> {

    static final LogsSection SECTION = new LogsSection();

    static final ConfigKey<Duration> MAX_AGE = Keys.duration("max_age", LogsConfig.DEFAULT.maxAge()).needsRestart();
    static final ConfigKey<Long> MAX_SIZE = Keys.size("max_size", LogsConfig.DEFAULT.maxSize()).needsRestart();

    private LogsSection() {
    }

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(MAX_AGE, MAX_SIZE);
    }

    @Override
    public LogsConfig read(SectionInput in) throws ConfigException {
        var t = in.table();
        return new LogsConfig(t.get(MAX_AGE), t.get(MAX_SIZE));
    }
}
