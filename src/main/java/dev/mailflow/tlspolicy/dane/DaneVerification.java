package dev.mailflow.tlspolicy.dane;

import dev.mailflow.dns.TlsaRecord;
import java.util.Objects;

/** Whether a server's certificate chain matched its TLSA records ({@link DaneVerifier}). */
public sealed interface DaneVerification permits DaneVerification.Matched, DaneVerification.Failed {

    /**
     * @param record the record that matched
     * @param how    in words, e.g. "DANE-EE 3 1 1 matched the server's public key"
     */
    record Matched(TlsaRecord record, String how) implements DaneVerification {
        public Matched {
            Objects.requireNonNull(record);
            Objects.requireNonNull(how);
        }
    }

    /** @param reason what was tried and why none matched, in words an operator reads in a DSN */
    record Failed(String reason) implements DaneVerification {
        public Failed {
            Objects.requireNonNull(reason);
        }
    }
}
