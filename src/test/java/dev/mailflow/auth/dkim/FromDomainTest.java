package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The RFC 5322.From domain (3.6.2, 3.4): what it is in the forms mail clients write, and when there is none. */
class FromDomainTest {

    private static Optional<String> of(String... fields) {
        return FromDomain.of(List.of(fields));
    }

    @Test
    void theFormsClientsWrite() {
        assertThat(of(" kate@Example.TEST")).contains("example.test");
        assertThat(of(" Kate <kate@example.test>")).contains("example.test");
        assertThat(of(" \"Kate, <boss@evil.test>\" <kate@example.test>")).contains("example.test");
        assertThat(of(" kate@example.test (Kate <x@evil.test>)")).contains("example.test");
        assertThat(of(" =?UTF-8?Q?K=C3=A4te?=\r\n <kate@example.test>")).contains("example.test");
        assertThat(of(" <@relay.test:kate@example.test>")).contains("example.test");
        assertThat(of(" \"kate@evil.test\"@example.test")).contains("example.test");
        assertThat(of(" Team: kate@example.test, chris@example.test;")).contains("example.test");
        assertThat(of(" kate@example.test, chris@EXAMPLE.test")).contains("example.test");
    }

    @Test
    void anInternationalizedDomainIsItsALabel() {
        String utf8 = new String(" kate@bücher.example".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(of(utf8)).contains("xn--bcher-kva.example");
    }

    @Test
    void noDomainRatherThanAGuess() {
        assertThat(of()).isEmpty();
        assertThat(of(" a@example.test", " b@example.test")).as("two From fields").isEmpty();
        assertThat(of(" kate@example.test, eve@evil.test")).as("two domains").isEmpty();
        assertThat(of(" kate@[192.0.2.1]")).isEmpty();
        assertThat(of(" kate")).isEmpty();
        assertThat(of(" ")).isEmpty();
        assertThat(of(" Kate <kate@example.test")).isEmpty();
        assertThat(of(" \"unclosed <kate@example.test>")).isEmpty();
        assertThat(of(" kate@exa mple.test")).isEmpty();
        assertThat(of(" kate@example.test.")).isEmpty();
        assertThat(of(" kate@localhost")).isEmpty();
    }
}
