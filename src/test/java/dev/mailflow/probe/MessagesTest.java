package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.BundleCheck;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.TestServer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tester's languages: every key in every language, and a failing run explained in Chinese and in French. */
class MessagesTest {

    @AfterEach
    void english() {
        Messages.use("en");
    }

    @Test
    void everyKeyIsInEveryLanguageWithTheSameArguments() {
        var keys = BundleCheck.complete("/dev/mailflow/probe/messages", Messages.LANGUAGES);
        assertThat(keys).hasSizeGreaterThan(60);
        for (String lang : Messages.LANGUAGES) {
            var bundle = Messages.bundle(Locale.forLanguageTag(lang));
            for (String key : keys) {
                assertThat(bundle.getString(key)).as("the bundle as Messages reads it: " + lang + " " + key).isNotBlank();
            }
        }
        Messages.use("zh");
        assertThat(Explanations.firstDigit(550)).startsWith("5yz：");
        Messages.use("fr");
        assertThat(Explanations.firstDigit(550)).startsWith("5yz : refusée");
        Messages.use("en");
        assertThat(Explanations.firstDigit(550)).startsWith("5yz: not accepted");
    }

    /** The texts that read the same in French: arguments, names and units only. */
    private static final java.util.Set<String> SAME_IN_FRENCH = java.util.Set.of("roundTrip.recipient.status",
            "matrix.host", "html.millis", "cell.withReason", "cell.starttls.encrypted", "records.caa.here",
            "duration.seconds", "mtaSts.policy.summary", "mxTls.webPki.invalid", "cert.key.rsa", "cert.key.ecdsa");

    /**
     * French has an apostrophe in most sentences: in a pattern with arguments it is doubled and
     * comes out single, in a text without arguments it is written once and shown as it is.
     */
    @Test
    void decimalsAreWrittenAsEachLanguageWritesThem() {
        Messages.use("fr");
        assertThat(Messages.decimal(36.0)).isEqualTo("36,0");
        assertThat(Messages.decimal(12345.67)).isEqualTo("12345,7");
        assertThat(Messages.text("ehlo.SIZE.limit", Messages.decimal(36.0), 37748736)).isEqualTo("36,0 Mo (37748736 octets)");
        Messages.use("zh");
        assertThat(Messages.decimal(36.0)).isEqualTo("36.0");
        Messages.use("en");
        assertThat(Messages.decimal(0.25)).isEqualTo("0.2");
        assertThat(Messages.decimal(12345.67)).isEqualTo("12345.7");
    }

    /** Lists, dates and the transcript's content line in the language's own way. */
    @Test
    void listsDatesAndTheContentLineAreWrittenInTheLanguage() {
        var when = java.time.ZonedDateTime.of(2026, 12, 6, 13, 2, 11, 0, java.time.ZoneOffset.UTC);
        Messages.use("fr");
        assertThat(Messages.joined(List.of("TLS 1.0 accepté", "RC4"))).isEqualTo("TLS 1.0 accepté ; RC4");
        assertThat(Messages.dateTime(when)).contains("6 décembre 2026").contains("13:02:11");
        assertThat(Messages.text("transcript.content", 232L)).isEqualTo("(232 octets de contenu du message)");
        assertThat(Messages.text("report.queued", 42)).isEqualTo(" ; en file d'attente : 42");
        Messages.use("zh");
        assertThat(Messages.joined(List.of("a", "b"))).isEqualTo("a；b");
        assertThat(Messages.dateTime(when)).contains("2026年12月6日");
        Messages.use("en");
        assertThat(Messages.joined(List.of("a", "b"))).isEqualTo("a; b");
        assertThat(Messages.dateTime(when)).contains("December 6, 2026");
        assertThat(Messages.text("transcript.content", 232L)).isEqualTo("(232 octets of message content)");
    }

