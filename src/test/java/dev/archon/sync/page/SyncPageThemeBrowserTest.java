package dev.archon.sync.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The component inside Archon (issue 21, item 3): mounted on a page shaped like Archon v1's dashboard — the
 * {@code dark} class on {@code <html>}, Archon's own root tokens ({@code --accent}, {@code --card},
 * {@code --muted} … as bare HSL triplets) — with {@code preset="archon"}, in real Chromium. In both of Archon's
 * themes, after a real sync so that every part of the page has text: axe-core finds no colour-contrast
 * violation, the background is dark in dark mode and light in light mode, Archon's toggle is followed as it
 * flips (no reload), no token is left to the light defaults, and Archon's tokens are neither overridden
 * nor read. Screenshots: target/page-screenshots/archon-*.png (docs/ with PAGE_SCREENSHOTS_TO_DOCS=1).
 */
@QuarkusTest
@QuarkusTestResource(value = BrowserClustersResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncPageThemeBrowserTest {
    static final Path SHOTS = SyncPageBrowserTest.SHOTS;
    /** axe-core, pinned in src/test/browser/package-lock.json and installed by `npm ci` (install-deps.sh or here). */
    static final Path BROWSER_DEPS = Path.of("src/test/browser");
    static final Path AXE = BROWSER_DEPS.resolve("node_modules/axe-core/axe.min.js");
    static final Duration PATIENCE = Duration.ofMinutes(5);
    /** Every token of the component; a preset that leaves one out shows the default light value there. */
    static final List<String> TOKENS = List.of("bg", "card", "fg", "muted", "line", "accent", "accent-fg", "ok", "ok-bg", "ok-fg",
            "warn", "warn-bg", "bad", "bad-bg", "bad-fg", "track", "focus", "backdrop");
    static final List<String> MODULES = List.of("archon-db-sync.js", "adbs/api.js", "adbs/facts.js", "adbs/format.js",
            "adbs/render-lists.js", "adbs/render-progress.js", "adbs/styles.js", "adbs/template.js", "adbs/theme.js");

    final TestClusters clusters = TestClusters.get();

    @TestHTTPResource("/")
    URL root;

    ChromeDriver browser;
    Path profile;
    String axe;

    @BeforeAll
    void openBrowser() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_big");
        axe = Files.readString(installedAxe());
        Files.createDirectories(SHOTS);
        profile = Files.createTempDirectory("archon-theme-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US", "--force-color-profile=srgb",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-default-browser-check");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.manage().timeouts().scriptTimeout(Duration.ofMinutes(2));
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

    /** The page is ES modules with no build step: each must come with a JavaScript type, or Chromium refuses it. */
    @Test
    @Order(1)
    void everyModuleIsServedAsJavaScript() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String module : MODULES) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(root + module)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), module);
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.contains("javascript"), module + " is served as " + type);
        }
    }

    @Test
    @Order(2)
    void inArchonsDarkThemeTheComponentIsDarkAndEveryTextIsReadable() {
        browser.get(root + "archon-host.html");
        await("the sign-in form", d -> el("login").isDisplayed());
        assertScheme("dark");
        el("key").sendKeys(SyncPageBrowserTest.KEY, Keys.ENTER);
        await("the comparison", d -> el("main").isDisplayed() && !rows("cmp").isEmpty());
        // a real sync, so the outcome, the timing, the decisions, the history and a backup are on the page
        WebElement radio = shadow().findElement(By.cssSelector("input[name=direction][value=remote-to-local]"));
        radio.sendKeys(Keys.SPACE);
        await("Sync now", d -> el("start").isEnabled());
        el("start").click();
        await("the end of the sync", PATIENCE, d -> el("outcome").getText().contains("Sync completed"));
        await("the history row and the backup", d -> rows("history").get(0).getText().contains("completed") && !rows("backups").isEmpty()
                && !rows("backups").get(0).getText().contains("No backups"));
        shotFull("archon-dark", "page-archon-dark.png");
        openEveryFoldOut(true); // what is folded away is checked too

        assertTrue(luminance(background()) < 0.05, "dark background under <html class=\"dark\">: " + background());
        assertTrue(luminance(color(el("prog-h"))) > 0.6, "light text: " + color(el("prog-h")));
        assertNoTokenLeftToTheLightDefaults();
        assertArchonsTokensUntouched();
        assertNoContrastViolation("Archon dark");
    }

    @Test
    @Order(3)
    void archonsToggleToLightIsFollowedAtOnceAndStaysReadable() {
        js("document.documentElement.classList.remove('dark')"); // what Archon's theme toggle does
        await("the light scheme", d -> "light".equals(scheme()));
        assertTrue(luminance(background()) > 0.85, "light background once Archon is light: " + background());
        assertTrue(luminance(color(el("prog-h"))) < 0.1, "dark text: " + color(el("prog-h")));
        assertArchonsTokensUntouched();
        openEveryFoldOut(false);
        shotFull("archon-light", "page-archon-light.png");
        openEveryFoldOut(true);
        assertNoContrastViolation("Archon light");

        js("document.documentElement.classList.add('dark')");
        await("dark again", d -> "dark".equals(scheme()) && luminance(background()) < 0.05);
    }

    /** The theme attribute overrides the page in both directions; auto follows it again. */
    @Test
    @Order(4)
    void theThemeAttributeWinsOverThePage() {
        js("document.querySelector('archon-db-sync').setAttribute('theme', 'light')");
        await("light though <html> is dark", d -> "light".equals(scheme()) && luminance(background()) > 0.85);
        js("document.documentElement.classList.remove('dark'); document.querySelector('archon-db-sync').setAttribute('theme', 'dark')");
        await("dark though <html> is light", d -> "dark".equals(scheme()) && luminance(background()) < 0.05);
        assertNoContrastViolation("theme=dark on a light page");
        js("document.querySelector('archon-db-sync').setAttribute('theme', 'auto')");
        await("auto: light with Archon", d -> "light".equals(scheme()));
        js("document.documentElement.classList.add('dark')");
        await("auto: dark with Archon", d -> "dark".equals(scheme()));

        // the check has teeth: an embedder's unreadable override (dark grey on black) is found
        js("const s = document.createElement('style'); s.id = 'bad-override';"
                + "s.textContent = 'archon-db-sync { --adbs-muted: #333338; }'; document.head.append(s)");
        assertTrue(contrastViolations().size() > 0, "dark grey text on black is reported");
        js("document.getElementById('bad-override').remove()");
        assertNoContrastViolation("after the bad override is gone");
    }

    // ---- the checks ----------------------------------------------------------------------------

    void assertNoContrastViolation(String where) {
        Map<String, Object> r = axeContrast();
        assertEquals(null, r.get("error"), where);
        assertEquals(List.of(), r.get("violations"), where + ": colour-contrast violations");
        assertTrue(((Number) r.get("checked")).intValue() > 50, where + ": axe checked the component's text: " + r.get("checked"));
        System.out.println("THEME " + where + ": axe checked the colour contrast of " + r.get("checked") + " elements (" + r.get("undecided")
                + " of them undecided by axe), no violation");
    }

    @SuppressWarnings("unchecked")
    List<Object> contrastViolations() {
        return (List<Object>) axeContrast().get("violations");
    }

    /** axe-core's colour-contrast rule over the whole document, shadow roots included. */
    Map<String, Object> axeContrast() {
        js(axe);
        Object result = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } })"
                + ".then(r => done({ violations: r.violations.flatMap(v => v.nodes.map(n => n.target.join(' >>> ') + ': ' + n.failureSummary)),"
                + " checked: r.passes.reduce((s, p) => s + p.nodes.length, 0) + r.incomplete.reduce((s, p) => s + p.nodes.length, 0),"
                + " undecided: r.incomplete.reduce((s, p) => s + p.nodes.length, 0) }))"
                + ".catch(e => done({ error: String(e) }));");
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) result;
        return r;
    }

    /** In Archon's dark theme each --adbs-* token has the preset's value, never the light default's. */
    void assertNoTokenLeftToTheLightDefaults() {
        for (String token : TOKENS) {
            String archonDark = token(token);
            String lightDefault = (String) js("const probe = document.createElement('archon-db-sync');"
                    + "probe.setAttribute('theme', 'light'); probe.setAttribute('api', '/nowhere'); probe.style.display = 'none';"
                    + "document.body.append(probe); const v = getComputedStyle(probe).getPropertyValue('--adbs-" + token + "').trim();"
                    + "probe.remove(); return v;");
            assertTrue(!archonDark.isEmpty(), "--adbs-" + token + " is set");
            assertNotEquals(lightDefault, archonDark, "--adbs-" + token + " in Archon's dark theme is not the light default");
        }
    }

    /** The component defines only --adbs-* properties: Archon's --accent, --card, --muted reach it unchanged. */
    void assertArchonsTokensUntouched() {
        for (String token : List.of("--accent", "--card", "--muted", "--background", "--border")) {
            String page = (String) js("return getComputedStyle(document.documentElement).getPropertyValue('" + token + "').trim()");
            String inside = (String) js("return getComputedStyle(document.querySelector('archon-db-sync').shadowRoot.querySelector('.app'))"
                    + ".getPropertyValue('" + token + "').trim()");
            assertTrue(!page.isEmpty(), token + " is Archon's");
            assertEquals(page, inside, token + " is inherited as Archon set it");
        }
        String css = (String) js("return [...document.querySelector('archon-db-sync').shadowRoot.querySelectorAll('style')].map(s => s.textContent).join('')");
        for (String own : List.of("--accent:", "--card:", "--muted:", "--bg:", "--fg:", "var(--accent)", "var(--card)", "var(--muted)")) {
            assertTrue(!css.contains(own), "the component's CSS never defines or reads " + own);
        }
    }

    String scheme() {
        return (String) js("return document.querySelector('archon-db-sync').getAttribute('data-adbs-scheme')");
    }

    void assertScheme(String expected) {
        await("data-adbs-scheme=" + expected, d -> expected.equals(scheme()));
    }

    String token(String name) {
        return ((String) js("return getComputedStyle(document.querySelector('archon-db-sync')).getPropertyValue('--adbs-" + name + "')")).trim();
    }

    String background() {
        return (String) js("return getComputedStyle(document.querySelector('archon-db-sync').shadowRoot.querySelector('.app')).backgroundColor");
    }

    String color(WebElement e) {
        return e.getCssValue("color");
    }

    /** Relative luminance (WCAG) of a computed rgb()/rgba() colour. */
    static double luminance(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9.,]", "").split(",");
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = Double.parseDouble(parts[i]) / 255;
            c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }

    void openEveryFoldOut(boolean open) {
        js("document.querySelector('archon-db-sync').shadowRoot.querySelectorAll('details').forEach(d => d.open = " + open + ")");
    }

    // ---- the browser ---------------------------------------------------------------------------

    SearchContext shadow() {
        return browser.findElement(By.tagName("archon-db-sync")).getShadowRoot();
    }

    WebElement el(String id) {
        return shadow().findElement(By.cssSelector("#" + id));
    }

    List<WebElement> rows(String tableId) {
        return shadow().findElements(By.cssSelector("#" + tableId + " tbody tr"));
    }

    Object js(String script) {
        return browser.executeScript(script);
    }

    void await(String what, Function<WebDriver, Boolean> condition) {
        await(what, Duration.ofSeconds(90), condition);
    }

    void await(String what, Duration patience, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, patience).withMessage(() -> "waiting for " + what + "; the page says: " + shadowText())
                .ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class)
                .pollingEvery(Duration.ofMillis(50)).until(condition);
    }

    String shadowText() {
        try {
            return el("progress").getText() + " | " + el("start-error").getText();
        } catch (RuntimeException e) {
            return "(the component is not there: " + e.getMessage() + ")";
        }
    }

    /** The whole component at 1280 px wide; into docs/ as the README's image with PAGE_SCREENSHOTS_TO_DOCS=1. */
    void shotFull(String name, String docName) {
        Number height = (Number) js("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1280, Math.min(3000, height.intValue() + 20)));
        try {
            Path shot = SHOTS.resolve(name + ".png");
            Files.write(shot, browser.findElement(By.tagName("archon-db-sync")).getScreenshotAs(OutputType.BYTES));
            if ("1".equals(System.getenv("PAGE_SCREENSHOTS_TO_DOCS"))) {
                Files.createDirectories(Path.of("docs"));
                Files.copy(shot, Path.of("docs", docName), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    /** axe-core from the npm registry through `npm ci` (the lock file pins it), once per checkout. */
    static Path installedAxe() throws IOException, InterruptedException {
        if (!Files.exists(AXE)) {
            List<String> cmd = new ArrayList<>(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"));
            Process p = new ProcessBuilder(cmd).directory(BROWSER_DEPS.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.exists(AXE)) {
                throw new IllegalStateException("axe-core could not be installed with `npm ci` in " + BROWSER_DEPS
                        + " (scripts/install-deps.sh does it): " + out);
            }
        }
        return AXE;
    }
}
