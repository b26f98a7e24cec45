package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log retention: by age, then by total size, never today's files nor files that are not ours. */
class LogRetentionTest {

    @TempDir
    Path logs;

    static final Clock NOW = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    private Path file(String name, int size) throws IOException {
        return Files.write(logs.resolve(name), new byte[size]);
    }

    private Stream<String> left() throws IOException {
        try (var files = Files.list(logs)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void daysOlderThanMaxAgeGo() throws Exception {
        file("tracking-20261020.jsonl", 10);
        file("smtp-receive-default-frontend-20261020.log", 10);
        file("tracking-20261022.jsonl", 10); // its last event, 23:59 on the 22nd, is 31d 10h old
        file("tracking-20261023.jsonl", 10); // 23:59 on the 23rd: younger than 31 days
        file("tracking-20261123.jsonl", 10);
        file("smtp-receive-client-submission-20261123.log", 10);
        file("notes.txt", 10);
        file("tracking-old.jsonl", 10);
        var deleted = new LogRetention(logs, new LogsConfig(Duration.ofDays(31), 1_000_000), NOW).sweep();
        assertThat(deleted).hasSize(3);
        assertThat(left()).containsExactly("notes.txt", "smtp-receive-client-submission-20261123.log",
                "tracking-20261023.jsonl", "tracking-20261123.jsonl", "tracking-old.jsonl");
    }

    @Test
    void oldestDaysGoWhileOverMaxSizeButNeverToday() throws Exception {
        file("tracking-20261120.jsonl", 400);
        file("smtp-receive-x-20261120.log", 100);
        file("tracking-20261121.jsonl", 300);
        file("tracking-20261122.jsonl", 300);
        file("tracking-20261123.jsonl", 300);
        // 1400 octets in all; 1000 allowed: the 20th goes (500), then 900 fit.
        new LogRetention(logs, new LogsConfig(Duration.ofDays(30), 1000), NOW).sweep();
        assertThat(left()).containsExactly("tracking-20261121.jsonl", "tracking-20261122.jsonl",
                "tracking-20261123.jsonl");
        // Only today's file over the limit: everything older goes, today's stays.
        file("tracking-20261123.jsonl", 5000);
        new LogRetention(logs, new LogsConfig(Duration.ofDays(30), 1000), NOW).sweep();
        assertThat(left()).containsExactly("tracking-20261123.jsonl");
    }

    @Test
    void aMissingDirectoryIsNothingToDo() {
        assertThat(new LogRetention(logs.resolve("none"), LogsConfig.DEFAULT, NOW).sweep()).isEmpty();
    }
}
