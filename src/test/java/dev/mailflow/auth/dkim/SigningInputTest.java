package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signing a streamed message: the same signature as signing its bytes, several keys over one
 * body hash, the header's end found wherever the reads cut it, and a body never kept.
 */
class SigningInputTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    static KeyPair rsa;
    static KeyPair ed;
    static DkimSigner rsaSigner;
    static DkimSigner edSigner;
    static DkimTestKeys keys;

    static final String MESSAGE = "From: Kate <kate@example.test>\r\nTo: chris@contoso.test\r\n"
            + "Subject: streamed\r\nDate: Tue, 1 Dec 2026 12:00:00 +0000\r\n\r\n"
            + "Line one  \r\n\r\nLine  three\r\n\r\n\r\n";

    @BeforeAll
    static void keys() throws Exception {
        rsa = DkimKeyGenerator.rsa(2048);
        ed = DkimKeyGenerator.ed25519();
        rsaSigner = new DkimSigner(DkimSigningKey.fromPem("example.test", "r", DkimKeyGenerator.privateKeyPem(rsa)), CLOCK);
        edSigner = new DkimSigner(DkimSigningKey.fromPem("example.test", "e", DkimKeyGenerator.privateKeyPem(ed)), CLOCK);
        keys = new DkimTestKeys().put("r", "example.test", DkimKeyGenerator.keyRecord(rsa.getPublic()))
                .put("e", "example.test", DkimKeyGenerator.keyRecord(ed.getPublic()));
    }

    /** A stream that gives at most {@code step} octets per read. */
    static InputStream trickle(byte[] b, int step) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, step));
            }
        };
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<DkimResult> verify(byte[] message) {
        return new DkimVerifier(keys, CLOCK, DkimPolicy.standard()).verify(message).signatures();
    }

    @Test
    void aStreamedSignatureIsTheSignatureOfTheBytes() throws Exception {
        for (int step : new int[] {1, 2, 3, 5, 64 * 1024}) {
            var input = SigningInput.read(trickle(bytes(MESSAGE), step));
            // RSA PKCS#1 v1.5 and Ed25519 are deterministic: same input, same field.
            assertThat(input.sign(List.of(rsaSigner))).as("reads of %d", step)
                    .containsExactly(rsaSigner.signatureField(bytes(MESSAGE)));
        }
    }

    @Test
    void twoKeysGiveTwoSignaturesThatBothVerify() throws Exception {
        var fields = SigningInput.read(new ByteArrayInputStream(bytes(MESSAGE))).sign(List.of(rsaSigner, edSigner));
        assertThat(fields).hasSize(2);
        assertThat(fields.get(0)).contains("a=rsa-sha256").contains("s=r;");
        assertThat(fields.get(1)).contains("a=ed25519-sha256").contains("s=e;");
        assertThat(verify(bytes(String.join("", fields) + MESSAGE))).hasSize(2).allMatch(DkimResult::passed);
    }

    @Test
    void theFromDomainIsReadBeforeTheBody() throws Exception {
        var input = SigningInput.read(new ByteArrayInputStream(bytes(MESSAGE)));
        assertThat(input.fromDomain()).contains("example.test");
        input.sign(List.of(edSigner));
        assertThatThrownBy(() -> input.sign(List.of(edSigner))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void messagesWithoutABodyOrWithoutHeaderFieldsStillSign() throws Exception {
        for (String m : List.of("From: kate@example.test\r\nSubject: no body\r\n",
                "From: kate@example.test\r\n\r\n", "\r\nonly a body\r\n")) {
            for (int step : new int[] {1, 4096}) {
                var fields = SigningInput.read(trickle(bytes(m), step)).sign(List.of(edSigner));
                assertThat(fields).containsExactly(edSigner.signatureField(bytes(m)));
            }
        }
        assertThat(SigningInput.read(new ByteArrayInputStream(bytes("\r\nbody"))).fromDomain()).isEmpty();
    }

    @Test
    void aLargeBodyIsHashedAsItIsRead() throws Exception {
        // 40 MB of body through a stream that cannot be reset: the signature verifies over
        // the same octets, so the body was hashed on the way, in one pass.
        byte[] line = bytes("0123456789 abcdefghijklmnopqrstuvwxyz  ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n");
        int lines = 40 * 1024 * 1024 / line.length;
        byte[] head = bytes("From: kate@example.test\r\nSubject: big\r\n\r\n");
        InputStream body = new InputStream() {
            long pos;
            final long total = (long) lines * line.length;

            @Override
            public int read() {
                return pos < total ? line[(int) (pos++ % line.length)] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - pos);
                for (int i = 0; i < n; i++) {
                    b[off + i] = line[(int) (pos++ % line.length)];
                }
                return n;
            }
        };
        var fields = SigningInput.read(new java.io.SequenceInputStream(new ByteArrayInputStream(head), body))
                .sign(List.of(edSigner));
        var whole = new java.io.ByteArrayOutputStream();
        whole.writeBytes(bytes(fields.get(0)));
        whole.writeBytes(head);
        for (int i = 0; i < lines; i++) {
            whole.writeBytes(line);
        }
        assertThat(verify(whole.toByteArray())).singleElement().matches(DkimResult::passed);
    }
}
