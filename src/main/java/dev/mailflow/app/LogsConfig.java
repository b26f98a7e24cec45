package dev.mailflow.app;

import java.time.Duration;

/**
 * {@code [logs]}: how long and how much of the tracking and protocol logs to keep.
 *
 * @param maxAge  files of days older than this are deleted
 * @param maxSize the oldest days are deleted while all the files together are larger, in octets
 */
public record LogsConfig(Duration maxAge, long maxSize) {

    /** Exchange's defaults for message tracking: 30 days, and 1 GB here for all logs. */
    public static final LogsConfig DEFAULT = new LogsConfig(Duration.ofDays(30), 1024L * 1024 * 1024);
}
