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

/** The tester's languages: every key in every language, and a failing run explained in Chinese. */
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
        Messages.use("en");
        assertThat(Explanations.firstDigit(550)).startsWith("5yz: not accepted");
    }

    @Test
    void theLanguageComesFromTheOptionTheLocaleOrTheBrowser() {
        assertThat(Messages.fromEnvironment(Map.of("LANG", "zh_CN.UTF-8"))).isEqualTo("zh");
        assertThat(Messages.fromEnvironment(Map.of("LC_ALL", "C", "LANG", "zh_CN.UTF-8"))).isEqualTo("en");
        assertThat(Messages.fromEnvironment(Map.of("LC_MESSAGES", "zh_TW.UTF-8"))).isEqualTo("zh");
        assertThat(Messages.fromEnvironment(Map.of("LANG", "de_DE.UTF-8"))).isEqualTo("en");
        assertThat(Messages.fromEnvironment(Map.of())).isEqualTo("en");
        assertThat(Messages.fromEnvironment(Map.of("MAILFLOW_LANGUAGE_ASKED", "zh_CN.UTF-8", "LC_ALL", "C.UTF-8")))
                .as("the launcher's C.UTF-8 for file names does not hide the language asked").isEqualTo("zh");
        assertThat(Messages.fromAcceptLanguage("fr-CH, zh-CN;q=0.8, en;q=0.5")).isEqualTo("zh");
        assertThat(Messages.fromAcceptLanguage("en-US,en;q=0.9,zh;q=0.8")).isEqualTo("en");
        assertThat(Messages.fromAcceptLanguage("zh;q=0, en")).isEqualTo("en");
        assertThat(Messages.fromAcceptLanguage(";;;q=x")).isEqualTo("en");
        var bad = MainRunner.run("probe", "127.0.0.1:9", "--lang", "fr");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("mailflow: --lang is en or zh, not \"fr\"\n");
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
}
