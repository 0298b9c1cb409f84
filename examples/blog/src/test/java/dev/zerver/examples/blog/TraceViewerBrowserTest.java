package dev.zerver.examples.blog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The trace viewer in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; nothing is downloaded), served by the blog: the requests list and its
 * filters, a post page's waterfall with its downstream request, the OTLP download, and the README's
 * pool-of-one recipe. Skipped, with the reason printed, where those packages are not installed.
 */
class TraceViewerBrowserTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ChromeDriver browser;
    private static Path profile;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @BeforeAll
    static void openBrowser() throws Exception {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            String why = "browser tests skipped: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " are needed (Debian packages chromium and chromium-driver)";
            System.out.println(why);
            Assumptions.abort(why);
        }
        profile = Files.createTempDirectory("zerver-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM);
        // Headless, and nothing that reaches out to the network on start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private BlogApp start(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(extra);
        config.put("ZER_VER_PORT", "0");
        config.put("ZER_VER_VIEWER_PORT", "0");
        config.put("ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("blog.db"));
        config.put("OTEL_TRACES_EXPORTER", "none"); // the viewer does not need an exporter
        return BlogApp.start(BlogConfig.merge(config, new String[0]));
    }

    private static URI viewer(BlogApp blog) {
        return blog.otel().viewer().orElseThrow().uri();
    }

    private int get(BlogApp blog, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode api(BlogApp blog, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(viewer(blog).resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    /** Waits for {@code condition}; on time-out fails showing what the page shows. */
    private static void until(String what, java.util.function.BooleanSupplier condition) {
        try {
            waiting().until(d -> condition.getAsBoolean());
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + "; the page shows:\n"
                    + browser.findElement(By.tagName("main")).getText() + "\n" + browser.findElement(By.id("live")).getText());
        }
    }

    /** The text of every element matching {@code css}, read in one script: the live list may re-render meanwhile. */
    @SuppressWarnings("unchecked")
    private static List<String> texts(String css) {
        return (List<String>) browser.executeScript(
                "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim());", css);
    }

    /** Clicks the first element matching {@code css}, again if the live list replaced it meanwhile. */
    private static void click(String css) {
        until("a clickable " + css, () -> {
            try {
                browser.findElement(By.cssSelector(css)).click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                return false;
            }
        });
    }

    @Test
    void listsThePostPageAndShowsItsWaterfallWithTheDownstreamRequest() throws Exception {
        try (BlogApp blog = start(Map.of("ZER_VER_PROMOTE_PARK_MS", "0"))) {
            assertThat(get(blog, "/blogs/posts/1")).isEqualTo(200);
            assertThat(get(blog, "/blogs/nowhere")).isEqualTo(404);

            browser.get(viewer(blog).toString());
            until("the post page listed", () -> texts("#requests tbody td.route").contains("/blogs/posts/{id}"));
            assertThat(texts("#requests tbody td.route")).contains("/blogs/api/posts/{post_id}/comments");

            // Filters: status class, minimum duration, route.
            new Select(browser.findElement(By.id("filter-status"))).selectByVisibleText("4xx");
            until("only the 404", () -> texts("#requests tbody td.status").equals(List.of("404")));
            new Select(browser.findElement(By.id("filter-status"))).selectByVisibleText("all");
            browser.findElement(By.id("filter-min")).sendKeys("100000");
            until("no request of 100 s", () -> texts("#requests tbody tr").isEmpty());
            browser.findElement(By.id("filter-min")).clear();
            browser.findElement(By.id("filter-min")).sendKeys("0");
            new Select(browser.findElement(By.id("filter-route"))).selectByVisibleText("/blogs/posts/{id}");
            until("only the post page", () -> texts("#requests tbody td.route").equals(List.of("/blogs/posts/{id}")));

            // Live: a new request appears without reloading.
            assertThat(get(blog, "/blogs/posts/1")).isEqualTo(200);
            until("the second post page", () -> texts("#requests tbody td.route").size() == 2);

            click("#requests tbody tr");
            waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#waterfall .row")));
            List<String> labels = texts("#waterfall .row .label");
            assertThat(labels).contains("http.server: GET /blogs/posts/{id}", "step.load_blog_post_page",
                    "db.get blog_post", "http.get comments", "http.server: GET /blogs/api/posts/{post_id}/comments",
                    "step.render_blog_post_page", "job.park(io_wait) comments");
            // The comments call's bar: queued, then dispatched, then parked on io_wait while the peer answered.
            WebElement comments = browser.findElement(By.cssSelector("#waterfall .row[data-name='http.get comments']"));
            assertThat(comments.findElements(By.cssSelector(".seg.queue"))).hasSize(1);
            assertThat(comments.findElements(By.cssSelector(".seg.dispatch"))).hasSize(1);
            assertThat(comments.findElements(By.cssSelector(".seg.park.cause-io_wait"))).isNotEmpty();
            assertThat(comments.findElements(By.cssSelector(".seg.run"))).isNotEmpty();
            assertThat(browser.findElements(By.cssSelector("#waterfall .row.promoted"))).isNotEmpty();
            String summary = browser.findElement(By.id("summary")).getText();
            assertThat(summary).matches("[0-9.]+ (of [0-9.]+ ms waiting: .*parked on io_wait for .*|ms, almost all of it working.*)");

            screenshot("viewer-post-page.png");

            // Selecting a span shows its attributes and events.
            comments.click();
            until("the span's attributes", () -> !texts("#details table.attributes td").isEmpty());
            assertThat(texts("#details table.attributes td")).contains("effect.target", "\"comments\"");

            // The download decodes as OTLP with one span per waterfall row.
            String href = browser.findElement(By.id("download")).getAttribute("href");
            HttpResponse<String> download = client.send(HttpRequest.newBuilder(URI.create(href)).build(),
                    HttpResponse.BodyHandlers.ofString());
            ExportTraceServiceRequest.Builder decoded = ExportTraceServiceRequest.newBuilder();
            JsonFormat.parser().merge(download.body(), decoded);
            int spans = decoded.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
                    .mapToInt(ss -> ss.getSpansCount()).sum();
            assertThat(spans).isEqualTo(labels.size());
        }
    }

    @Test
    void thePoolOfOneRecipeShowsTheBackpressureParkAndNamesIt() throws Exception {
        try (BlogApp blog = start(Map.of("ZER_VER_DB_POOL_SIZE", "1", "ZER_VER_PROMOTE_PARK_MS", "1"))) {
            String found = null;
            for (int round = 0; round < 5 && found == null; round++) {
                List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port()
                                    + "/blogs/api/posts")).timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"t" + round + "-" + i
                                    + "\",\"content\":\"c\",\"author\":\"ana\"}")).build(),
                            HttpResponse.BodyHandlers.discarding()));
                }
                for (CompletableFuture<HttpResponse<Void>> c : calls) {
                    assertThat(c.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
                }
                // The request whose sentence names the pool (the longest waits are named first).
                for (JsonNode r : api(blog, "/api/requests?status=2xx").get("requests")) {
                    String id = r.get("traceId").asText();
                    if (api(blog, "/api/traces/" + id).get("summary").asText().contains("for db_pool (1/1)")) {
                        found = id;
                        break;
                    }
                }
            }
            assertThat(found).as("a write whose summary names the db_pool backpressure park").isNotNull();

            browser.get(viewer(blog).resolve("/#/trace/" + found).toString());
            until("the pool's park", () -> texts("#waterfall .row .label").contains("job.park(backpressure) db_pool (1/1)"));
            assertThat(browser.findElement(By.id("summary")).getText()).contains("parked on backpressure for db_pool (1/1)");
            WebElement park = browser.findElement(By.cssSelector("#waterfall .row.promoted[data-name='job.park(backpressure)']"));
            assertThat(park.getText()).contains("job.park(backpressure) db_pool (1/1)");
            WebElement write = browser.findElement(By.cssSelector("#waterfall .row[data-name='db.put blog_post']"));
            assertThat(write.findElements(By.cssSelector(".seg.park.cause-backpressure"))).hasSize(1);

            screenshot("viewer-pool-of-one.png");
        }
    }

    /** Saves what the browser shows under {@code target/} (the README's picture comes from here). */
    private static void screenshot(String name) throws Exception {
        Path shot = Path.of("target", name);
        Files.createDirectories(shot.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }
}
