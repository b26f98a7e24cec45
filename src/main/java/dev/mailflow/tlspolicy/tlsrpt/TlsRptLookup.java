package dev.mailflow.tlspolicy.tlsrpt;

import java.util.Objects;

/**
 * What asking DNS for a domain's TLS-RPT record gave (RFC 8460 3). Only {@link Found} asks for
 * reports; {@link TempFail} means "ask again later", the others "send nothing". Each case says
 * why in words, for the tester and the log.
 */
public sealed interface TlsRptLookup {

    /** The reason in words, or the record's text for {@link Found}. */
    String describe();

    /**
     * Exactly one valid record.
     *
     * @param text the record as published (its strings joined)
     */
    record Found(TlsRptRecord record, String text) implements TlsRptLookup {
        public Found {
            Objects.requireNonNull(record);
            Objects.requireNonNull(text);
        }

        @Override
        public String describe() {
            return text;
        }
    }

    /** No record at the name: the domain does not ask for reports. */
    record Absent(String reason) implements TlsRptLookup {
        @Override
        public String describe() {
            return reason;
        }
    }

    /**
     * A record that cannot be used: several {@code v=TLSRPTv1} records, or one that breaks RFC 8460
     * 3's syntax. The domain is treated as not asking for reports.
     */
    record Invalid(String reason) implements TlsRptLookup {
        @Override
        public String describe() {
            return reason;
        }
    }

    /** DNS gave no answer now (timeout, SERVFAIL): try again later. */
    record TempFail(String reason) implements TlsRptLookup {
        @Override
        public String describe() {
            return reason;
        }
    }
}
