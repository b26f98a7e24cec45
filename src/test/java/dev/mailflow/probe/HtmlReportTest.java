package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mailflow probe --format html}: one self-contained file, everything from the network escaped. */
class HtmlReportTest {

    @Test
    void aPassingRunIsOneSelfContainedPage() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--helo", "probe.example", "--from",
                    "chris@contoso.com", "--to", "kate@fabrikam.com", "--data", "--format", "html");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("<!DOCTYPE html>").endsWith("</html>\n")
                    .contains("<title>Mailflow probe of 127.0.0.1:" + server.port() + "</title>")
                    .contains("Result: PASSED: every step passed")
                    .contains("<div class=\"step PASS\" id=\"step-RCPT\">")
                    .contains("C: RCPT TO:&lt;kate@fabrikam.com&gt;")
                    .contains("2.1.5: Success / Addressing status / Destination address valid");
            // Nothing that runs or fetches: no script, no link, no image, no URL to load.
            assertThat(r.out()).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img")
                    .doesNotContain("src=").doesNotContain("url(");
        }
    }

    @Test
    void whatTheServerSaysIsEscaped() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String greeting(int session) {
                return "220 evil.test <script>alert(\"x\")</script> & <img src=x>";
            }

            @Override
            public String rcpt(int session, String line) {
                return "550 5.1.1 <b>no</b> such user";
            }
        })) {
            var r = MainRunner.run("probe", "127.0.0.1:" + peer.port(), "--to", "who@evil.test", "--format", "html");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).contains("220 evil.test &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
                    + "&lt;img src=x&gt;").contains("550 5.1.1 &lt;b&gt;no&lt;/b&gt; such user")
                    .contains("<div class=\"step FAIL\" id=\"step-RCPT\">").contains("Result: REFUSED")
                    .doesNotContain("<script").doesNotContain("<b>no");
        }
    }

    @Test
    void theFormatIsChecked() {
        var bad = MainRunner.run("probe", "127.0.0.1:9", "--format", "pdf");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("mailflow: --format is text, json or html, not \"pdf\"\nUsage: ")
                .endsWith("'mailflow probe --help' says more.\n");
        var both = MainRunner.run("probe", "127.0.0.1:9", "--format", "html", "--json");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("contradict");
        var conformance = MainRunner.run("probe", "127.0.0.1:9", "--format", "html", "--conformance", "--to", "a@b.test");
        assertThat(conformance.code()).isEqualTo(2);
        assertThat(conformance.err()).contains("--format html is for the probe's report");
    }
}
