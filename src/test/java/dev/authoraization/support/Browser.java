package dev.authoraization.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * Debian's Chromium, headless, driven by Selenium through Debian's chromedriver: nothing is
 * downloaded (the driver path is given, so Selenium Manager never runs) and the browser reaches
 * nothing but localhost. Phone-sized (390×844) so the screenshots show what an approver sees.
 * One per test class: starting Chromium takes a few seconds.
 */
public final class Browser implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path TARGET = Path.of("target").toAbsolutePath();

  private final ChromeDriver driver;
  private final Path screenshots;
  private final String name;
  private int step;

  private Browser(ChromeDriver driver, Path screenshots, String name) {
    this.driver = driver;
    this.screenshots = screenshots;
    this.name = name;
  }

  /** Starts Chromium; fails (never skips) with how to install it when it is missing. */
  public static Browser start(String name) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("Chromium is needed for the browser tests but " + CHROMIUM + " or "
          + CHROMEDRIVER + " is missing. Install it: apt-get update && apt-get install -y chromium chromium-driver "
          + "(.ci/run does this on a clean machine).");
    }
    try {
      System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
      Files.createDirectories(TARGET);
      Path userData = Files.createTempDirectory(TARGET, "chromium-profile-");
      Path xdg = Files.createDirectories(TARGET.resolve("xdg-config"));
      Path screenshots = Files.createDirectories(TARGET.resolve("screenshots"));
      try (var old = Files.newDirectoryStream(screenshots, name + "-*.png")) {
        for (Path file : old) {
          Files.delete(file);
        }
      }
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
          "--user-data-dir=" + userData);
      // a phone's viewport (headless windows cannot be narrower than 500 px)
      options.setExperimentalOption("mobileEmulation",
          Map.of("deviceMetrics", Map.of("width", 390, "height", 844, "pixelRatio", 1.0, "touch", true)));
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
          .withEnvironment(Map.of("XDG_CONFIG_HOME", xdg.toString())).build();
      return new Browser(new ChromeDriver(service, options), screenshots, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  /**
   * A platform authenticator that holds resident keys and verifies its user (as a phone's screen
   * lock would), answering every WebAuthn ceremony without a prompt.
   */
  public VirtualAuthenticator addPasskeyAuthenticator() {
    return driver.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
        .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
        .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
        .setHasResidentKey(true).setHasUserVerification(true).setIsUserVerified(true).setIsUserConsenting(true));
  }

  /** Emulates the device's colour scheme preference ({@code prefers-color-scheme}). */
  public void prefer(String colorScheme) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", colorScheme))));
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  public String text(String css) {
    return find(css).getText();
  }

  /** Waits until the page's path (without query) is {@code path}. */
  public void waitForPath(String path) {
    waitFor().until(d -> {
      String url = d.getCurrentUrl();
      String withoutQuery = url == null ? "" : url.replaceFirst("\\?.*$", "");
      return withoutQuery.endsWith(path);
    });
  }

  public Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  public WebDriverWait waitFor() {
    return new WebDriverWait(driver, Duration.ofSeconds(15));
  }

  /** Scrolls the element into the middle of the viewport, then takes a screenshot. */
  public Path screenshot(String what, String css) {
    script("arguments[0].scrollIntoView({block: 'center'})", find(css));
    return screenshot(what);
  }

  /** Writes target/screenshots/{class}-{nn}-{step}.png. */
  public Path screenshot(String what) {
    try {
      Path file = screenshots.resolve(String.format("%s-%02d-%s.png", name, ++step, what));
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