    @Test
    void theFrenchPatternsFormatWithTheirApostrophes() {
        var keys = BundleCheck.complete("/dev/mailflow/probe/messages", Messages.LANGUAGES);
        var args = new Object[] {"A", "B", "C", "D", "E", "F", "G", "H"};
        Messages.use("fr");
        for (String key : keys) {
            String english = Messages.pattern(Locale.ROOT, key);
            String french = Messages.pattern(Locale.FRENCH, key);
            if (!SAME_IN_FRENCH.contains(key)) {
                assertThat(french).as(key + " is written in French, not left in English").isNotEqualTo(english);
            }
            // As the code calls them: with arguments exactly when the pattern has some.
            String text = french.matches("(?s).*\\{\\d.*") ? Messages.text(key, args) : Messages.text(key);
            assertThat(text).as(key).doesNotContain("{").doesNotContain("''");
            assertThat(text.chars().filter(c -> c == '\'').count()).as(key + ": every apostrophe shown once")
                    .isEqualTo(french.replace("''", "'").chars().filter(c -> c == '\'').count());
        }
        assertThat(Messages.text("dns.implicit", "example.com"))
                .isEqualTo("example.com n'a pas d'enregistrement MX : le courrier va à l'adresse du nom lui-même "
                        + "(MX implicite, RFC 5321 5.1).");
        assertThat(Messages.text("reason.senderSyntax")).isEqualTo("L'adresse électronique de l'expéditeur comporte "
                + "une erreur de syntaxe.");
        assertThat(Messages.text("ehlo.SIZE.limit", 36, 37748736)).as("numbers as plain digits")
                .isEqualTo("36 Mo (37748736 octets)");
    }

    @Test
    void theLanguageComesFromTheOptionTheLocaleOrTheBrowser() {
        assertThat(Messages.fromEnvironment(Map.of("LANG", "zh_CN.UTF-8"))).isEqualTo("zh");
        assertThat(Messages.fromEnvironment(Map.of("LC_ALL", "C", "LANG", "zh_CN.UTF-8"))).isEqualTo("en");
        assertThat(Messages.fromEnvironment(Map.of("LC_MESSAGES", "zh_TW.UTF-8"))).isEqualTo("zh");
        assertThat(Messages.fromEnvironment(Map.of("LANG", "de_DE.UTF-8"))).isEqualTo("en");
        assertThat(Messages.fromEnvironment(Map.of("LANG", "fr_FR.UTF-8"))).isEqualTo("fr");
        assertThat(Messages.fromEnvironment(Map.of("LC_ALL", "fr_CA.UTF-8", "LANG", "zh_CN.UTF-8"))).isEqualTo("fr");
        assertThat(Messages.fromEnvironment(Map.of("MAILFLOW_LANGUAGE_ASKED", "fr_BE@euro", "LC_ALL", "C.UTF-8")))
                .isEqualTo("fr");
        assertThat(Messages.fromEnvironment(Map.of())).isEqualTo("en");
        assertThat(Messages.fromEnvironment(Map.of("MAILFLOW_LANGUAGE_ASKED", "zh_CN.UTF-8", "LC_ALL", "C.UTF-8")))
                .as("the launcher's C.UTF-8 for file names does not hide the language asked").isEqualTo("zh");
        assertThat(Messages.fromAcceptLanguage("de-CH, zh-CN;q=0.8, en;q=0.5")).isEqualTo("zh");
        assertThat(Messages.fromAcceptLanguage("fr-FR,fr;q=0.9")).isEqualTo("fr");
        assertThat(Messages.fromAcceptLanguage("fr-CH, zh-CN;q=0.8, en;q=0.5")).isEqualTo("fr");
        assertThat(Messages.fromAcceptLanguage("en;q=0.5, fr-CA;q=0.7")).as("by q-value").isEqualTo("fr");
        assertThat(Messages.fromAcceptLanguage("en-US,en;q=0.9,zh;q=0.8")).isEqualTo("en");
        assertThat(Messages.fromAcceptLanguage("zh;q=0, en")).isEqualTo("en");
        assertThat(Messages.fromAcceptLanguage(";;;q=x")).isEqualTo("en");
        var bad = MainRunner.run("probe", "127.0.0.1:9", "--lang", "de");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("mailflow: --lang is en, zh or fr, not \"de\"\nUsage: mailflow probe ")
                .as("the synopsis, and where to read more").endsWith("'mailflow probe --help' says more.\n");
    }

