package dev.archon.sync.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.config.ArchonTables;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Database Sync page in a real headless Chromium (Debian's chromium + chromium-driver), against the
 * running service and the two test clusters, walked like a user: sign in (a wrong key first), choose a
 * direction, read the comparison and its data-loss warning, plan a dry run, sync and watch it, reload
 * mid-sync, cancel one, restore a backup. It asserts on what the user sees (text, aria state) and on
 * the databases' content checksums. Screenshots of each step go to target/page-screenshots/.
 */
@QuarkusTest
@QuarkusTestResource(value = BrowserClustersResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncPageBrowserTest {
    static final String KEY = "test-key-0123456789abcdef0123456789";
    static final Path SHOTS = Path.of("target/page-screenshots");
    static final List<String> SYNCED = List.of(ArchonTables.DEFAULT_CSV.split(","));
    /** How long a sync may take on a busy machine; what the page shows in answer to a click comes far sooner. */
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final Duration REACTION = Duration.ofSeconds(90);

    /** Says at once which step failed and why (surefire's report comes only after the whole class). */
    @RegisterExtension
    final TestWatcher reporter = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.println("PAGE TEST FAILED: " + context.getDisplayName() + ": " + cause);
        }
    };

    final TestClusters clusters = TestClusters.get();

    @TestHTTPResource("/")
    URL page;

    ChromeDriver browser;
    Path profile;
    /** The local database as it was before the page's first real sync: what the restore must bring back. */
    DbChecksum localBeforeSync;
    String backupOfThatState;

    @BeforeAll
    void openBrowser() throws IOException {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_big");
        Files.createDirectories(SHOTS);
        profile = Files.createTempDirectory("archon-page-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-US",
                // nothing in the background reaches for the network
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-default-browser-check");
        // the driver Debian installed, never one Selenium Manager would download
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 800));
    }

    @AfterAll
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void asksForTheKeyOnceAndSaysPlainlyWhenItIsWrong() {
        browser.get(page.toString());
        await("the sign-in form", d -> shown("login"));
        WebElement key = el("key");
        key.sendKeys("not-the-key", Keys.ENTER);
        await("the wrong-key message", d -> text("login-error").contains("not accepted"));
        shot("01-wrong-key");
        assertFalse(shown("main"), "nothing else is shown before signing in");

        el("key").clear();
        el("key").sendKeys(KEY, Keys.ENTER);
        await("the page after signing in", d -> shown("main") && !shown("login"));
        await("the comparison", d -> el("cmp").isDisplayed() && rows("cmp").size() == 17);
        // the key is nowhere a script could read it: not in storage, and the cookie is HttpOnly
        Object stored = js("return sessionStorage.length + localStorage.length + (document.cookie.includes('archon_sync_key') ? 1 : 0)");
        assertEquals(0L, stored);
        assertFalse(browser.getCurrentUrl().contains(KEY));
        shot("02-signed-in");
    }

    @Test
    @Order(2)
    void directionSaysWhatIsOverwrittenAndWarnsBeforeLosingRows() {
        // local has fewer rows than the cloud: backing up local → cloud would lose the cloud's extra rows
        direction("local-to-remote");
        await("what will be overwritten", d -> text("overwrite").contains("cloud database"));
        await("the data-loss warning", d -> shown("loss") && text("loss").contains("Data-loss warning"));
        assertTrue(text("loss").contains("rows would be lost"), text("loss"));
        assertEquals("alert", el("loss").getAttribute("role"));
        assertFalse(el("start").isEnabled(), "Sync now waits for the confirmation");
        assertTrue(text("start-hint").contains("Confirm the data-loss warning"));
        assertFalse(root().findElements(By.cssSelector("#cmp tbody tr.loss")).isEmpty(), "the losing tables are marked");
        shot("03-data-loss-warning");
        el("force").sendKeys(Keys.SPACE);
        await("Sync now enabled by the confirmation", d -> el("start").isEnabled());
        el("force").sendKeys(Keys.SPACE);
        assertFalse(el("start").isEnabled());

        // the other way round nothing is lost: no warning, no confirmation needed
        direction("remote-to-local");
        await("the local side named as overwritten", d -> text("overwrite").contains("local database"));
        await("no warning", d -> !shown("loss") && !shown("force-wrap") && el("start").isEnabled());
    }

    @Test
    @Order(3)
    void dryRunShowsThePlanAndTouchesNothing() {
        DbChecksum local = DbChecksum.of(clusters.local(), "app_local");
        DbChecksum remote = DbChecksum.of(clusters.remote(), "app_remote");
        el("dry").sendKeys(Keys.SPACE);
        await("the plan button", d -> text("start").equals("Show the plan"));
        el("start").click();
        await("the plan", d -> text("outcome").contains("Dry run: nothing was changed"));
        assertTrue(text("report").contains("archon_crawled_pages"), text("report"));
        shot("04-dry-run");
        assertEquals(local, DbChecksum.of(clusters.local(), "app_local"), "dry run left local as it was");
        assertEquals(remote, DbChecksum.of(clusters.remote(), "app_remote"), "dry run left the cloud as it was");
        el("dry").sendKeys(Keys.SPACE);
        await("Sync now again", d -> text("start").equals("Sync now"));
    }

    @Test
    @Order(4)
    void syncShowsLiveProgressSurvivesAReloadAndEndsVerified() throws Exception {
        localBeforeSync = DbChecksum.of(clusters.local(), "app_local");
        int historyBefore = historyRows().size();
        List<Integer> seen = new ArrayList<>();
        String id;
        try (Connection hold = holdTargetTable()) {
            el("start").click();
            // the sync waits for our lock inside its load: a moment that lasts, whatever the machine's speed
            await("the importing phase", PATIENCE, d -> "importing".equals(currentPhase()));
            seen.add(percent());
            assertTrue(seen.get(0) > 0 && seen.get(0) < 100, "part-way: " + seen);
            assertTrue(text("run-title").contains("Cloud → Local"), text("run-title"));
            assertTrue(el("cancel").isDisplayed());
            assertDone("validating", "backing_up");
            id = syncId();
            shot("05-syncing");

            // a reload mid-sync finds the running sync and listens again
            browser.navigate().refresh();
            await("the page re-attached to the running sync", d -> shown("run") && syncId().equals(id)
                    && "importing".equals(currentPhase()));
            assertTrue(text("prog-h").contains("Syncing"), text("prog-h"));
            assertTrue(text("strip-running").contains("Cloud → Local"), text("strip-running"));
            shot("06-reattached");
            hold.rollback();
        }
        boolean docShot = false;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!text("outcome").contains("completed")) {
            assertTrue(System.nanoTime() < deadline, "the sync did not finish: " + text("run"));
            int p = percent();
            if (p != seen.get(seen.size() - 1)) {
                seen.add(p);
            }
            if (!docShot && (text("facts").contains("Rows in table") || text("facts").contains("Index"))) {
                shotFull("07-syncing-rows");
                copyToDocs("07-syncing-rows", "page-syncing.png");
                docShot = true;
            }
            Thread.sleep(50);
        }
        seen.add(percent());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "percent never goes backwards: " + seen);
        }
        assertEquals(100, seen.get(seen.size() - 1), "ends at 100: " + seen);
        assertEquals("100", el("bar").getAttribute("aria-valuenow"));
        assertTrue(text("percent").equals("100%"), text("percent"));
        if (!docShot) {
            copyToDocs("05-syncing", "page-syncing.png");
        }
        // the end: verified, the time per phase, every step done, and a new history row
        assertTrue(text("outcome").contains("Verified before it committed: 17 of 17 tables"), text("outcome"));
        assertEquals(0, root().findElements(By.cssSelector("#phases li[aria-current]")).size());
        assertDone("validating", "backing_up", "exporting", "importing", "indexing", "verifying");
        for (String phase : List.of("Validating", "Backing up", "Importing", "Indexing", "Verifying")) {
            assertTrue(text("timing").contains(phase), "timing table names " + phase + ": " + text("timing"));
        }
        await("the new history row", d -> historyRows().size() == historyBefore + 1
                && historyRows().get(0).getText().contains("completed") && historyRows().get(0).getText().contains("Cloud → Local"));
        await("the backup taken before the sync", d -> !backupRows("Local").isEmpty());
        assertTrue(text("strip-last").contains("completed"), text("strip-last"));
        assertEquals("Nothing", text("strip-running"));
        backupOfThatState = backupRows("Local").get(0).findElement(By.cssSelector("button")).getAttribute("data-backup");
        assertTrue(backupOfThatState.endsWith("_" + id.substring(0, id.indexOf('-'))),
                backupOfThatState + " is the backup of sync " + id);
        assertEquals(DbChecksum.of(clusters.remote(), "app_remote").only(SYNCED),
                DbChecksum.of(clusters.local(), "app_local").only(SYNCED), "local now holds the cloud's rows");
        shotFull("08-done");
        copyToDocs("08-done", "page-done.png");
    }

    @Test
    @Order(5)
    void cancelStopsTheSyncAndLeavesTheTargetAsItWas() throws Exception {
        DbChecksum before = DbChecksum.of(clusters.local(), "app_local");
        assertNotEquals(localBeforeSync, before);
        // the cloud changed a setting since the last sync: that table is reloaded (an unchanged one is left alone)
        try (Connection cloud = clusters.remote().connect("app_remote")) {
            cloud.createStatement().execute("UPDATE archon_settings SET description = coalesce(description, '') || ' (edited in the cloud)'"
                    + " WHERE key = (SELECT min(key) FROM archon_settings)");
        }
        direction("remote-to-local");
        el("backup").sendKeys(Keys.SPACE); // no backup this time: the list keeps only the one to restore
        assertFalse(el("backup").isSelected());
        try (Connection hold = holdTargetTable()) {
            el("start").click();
            await("the importing phase", PATIENCE, d -> "importing".equals(currentPhase()));
            // issue 14, live from the progress events: the one changed table is reloaded, the rest left alone
            assertTrue(text("decision-summary").contains("Reloading 1: archon_settings (differs from the source)")
                    && text("decision-summary").contains("16 unchanged tables (equal to the source) left alone"), text("decision-summary"));
            el("cancel").click();
            await("the truth after the cancel", PATIENCE, d -> text("outcome").contains("Cancelled"));
            hold.rollback();
        }
        assertTrue(text("outcome").contains("left exactly as it was"), text("outcome"));
        assertTrue(el("bar").getAttribute("aria-valuetext").contains("cancelled"), el("bar").getAttribute("aria-valuetext"));
        assertTrue(root().findElements(By.cssSelector("#phases li.stopped[data-phase=importing]")).size() == 1);
        await("the history row", d -> historyRows().get(0).getText().contains("cancelled"));
        shot("09-cancelled");
        assertEquals(before, DbChecksum.of(clusters.local(), "app_local"), "the cancelled sync changed nothing");
        el("backup").sendKeys(Keys.SPACE);
    }

    @Test
    @Order(6)
    void restoresABackupFromTheListAfterAConfirmation() {
        List<WebElement> local = backupRows("Local");
        assertEquals(1, local.size(), "one backup of the local database");
        WebElement restore = local.get(0).findElement(By.cssSelector("button"));
        assertEquals(backupOfThatState, restore.getAttribute("data-backup"));

        // first the user changes their mind: nothing starts
        restore.click();
        await("the confirmation", d -> el("confirm").isDisplayed());
        assertTrue(text("confirm-h").contains("Restore the local database?"), text("confirm-h"));
        assertTrue(text("confirm-body").contains("will be replaced by this backup"), text("confirm-body"));
        // it names what the backup holds: the tables its sync replaced (a few by name, else how many)
        assertTrue(text("confirm-body").matches("(?s)The rows of (archon_\\w+(, archon_\\w+)*|\\d+ of Archon's tables) in the .*"),
                text("confirm-body"));
        shot("10-restore-confirmation");
        el("confirm-no").click();
        await("the dialog closed", d -> !el("confirm").isDisplayed());
        assertTrue(text("outcome").contains("Cancelled"), "still the last sync's outcome: " + text("outcome"));

        backupRows("Local").get(0).findElement(By.cssSelector("button")).click();
        await("the confirmation", d -> el("confirm").isDisplayed());
        el("confirm-yes").click();
        await("the restore's end", PATIENCE, d -> text("outcome").contains("Restore completed"));
        assertTrue(text("prog-h").contains("Last restore"), text("prog-h"));
        assertEquals("100", el("bar").getAttribute("aria-valuenow"));
        await("the restore in the history", d -> historyRows().get(0).getText().contains("Restore local"));
        shot("11-restored");
        assertEquals(localBeforeSync, DbChecksum.of(clusters.local(), "app_local"), "local is back to its pre-sync state");
    }

    @Test
    @Order(7)
    void fitsANarrowWindowAndFollowsTheDarkScheme() {
        browser.manage().window().setSize(new Dimension(400, 800));
        browser.navigate().refresh();
        await("the page", d -> shown("main"));
        Number overflow = (Number) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertTrue(overflow.intValue() <= 0, "no sideways scrolling at 400 px: " + overflow);
        WebElement start = el("start");
        assertTrue(start.getRect().getX() + start.getRect().getWidth() <= 400, "Sync now fits: " + start.getRect());
        shot("12-narrow-400px");
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        browser.manage().window().setSize(new Dimension(1280, 800));
        String background = (String) js("const app = document.querySelector('archon-db-sync').shadowRoot.querySelector('.app');"
                + "return getComputedStyle(app).backgroundColor");
        assertEquals("rgb(17, 20, 24)", background, "dark background when the system is dark");
        shot("13-dark");
        browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    /**
     * Issue 19: a target whose Archon lacks a policy the source has is refused (schema drift); the page points at
     * "Bring the schema along", and with it ticked the same dry run plans (the request carries "schema": true).
     */
    @Test
    @Order(8)
    void bringTheSchemaAlongAnswersASchemaDriftRefusal() {
        clusters.local().exec("app_local", "DROP POLICY \"public read access\" ON public.archon_sources");
        direction("remote-to-local");
        el("dry").sendKeys(Keys.SPACE);
        await("the plan button", d -> text("start").equals("Show the plan") && el("start").isEnabled());
        el("start").click();
        await("the drift refusal", d -> text("start-error").contains("refused") && text("start-error").contains("Bring the schema along"));
        assertTrue(text("start-error").contains("public read access"), text("start-error"));
        shot("14-schema-drift");
        el("schema").sendKeys(Keys.SPACE);
        assertTrue(el("schema").isSelected());
        await("Show the plan again", d -> el("start").isEnabled());
        el("start").click();
        await("the plan with the schema brought along", d -> text("outcome").contains("Dry run: nothing was changed"));
        assertEquals("", text("start-error"));
        el("schema").sendKeys(Keys.SPACE);
        el("dry").sendKeys(Keys.SPACE);
    }

    // ---- what the user sees -------------------------------------------------------------------

    SearchContext root() {
        return browser.findElement(By.tagName("archon-db-sync")).getShadowRoot();
    }

    WebElement el(String id) {
        return root().findElement(By.cssSelector("#" + id));
    }

    boolean shown(String id) {
        return el(id).isDisplayed();
    }

    String text(String id) {
        return el(id).getText().trim();
    }

    List<WebElement> rows(String tableId) {
        return root().findElements(By.cssSelector("#" + tableId + " tbody tr"));
    }

    List<WebElement> historyRows() {
        return rows("history").stream().filter(r -> !r.getText().contains("No syncs yet")).toList();
    }

    List<WebElement> backupRows(String database) {
        return rows("backups").stream().filter(r -> r.findElements(By.cssSelector("td")).size() > 1
                && r.findElements(By.cssSelector("td")).get(1).getText().startsWith(database)).toList();
    }

    void direction(String value) {
        WebElement radio = root().findElement(By.cssSelector("input[name=direction][value=" + value + "]"));
        radio.sendKeys(Keys.SPACE); // by keyboard, as a user without a mouse would
        assertTrue(radio.isSelected(), value + " chosen");
    }

    String currentPhase() {
        List<WebElement> current = root().findElements(By.cssSelector("#phases li[aria-current=step]"));
        return current.isEmpty() ? null : current.get(0).getAttribute("data-phase");
    }

    void assertDone(String... phases) {
        for (String p : phases) {
            WebElement li = root().findElement(By.cssSelector("#phases li[data-phase=" + p + "]"));
            assertTrue(li.getAttribute("class").contains("done") && li.getAttribute("textContent").contains("(done)"),
                    p + " shown as done: " + li.getAttribute("textContent"));
        }
    }

    int percent() {
        return Integer.parseInt(el("bar").getAttribute("aria-valuenow"));
    }

    String syncId() {
        String title = text("run-title");
        int at = title.lastIndexOf("id ");
        return at < 0 ? "" : title.substring(at + 3).trim();
    }

    Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** Waits for what the user should see; on a timeout, a screenshot and the browser's console say why. */
    void await(String what, Function<WebDriver, Boolean> condition) {
        await(what, REACTION, condition);
    }

    void await(String what, Duration patience, Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(browser, patience).withMessage(() -> "waiting for " + what)
                    .ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class)
                    .pollingEvery(Duration.ofMillis(50)).until(condition);
        } catch (TimeoutException e) {
            shot("FAILED-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            StringBuilder console = new StringBuilder();
            browser.manage().logs().get(LogType.BROWSER).forEach(l -> console.append("\n  ").append(l));
            throw new AssertionError("timed out waiting for " + what + "; the page says: " + text("progress")
                    + " | " + text("start-error") + "\nbrowser console:" + console, e);
        }
    }

    // ---- the target lock and the screenshots ---------------------------------------------------

    /** A reader on the target's archon_settings: the sync's load waits for it (our lock timeout is 10 min). */
    Connection holdTargetTable() throws SQLException {
        Connection c = clusters.local().connect("app_local");
        c.setAutoCommit(false);
        c.createStatement().execute("LOCK TABLE archon_settings IN ACCESS SHARE MODE");
        return c;
    }

    void shot(String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole page at 1280 px wide, for the README. */
    void shotFull(String name) {
        Number height = (Number) js("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1280, Math.min(2400, height.intValue() + 20)));
        try {
            shot(name);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    /**
     * The README's images come from this test: with PAGE_SCREENSHOTS_TO_DOCS=1 it copies them into docs/
     * (off by default, so a test run never changes the working tree).
     */
    static void copyToDocs(String shot, String docName) {
        if (!"1".equals(System.getenv("PAGE_SCREENSHOTS_TO_DOCS"))) {
            return;
        }
        Path docs = Path.of("docs");
        try {
            Files.createDirectories(docs);
            Files.copy(SHOTS.resolve(shot + ".png"), docs.resolve(docName), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
