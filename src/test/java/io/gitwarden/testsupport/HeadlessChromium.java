package io.gitwarden.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's headless Chromium driven through its {@code chromium-driver} with Selenium: a fresh profile, no
 * background networking, a fixed window so screenshots are comparable.
 */
public final class HeadlessChromium implements AutoCloseable {

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private final ChromeDriver driver;

	private final Path screenshots;

	private HeadlessChromium(ChromeDriver driver, Path screenshots) {
		this.driver = driver;
		this.screenshots = screenshots;
	}

	/** Starts a browser; its screenshots go to {@code screenshots}. */
	public static HeadlessChromium start(Path screenshots) throws IOException {
		assertThat(CHROMIUM).as("Debian's chromium package (.ci/run installs it)").isExecutable();
		assertThat(CHROMEDRIVER).as("Debian's chromium-driver package (.ci/run installs it)").isExecutable();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--disable-extensions", "--user-data-dir=" + Files.createTempDirectory("warden-chromium"),
				"--window-size=1200,760");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().window().setSize(new Dimension(1200, 760));
		Files.createDirectories(screenshots);
		return new HeadlessChromium(driver, screenshots);
	}

	public ChromeDriver driver() {
		return this.driver;
	}

	/** Waits (up to 30 s) for an element to be on the page. */
	public WebElement waitFor(By locator) {
		return until(ExpectedConditions.presenceOfElementLocated(locator));
	}

	/** Waits (up to 30 s) for a condition to hold; returns its value. */
	public <T> T until(Function<? super WebDriver, T> condition) {
		return new WebDriverWait(this.driver, Duration.ofSeconds(30)).until(condition);
	}

	/** Saves the page as {@code <name>.png}. */
	public void screenshot(String name) throws IOException {
		File shot = this.driver.getScreenshotAs(OutputType.FILE);
		Files.copy(shot.toPath(), this.screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
	}

	@Override
	public void close() {
		this.driver.quit();
	}

}
