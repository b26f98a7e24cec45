package dev.mailflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's Chromium, headless, driven by Selenium through
 * Debian's chromedriver (no browser download). Screenshots go to target/test-artifacts/.
 */
class WebConsoleBrowserTest {

    static TestServer server;
    static WebDriver driver;
    static String base;
    /** A loopback listener standing for a remote image: nothing may ever connect to it. */
    static ServerSocket tracker;
    static final AtomicInteger trackerHits = new AtomicInteger();
    static Path artifacts;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = ExternalTool.require("chromium");
        Path chromedriver = ExternalTool.require("chromedriver");
        tracker = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!tracker.isClosed()) {
                try (var s = tracker.accept()) {
                    trackerHits.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        server = TestServer.start(List.of(), List.of("[[mailbox]]", "address = \"full@fabrikam.com\"", "quota = 10"),
                List.of(), List.of("retry_intervals = [\"1h\"]"));
        base = "http://127.0.0.1:" + server.runtime().web().address().getPort() + "/";
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.sendMessage("chris@contoso.com", "full@fabrikam.com", "Subject: waits for space\r\n\r\nbody");
            c.sendMessage("chris@contoso.com", "kate@fabrikam.com", "Subject: HTML with a script\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/html; charset=utf-8\r\n\r\n<h1>Hello Kate</h1><script>parent.document.title="
                    + "'pwned';fetch('http://127.0.0.1:" + tracker.getLocalPort() + "/js')</script><img src=\"http://"
                    + "127.0.0.1:" + tracker.getLocalPort() + "/track.png\">");
        }
        server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(5));
        artifacts = Path.of(System.getProperty("mailflow.test.artifacts", "target/test-artifacts"));
        Files.createDirectories(artifacts);

        var options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory("mailflow-chromium"));
        var service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(artifacts.resolve(name + ".png"), png);
    }

    private static void login() {
        driver.get(base);
        var password = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
        password.sendKeys("admin-secret");
        driver.findElement(By.cssSelector("#login-form button")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("overview")));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("host"), "mail1.fabrikam.com"));
    }

    @Test
    void theWholeConsole() throws Exception {
        driver.get(base);
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        // Before login: no menu and no "Log out" (the hidden attribute wins over the menu's CSS).
        assertThat(driver.findElement(By.id("nav")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("logout")).isDisplayed()).isFalse();
        driver.findElement(By.id("password")).sendKeys("wrong");
        driver.findElement(By.cssSelector("#login-form button")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "wrong password"));
        screenshot("01-login-refused");

        login();
        assertThat(driver.findElement(By.id("logout")).isDisplayed()).isTrue();
        // Attempts since start apart from messages in the queue now.
        assertThat(driver.findElement(By.id("counters")).getText()).contains("Received (since start)")
                .contains("Deferral attempts (since start)").contains("Messages deferred now");
        assertThat(driver.findElement(By.cssSelector("#connectors tbody")).getText()).contains("Default Frontend");
        screenshot("02-overview");

        // The connectivity analyzer against the local server: every step passes.
        driver.findElement(By.cssSelector("nav a[data-page=analyzer]")).click();
        // The form comes filled in to test this very server.
        waiting().until(d -> !d.findElement(By.id("p-target")).getDomProperty("value").isEmpty());
        assertThat(driver.findElement(By.id("p-target")).getDomProperty("value"))
                .isEqualTo("127.0.0.1:" + server.port());
        var to = driver.findElement(By.id("p-to"));
        to.clear();
        to.sendKeys("kate@fabrikam.com");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("p-starttls"))).selectByVisibleText("never");
        driver.findElement(By.id("p-data")).click();
        driver.findElement(By.id("p-run")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("probe-outcome"), "Result: PASSED"));
        var steps = driver.findElements(By.cssSelector("#probe-result .step"));
        assertThat(steps).extracting(e -> e.getDomAttribute("data-step"))
                .containsSubsequence("DNS", "CONNECT", "BANNER", "EHLO", "MAIL", "RCPT", "DATA", "QUIT");
        assertThat(steps).allSatisfy(e -> assertThat(e.getDomAttribute("class")).contains("PASS"));
        assertThat(driver.findElement(By.id("download-html")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("download-html")).getText()).isEqualTo("Download as HTML");
        screenshot("03-analyzer");

        // The server checks below it, with the same target: postmaster accepted, an unknown user
        // refused at RCPT; the relay test is refused without the consent box.
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("c-test"))).selectByValue("relay");
        driver.findElement(By.id("c-run")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("checks-result"),
                "tick that you run this server"));
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("c-test"))).selectByValue("addresses");
        driver.findElement(By.id("c-run")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("checks-outcome"), "failed: 0"));
        assertThat(driver.findElements(By.cssSelector("#checks-table tbody tr")))
                .extracting(e -> e.getDomAttribute("data-check")).containsExactly("postmaster", "abuse", "unknown user");
        assertThat(driver.findElement(By.cssSelector("#checks-table tr[data-check='unknown user']")).getText())
                .contains("550");
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "document.getElementById('checks-table').scrollIntoView()");
        screenshot("10-analyzer-server-checks");

        // A delivered message in a mailbox, its HTML shown without running its script or loading its image.
        driver.findElement(By.cssSelector("nav a[data-page=mailboxes]")).click();
        driver.findElement(By.cssSelector("#m-list li[data-mailbox='kate@fabrikam.com']")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#m-messages tbody tr")));
        for (var row : driver.findElements(By.cssSelector("#m-messages tbody tr"))) {
            if (row.getText().contains("HTML with a script")) {
                row.click();
                break;
            }
        }
        var frame = waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("iframe.message")));
        assertThat(frame.getDomAttribute("sandbox")).isEmpty();
        driver.switchTo().frame(frame);
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Hello Kate"));
        driver.switchTo().defaultContent();
        Thread.sleep(1000);
        assertThat(driver.getTitle()).isEqualTo("Mailflow");
        assertThat(trackerHits.get()).as("requests to the 'remote' image or from the script").isZero();
        screenshot("04-mailbox");

        // The deferred message in the queue, retried.
        driver.findElement(By.cssSelector("nav a[data-page=queue]")).click();
        var row = waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#q-table tr[data-id]")));
        assertThat(row.getText()).contains("deferred").contains("Mailbox full").contains("next attempt in ");
        row.click();
        var retry = waiting().until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("#q-detail button[data-action=retry]")));
        screenshot("05-queue");
        retry.click();
        // The action says what it did on the page; its RETRY event is in the tracking log by then.
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("q-result"),
                "will be tried again now"));
        dev.mailflow.testing.Await.until("a RETRY event in the tracking log",
                () -> dev.mailflow.queue.TrackingLog.search(server.dataDir().resolve("logs"), null,
                        e -> e.event().equals("RETRY")), events -> !events.isEmpty());

        // Message tracking: the message's events as a timeline.
        driver.findElement(By.cssSelector("nav a[data-page=tracking]")).click();
        driver.findElement(By.id("t-recipient")).sendKeys("kate@fabrikam.com");
        driver.findElement(By.cssSelector("#t-form button")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("t-timeline"), "DELIVER"));
        assertThat(driver.findElement(By.id("t-timeline")).getText()).contains("RECEIVE");
        screenshot("06-tracking");

        // The language switch: the page in simplified Chinese at once, and still after a reload (its
        // cookie); then French.
        driver.findElement(By.cssSelector("nav a[data-page=overview]")).click();
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("lang"))).selectByValue("zh");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("nav a[data-page=queue]"),
                "邮件队列"));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("counters"), "已接收（自启动以来）"));
        assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("zh-Hans");
        driver.navigate().refresh();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#overview h2"), "概览"));
        driver.findElement(By.cssSelector("nav a[data-page=queue]")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#q-table tbody"), "延迟"));
        assertThat(driver.findElement(By.cssSelector("#q-table thead")).getText()).contains("收件人").contains("等待原因");
        screenshot("09-queue-zh");
        // French, from the same switch: the queue page changes in place.
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("lang"))).selectByValue("fr");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("nav a[data-page=queue]"),
                "File d'attente"));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#q-table tbody"),
                "différé"));
        assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("fr");
        assertThat(driver.findElement(By.cssSelector("#q-table thead")).getText()).contains("Destinataires")
                .contains("Motif de l'attente");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("lang"))).selectByValue("en");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("nav a[data-page=queue]"),
                "Queue"));
    }

    /**
     * The analyzer against a two-MX domain (dnsmasq on loopback) whose second MX is down, with
     * the round trip: the first MX is this server, the receipt comes back to one of its mailboxes.
     */
    @Test
    void theAnalyzerShowsEveryMxAndTheRoundTrip() throws Exception {
        int dnsPort = dev.mailflow.testing.Dnsmasq.freePort();
        Path log = Files.createTempFile("dnsmasq", ".log");
        try (var dns = dev.mailflow.testing.Dnsmasq.start(dnsPort, List.of(
                "--mx-host=matrix.test,mx1.matrix.test,10", "--mx-host=matrix.test,mx2.matrix.test,20",
                "--host-record=mx1.matrix.test,127.0.0.1", "--host-record=mx2.matrix.test,127.0.0.3"), log)) {
            driver.manage().deleteAllCookies();
            login();
            driver.findElement(By.cssSelector("nav a[data-page=analyzer]")).click();
            waiting().until(d -> !d.findElement(By.id("p-target")).getDomProperty("value").isEmpty());
            for (String[] f : new String[][] {{"p-target", "matrix.test"}, {"p-port", String.valueOf(server.port())},
                    {"p-from", "postmaster@example.test"}, {"p-to", "kate@fabrikam.com"},
                    {"p-dns", "127.0.0.1:" + dnsPort}, {"p-wait", "60"}}) {
                var input = driver.findElement(By.id(f[0]));
                input.clear();
                input.sendKeys(f[1]);
            }
            driver.findElement(By.id("p-roundtrip")).click();
            driver.findElement(By.id("p-run")).click();
            var done = new WebDriverWait(driver, Duration.ofSeconds(120));
            done.until(ExpectedConditions.presenceOfElementLocated(By.id("probe-outcome")));
            assertThat(driver.findElement(By.id("probe-outcome")).getText()).isEqualTo("Result: PASSED");

            var matrix = driver.findElement(By.id("matrix-table"));
            var up = matrix.findElement(By.cssSelector("tr[data-address='127.0.0.1']"));
            var down = matrix.findElement(By.cssSelector("tr[data-address='127.0.0.3']"));
            assertThat(up.getText()).contains("mx1.matrix.test").contains("PASS");
            assertThat(up.findElements(By.cssSelector("td.cell")).get(9).getText()).as("the TLS grade").startsWith("A");
            assertThat(down.getDomAttribute("class")).isEqualTo("fail");
            assertThat(down.findElements(By.cssSelector("td.cell")).get(0).getDomAttribute("class")).contains("FAIL");
            assertThat(driver.findElement(By.cssSelector("ul.summaries")).getText()).contains("127.0.0.3 (mx2.matrix.test)");
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView()", matrix);
            screenshot("07-analyzer-matrix");

            var timeline = driver.findElement(By.id("round-trip-timeline"));
            assertThat(timeline.getText()).contains("sent <").contains("delivery report from")
                    .contains("kate@fabrikam.com: delivered 2.0.0");
            assertThat(driver.findElement(By.cssSelector(".step[data-step='ROUND-TRIP']")).getDomAttribute("class"))
                    .contains("PASS");
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView()",
                    driver.findElement(By.cssSelector(".step[data-step='ROUND-TRIP']")));
            screenshot("08-analyzer-round-trip");
        }

        // A return address that is not a mailbox here is refused before anything is sent.
        var from = driver.findElement(By.id("p-from"));
        from.clear();
        from.sendKeys("nobody@elsewhere.test");
        driver.findElement(By.id("p-run")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("probe-result"),
                "From must be a mailbox of this server"));
    }
}