    @Test
    void theChineseReportOfAFailingRunGivesTheReasonsInChinese() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--helo", "probe.example", "--from",
                    "chris@contoso.com", "--to", "nobody@fabrikam.com", "--lang", "zh");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).contains("[FAIL] RCPT")
                    .contains("= 550: 5yz：未被接受，原因不会自行消失")
                    .contains("可能的原因：")
                    .contains("- 指定的收件人在该服务器上不存在。")
                    .contains("结果：REFUSED：服务器拒绝了其中一个步骤")
                    // The steps' own sentences too, with their arguments in place.
                    .contains("= 按原样使用 127.0.0.1：不查询 MX。")
                    .contains("= 已打开到 127.0.0.1 [127.0.0.1]:" + server.port() + " 的 TCP 连接。")
                    .contains("= SIZE：接受的邮件大小上限为 ")
                    .contains("= PIPELINING：可以成批发送命令")
                    .doesNotContain("TCP connection to").doesNotContain("is used as given");
            var down = MainRunner.run("probe", "127.0.0.1:" + dev.mailflow.testing.Dnsmasq.freePort(), "--lang",
                    "zh-CN", "--timeout", "2");
            assertThat(down.code()).isEqualTo(3);
            assertThat(down.out()).contains("- 端口号不正确。").contains("结果：UNREACHABLE：无法解析或无法连接")
                    .contains("无法打开到该主机的连接，端口 ").contains("：连接被拒绝：那里没有服务在监听");
            var english = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--helo", "probe.example", "--from",
                    "chris@contoso.com", "--to", "nobody@fabrikam.com", "--lang", "en");
            assertThat(english.out()).contains("- The specified recipient doesn't exist.")
                    .contains("= TCP connection to 127.0.0.1 [127.0.0.1]:" + server.port() + " opened.")
                    .contains("= SIZE: messages up to ")
                    .contains("Result: REFUSED: the server refused a step");
        }
    }

    @Test
    void theFrenchReportOfAFailingRunGivesTheReasonsInFrench() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--helo", "probe.example", "--from",
                    "chris@contoso.com", "--to", "nobody@fabrikam.com", "--lang", "fr");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).startsWith("Sonde Mailflow de 127.0.0.1:" + server.port())
                    .contains("[FAIL] RCPT")
                    .contains("= 550: 5yz : refusée, pour une raison qui ne disparaîtra pas d'elle-même : l'expéditeur "
                            + "abandonne et renvoie un rapport de non-remise.")
                    .contains("Causes possibles :")
                    .contains("- Le destinataire indiqué n'existe pas.")
                    .contains("Résultat : REFUSED : le serveur a refusé une étape")
                    // The steps' own sentences too, with their arguments and apostrophes in place.
                    .contains("= 127.0.0.1 est utilisé tel quel : pas de recherche MX.")
                    .contains("= Connexion TCP vers 127.0.0.1 [127.0.0.1]:" + server.port() + " ouverte.")
                    .contains("= SIZE : messages jusqu'à ")
                    .contains("= PIPELINING : les commandes peuvent être envoyées par lots")
                    .contains("= DSN : notifications d'état de remise sur demande")
                    .doesNotContain("TCP connection to").doesNotContain("is used as given").doesNotContain("''");
            var down = MainRunner.run("probe", "127.0.0.1:" + dev.mailflow.testing.Dnsmasq.freePort(), "--lang",
                    "fr-FR", "--timeout", "2");
            assertThat(down.code()).isEqualTo(3);
            assertThat(down.out()).contains("- Le numéro de port est erroné.")
                    .contains("Résultat : UNREACHABLE : résolution ou connexion impossible")
                    .contains("Impossible d'ouvrir une connexion vers l'hôte sur le port ")
                    .contains(" : connexion refusée : rien n'écoute à cet endroit");
        }
    }
}
