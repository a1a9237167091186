package io.gitwarden.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.gitwarden.auth.Revocation;
import io.gitwarden.auth.SessionRevocations;
import io.gitwarden.testsupport.HeadlessChromium;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver})
 * driven by Selenium, against git-warden relaying the real git CLI to {@code git http-backend}. Signs in, finds
 * the session a real push created, opens it, revokes it, and sees git refused; unauthenticated requests go to
 * the sign-in page and a POST without the CSRF token is refused. Screenshots land in
 * {@code target/console-screenshots} (the ones in {@code docs/images} were taken this way).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleBrowserTests {

	static final String UPSTREAM_TOKEN = "ghs_console-upstream-token";

	static final String ADMIN_TOKEN = "console-admin-token-0123456789";

	static final String REPO = "acme/widgets";

	static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path scratch;

	static Path auditFile;

	static GitCli git;

	static GitHttpBackendServer upstream;

	static HeadlessChromium chromium;

	static ChromeDriver browser;

	@LocalServerPort
	int port;

	@Autowired
	SessionRevocations revocations;

	final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-console-it");
		auditFile = scratch.resolve("audit.jsonl");
		git = new GitCli(scratch.resolve("home"));
		TestRepositories repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")),
				scratch);
		repositories.create(REPO, 2);
		upstream = GitHttpBackendServer.start(repositories.root(), UPSTREAM_TOKEN);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
		registry.add("warden.console.enabled", () -> "true");
		registry.add("warden.audit.file", auditFile::toString);
	}

	@BeforeAll
	static void startBrowser() throws IOException {
		chromium = HeadlessChromium.start(SCREENSHOTS);
		browser = chromium.driver();
	}

	@AfterAll
	static void stop() {
		if (chromium != null) {
			chromium.close();
		}
		if (upstream != null) {
			upstream.close();
		}
	}

	@Test
	void signInFindThePushedSessionRevokeItAndGitIsRefused() throws Exception {
		String session = "ses_console-" + UUID.randomUUID();
		String branch = "agent/fix-" + session.substring(session.length() - 6);
		String token = Tokens.forRepo(REPO).claim("sub", session).claim("branch", branch).sign();
		Path work = scratch.resolve(session);
		git.run(scratch, "clone", "-q", url(token), work.toString()).assertSuccess();
		Files.writeString(work.resolve("fix.txt"), "a fix\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-q", "-m", "fix").assertSuccess();
		git.run(work, "push", "-q", "origin", "HEAD:" + branch).assertSuccess();
		GitCli.Result denied = git.run(work, "push", "origin", "HEAD:main");
		assertThat(denied.exitCode()).isNotZero();
		// a session that keeps trying other repositories: highlighted as suspicious
		String prowler = "ses_prowler-" + UUID.randomUUID();
		String prowlerToken = Tokens.forRepo(REPO).claim("sub", prowler).claim("branch", "agent/p").sign();
		for (int i = 0; i < 6; i++) {
			assertThat(git.run(scratch, "ls-remote", url(prowlerToken).replace(REPO, "acme/secrets-" + i)).exitCode())
				.isNotZero();
		}

		// unauthenticated: the sign-in page
		browser.get(base() + "/console/login");
		browser.manage().deleteAllCookies();
		browser.get(base() + "/console/sessions");
		assertThat(browser.getCurrentUrl()).endsWith("/console/login");
		// a wrong token is refused
		signIn("not-the-admin-token-at-all");
		assertThat(browser.getCurrentUrl()).endsWith("/console/login?error");
		assertThat(browser.findElement(By.cssSelector("p.error")).getText()).contains("not accepted");
		chromium.screenshot("login");

		signIn(ADMIN_TOKEN);
		assertThat(browser.getCurrentUrl()).endsWith("/console/sessions");
		Cookie cookie = browser.manage().getCookieNamed(ConsoleSecurity.COOKIE);
		assertThat(cookie).as("session cookie").isNotNull();
		assertThat(cookie.isHttpOnly()).isTrue();
		assertThat(cookie.getSameSite()).isEqualTo("Strict");
		assertThat(cookie.getPath()).isEqualTo("/console");
		assertThat(cookie.isSecure()).as("plain HTTP here; Secure over TLS").isFalse();

		WebElement suspicious = chromium.waitFor(By.cssSelector("tr[data-session='" + prowler + "']"));
		assertThat(suspicious.getAttribute("class")).contains("suspicious");
		assertThat(suspicious.findElement(By.cssSelector("td.denials")).getText()).isEqualTo("6");
		WebElement row = chromium.waitFor(By.cssSelector("tr[data-session='" + session + "']"));
		assertThat(row.getAttribute("class")).doesNotContain("suspicious");
		assertThat(row.findElement(By.cssSelector("td.pushes")).getText()).isEqualTo("2");
		assertThat(row.findElement(By.cssSelector("td.denials")).getText()).isEqualTo("1");
		assertThat(row.getText()).contains(REPO).contains("refs/heads/" + branch).contains("refs/heads/main");
		chromium.screenshot("sessions");

		row.findElement(By.cssSelector("a.session-link")).click();
		chromium.until(ExpectedConditions.urlContains("/console/sessions/" + session));
		String timeline = browser.findElement(By.id("events")).getText();
		assertThat(timeline).contains("refs/heads/" + branch).contains("refs/heads/main")
			.contains("refs/heads/main is protected").contains("protected-branch").contains("→");
		assertThat(browser.findElements(By.cssSelector("#events tbody tr"))).hasSizeGreaterThanOrEqualTo(6);
		chromium.screenshot("session");

		browser.findElement(By.id("revoke")).click();
		chromium.until(ExpectedConditions.urlContains("/revoke"));
		chromium.screenshot("revoke");
		browser.findElement(By.id("confirm-revoke")).click();
		chromium.waitFor(By.id("revoked-notice"));
		assertThat(browser.findElement(By.id("revoked-badge")).getText()).isEqualTo("revoked");

		GitCli.Result refused = git.run(work, "fetch", "origin");
		assertThat(refused.exitCode()).isNotZero();
		assertThat(refused.stderr()).contains("session revoked");

		List<JsonNode> consoleEvents = Eventually.await(() -> events("console"),
				(found) -> found.stream().anyMatch((e) -> "revoke".equals(e.at("/admin/action").asString(null))));
		assertThat(consoleEvents).anySatisfy((e) -> {
			assertThat(e.at("/admin/action").asString()).isEqualTo("sign-in");
			assertThat(e.get("decision").asString()).isEqualTo("unauthenticated");
			assertThat(e.at("/reason/code").asString()).isEqualTo("admin-token-invalid");
		});
		assertThat(consoleEvents).anySatisfy((e) -> {
			assertThat(e.at("/admin/action").asString()).isEqualTo("sign-in");
			assertThat(e.get("decision").asString()).isEqualTo("allowed");
		});
		assertThat(consoleEvents).anySatisfy((e) -> {
			assertThat(e.at("/admin/action").asString()).isEqualTo("revoke");
			assertThat(e.at("/admin/subject").asString()).isEqualTo(session);
			assertThat(e.get("operation").asString()).isEqualTo("admin");
		});
		assertThat(Files.readString(auditFile)).doesNotContain(ADMIN_TOKEN);
	}

	@Test
	void unauthenticatedRequestsGoToTheSignInPage() throws Exception {
		for (String path : List.of("/console", "/console/sessions", "/console/denials", "/console/chain",
				"/console/events", "/console/sessions/x/revoke")) {
			HttpResponse<String> response = get(path, null);
			assertThat(response.statusCode()).as(path).isIn(302, 303);
			String location = response.headers().firstValue("Location").orElseThrow();
			assertThat(location).as(path).endsWith("/console/login");
		}
		HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base() + "/console/sessions/x/revoke"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build());
		assertThat(post.statusCode()).isIn(302, 303, 403);
		assertThat(this.revocations.snapshot().revocations()).extracting(Revocation::session).doesNotContain("x");
	}

	@Test
	void aCrossSitePostWithoutTheCsrfTokenIsRefused() throws Exception {
		signedInBrowser();
		String cookie = ConsoleSecurity.COOKIE + "=" + browser.manage().getCookieNamed(ConsoleSecurity.COOKIE).getValue();
		// the signed-in session works
		assertThat(get("/console/sessions", cookie).statusCode()).isEqualTo(200);
		// what a form on another site would send: the cookie (were it not SameSite=Strict), no CSRF token
		String victim = "ses_victim-" + UUID.randomUUID();
		HttpResponse<String> forged = send(HttpRequest.newBuilder(URI.create(base() + "/console/sessions/" + victim
				+ "/revoke"))
			.header("Cookie", cookie)
			.header("Origin", "https://evil.example")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("confirm=yes"))
			.build());
		assertThat(forged.statusCode()).isEqualTo(403);
		HttpResponse<String> wrongToken = send(HttpRequest.newBuilder(URI.create(base() + "/console/sessions/" + victim
				+ "/revoke"))
			.header("Cookie", cookie)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("_csrf=forged"))
			.build());
		assertThat(wrongToken.statusCode()).isEqualTo(403);
		assertThat(this.revocations.snapshot().revocations()).extracting(Revocation::session).doesNotContain(victim);
		List<JsonNode> refusals = Eventually.await(() -> events("console").stream()
			.filter((e) -> "request-rejected".equals(e.at("/reason/code").asString(null)))
			.toList(), (found) -> found.size() >= 2);
		assertThat(refusals).hasSizeGreaterThanOrEqualTo(2);
		assertThat(refusals.get(0).get("decision").asString()).isEqualTo("denied");
	}

	@Test
	void denialsFilterLiveUpdatesAndChainStatus() throws Exception {
		signedInBrowser();
		String session = "ses_live-" + UUID.randomUUID();
		String token = Tokens.forRepo(REPO).claim("sub", session).claim("branch", "agent/live").sign();
		assertThat(git.run(scratch, "ls-remote", url(token).replace(REPO, "acme/other")).exitCode()).isNotZero();

		browser.get(base() + "/console/denials?reason=repository-not-in-scope");
		WebElement first = chromium.waitFor(By.cssSelector("#events tbody tr"));
		assertThat(first.getText()).contains(session).contains("acme/other").contains("repository-not-in-scope");
		assertThat(browser.findElement(By.name("reason")).getAttribute("value")).isEqualTo("repository-not-in-scope");
		chromium.until(ExpectedConditions.attributeContains(By.id("live-status"), "class", "on"));

		// a new denial appears without reloading the page
		String later = "ses_later-" + UUID.randomUUID();
		String laterToken = Tokens.forRepo(REPO).claim("sub", later).claim("branch", "agent/live").sign();
		assertThat(git.run(scratch, "ls-remote", url(laterToken).replace(REPO, "acme/third")).exitCode()).isNotZero();
		chromium.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), later));
		chromium.screenshot("denials");

		browser.get(base() + "/console/chain");
		for (int i = 0; i < 50 && !browser.findElements(By.id("chain-running")).isEmpty(); i++) {
			new WebDriverWait(browser, Duration.ofMillis(200)).until((driver) -> true);
			browser.navigate().refresh();
		}
		assertThat(chromium.waitFor(By.id("chain-verdict")).getText()).startsWith("Intact:");
		assertThat(browser.findElement(By.tagName("table")).getText()).contains("from genesis");
		chromium.screenshot("chain");
	}

	private void signedInBrowser() {
		browser.get(base() + "/console/login");
		browser.manage().deleteAllCookies();
		browser.get(base() + "/console/login");
		signIn(ADMIN_TOKEN);
		assertThat(browser.getCurrentUrl()).endsWith("/console/sessions");
	}

	private void signIn(String token) {
		if (!browser.getCurrentUrl().contains("/console/login")) {
			browser.get(base() + "/console/login");
		}
		WebElement field = chromium.waitFor(By.id("token"));
		field.clear();
		field.sendKeys(token);
		String before = browser.getCurrentUrl();
		browser.findElement(By.id("sign-in")).click();
		chromium.until((driver) -> !driver.getCurrentUrl().equals(before) || !driver.findElements(By.cssSelector("p.error")).isEmpty());
	}

	private List<JsonNode> events(String via) throws IOException {
		return Files.readAllLines(auditFile)
			.stream()
			.map(JSON::readTree)
			.filter((event) -> via.equals(event.at("/admin/via").asString(null)))
			.toList();
	}

	private String base() {
		return "http://127.0.0.1:" + this.port;
	}

	private String url(String token) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + REPO + ".git";
	}

	private HttpResponse<String> get(String path, String cookie) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path));
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		return send(request.build());
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
