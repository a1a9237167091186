package io.gitwarden.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.gitwarden.auth.Revocation;
import io.gitwarden.auth.SessionRevocations;
import io.gitwarden.testsupport.HeadlessChromium;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Console sign-in with a real OIDC provider ({@link OidcTestProvider}: Spring Authorization Server in its own
 * context, at {@code localhost}, cross-site to the console at {@code 127.0.0.1}) in a real browser (Debian's
 * headless Chromium with Selenium): an allowed user (by verified e-mail, by group) signs in through the
 * provider's login page and lands on the sessions page with the {@code SameSite=Strict} cookie, and a revocation
 * names them in the audit; users not in the allowlist (or whose listed e-mail is not verified) get 403; the
 * admin-token form still works; a callback without the flow's cookie is refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleOidcBrowserTests {

	static final String ADMIN_TOKEN = "console-oidc-admin-token-0123456789";

	static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

	static final JsonMapper JSON = JsonMapper.builder().build();

	static OidcTestProvider provider;

	static Path auditFile;

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
		provider = OidcTestProvider.start();
		auditFile = Files.createTempDirectory("warden-console-oidc").resolve("audit.jsonl");
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "ghs_console-oidc-upstream");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
		registry.add("warden.console.enabled", () -> "true");
		registry.add("warden.audit.file", auditFile::toString);
		// Boot's standard client registration: the provider is discovered from its issuer
		String registration = "spring.security.oauth2.client.registration.idp.";
		registry.add(registration + "client-id", () -> OidcTestProvider.CLIENT_ID);
		registry.add(registration + "client-secret", () -> OidcTestProvider.CLIENT_SECRET);
		registry.add(registration + "client-name", () -> "Test IdP");
		registry.add(registration + "scope", () -> "openid,email");
		registry.add("spring.security.oauth2.client.provider.idp.issuer-uri", provider::issuer);
		registry.add("warden.console.oidc.allowed-users", () -> "alice@example.com,carol@example.com");
		registry.add("warden.console.oidc.allowed-groups", () -> "warden-operators");
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
		if (provider != null) {
			provider.close();
		}
	}

	@BeforeEach
	void signedOutEverywhere() {
		// the console's cookies and the provider's (its own sign-in)
		browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
	}

	@Test
	void anAllowedUserSignsInThroughTheProviderAndRevocationsNameThem() throws Exception {
		browser.get(base() + "/console/sessions");
		assertThat(browser.getCurrentUrl()).endsWith("/console/login");
		WebElement link = chromium.waitFor(By.id("sign-in-idp"));
		assertThat(link.getText()).isEqualTo("Sign in with Test IdP");
		assertThat(browser.findElement(By.id("token")).isDisplayed()).as("the token form stays").isTrue();
		chromium.screenshot("login-oidc");

		signInWithProvider("alice");
		assertThat(browser.getCurrentUrl()).isEqualTo(base() + "/console/sessions");
		chromium.waitFor(By.id("sessions"));
		Cookie cookie = browser.manage().getCookieNamed(ConsoleSecurity.COOKIE);
		assertThat(cookie).as("console session cookie").isNotNull();
		assertThat(cookie.getSameSite()).isEqualTo("Strict");
		assertThat(cookie.isHttpOnly()).isTrue();
		assertThat(cookie.getPath()).isEqualTo("/console");
		assertThat(browser.manage().getCookieNamed(ConsoleAuthorizationRequests.COOKIE))
			.as("the flow's cookie is used once").isNull();

		// a revocation by this user names them
		String session = "ses_oidc-" + UUID.randomUUID();
		browser.get(base() + "/console/sessions/" + session + "/revoke");
		chromium.waitFor(By.id("confirm-revoke")).click();
		chromium.waitFor(By.id("revoked-notice"));
		assertThat(this.revocations.snapshot().revocations()).extracting(Revocation::session).contains(session);

		List<JsonNode> events = Eventually.await(() -> consoleEvents(),
				(found) -> found.stream().anyMatch((e) -> session.equals(e.at("/admin/subject").asString(null))));
		assertThat(events).anySatisfy((e) -> {
			assertThat(e.at("/admin/action").asString()).isEqualTo("sign-in");
			assertThat(e.get("decision").asString()).isEqualTo("allowed");
			assertThat(e.at("/admin/user/provider").asString()).isEqualTo("idp");
			assertThat(e.at("/admin/user/issuer").asString()).isEqualTo(provider.issuer());
			assertThat(e.at("/admin/user/subject").asString()).isEqualTo("alice");
			assertThat(e.at("/admin/user/email").asString()).isEqualTo("alice@example.com");
		});
		assertThat(events).anySatisfy((e) -> {
			assertThat(e.at("/admin/action").asString()).isEqualTo("revoke");
			assertThat(e.at("/admin/subject").asString()).isEqualTo(session);
			assertThat(e.at("/admin/user/email").asString()).isEqualTo("alice@example.com");
		});
		String audit = Files.readString(auditFile);
		assertThat(audit).as("no client secret, no token in the audit").doesNotContain(OidcTestProvider.CLIENT_SECRET)
			.doesNotContain("eyJ");

		// signing out ends the console session
		browser.findElement(By.cssSelector("form.signout button")).click();
		chromium.until(ExpectedConditions.urlContains("/console/login"));
		browser.get(base() + "/console/sessions");
		assertThat(browser.getCurrentUrl()).endsWith("/console/login");
	}

	@Test
	void aMemberOfAnAllowedGroupSignsIn() {
		browser.get(base() + "/console/login");
		signInWithProvider("bob");
		assertThat(browser.getCurrentUrl()).isEqualTo(base() + "/console/sessions");
		chromium.waitFor(By.id("sessions"));
	}

	@Test
	void usersNotInTheAllowlistAreRefused() throws Exception {
		for (String user : List.of("mallory", "carol")) { // carol's listed e-mail address is not verified
			browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
			browser.get(base() + "/console/login");
			signInWithProvider(user);
			WebElement refusal = chromium.waitFor(By.id("not-allowed"));
			assertThat(refusal.getText()).isEqualTo(user + "@example.com is not allowed to use the console.");
			if (user.equals("mallory")) {
				chromium.screenshot("not-allowed");
			}
			browser.get(base() + "/console/sessions");
			assertThat(browser.getCurrentUrl()).as(user + " has no console session").endsWith("/console/login");
		}
		List<JsonNode> refusals = Eventually.await(() -> consoleEvents().stream()
			.filter((e) -> "console-user-not-allowed".equals(e.at("/reason/code").asString(null)))
			.toList(), (found) -> found.size() >= 2);
		assertThat(refusals).allSatisfy((e) -> {
			assertThat(e.get("decision").asString()).isEqualTo("denied");
			assertThat(e.at("/admin/action").asString()).isEqualTo("sign-in");
		});
		assertThat(refusals).extracting((e) -> e.at("/admin/user/email").asString())
			.contains("mallory@example.com", "carol@example.com");
		assertThat(refusals).extracting((e) -> e.at("/admin/user/subject").asString()).contains("mallory", "carol");
	}

	@Test
	void theRefusalPageIsA403() throws Exception {
		// the page the refused sign-in is forwarded to answers 403 (WebDriver does not show the browser's status);
		// opened directly it names nobody
		HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base() + "/console/not-allowed")).build());
		assertThat(page.statusCode()).isEqualTo(403);
		assertThat(page.body()).contains("This account</span> is not allowed to use the console");
	}

	@Test
	void theTokenFormStillWorks() {
		browser.get(base() + "/console/login");
		WebElement field = chromium.waitFor(By.id("token"));
		field.sendKeys(ADMIN_TOKEN);
		browser.findElement(By.id("sign-in")).click();
		chromium.until(ExpectedConditions.urlToBe(base() + "/console/sessions"));
		chromium.waitFor(By.id("sessions"));
	}

	@Test
	void aCallbackWithoutTheFlowIsRefused() throws Exception {
		// a forged or replayed redirect back (login CSRF): no authorization request cookie, unknown state
		HttpResponse<String> forged = send(HttpRequest.newBuilder(URI.create(base()
				+ "/console/login/oauth2/code/idp?code=stolen-code&state=forged-state")).build());
		assertThat(forged.statusCode()).isIn(302, 303);
		assertThat(forged.headers().firstValue("Location").orElseThrow()).endsWith("/console/login?oidc-error");
		assertThat(forged.headers().allValues("Set-Cookie")).noneMatch((c) -> c.startsWith(ConsoleSecurity.COOKIE + "="));
		List<JsonNode> failures = Eventually.await(() -> consoleEvents().stream()
			.filter((e) -> "console-sign-in-failed".equals(e.at("/reason/code").asString(null)))
			.toList(), (found) -> !found.isEmpty());
		assertThat(failures.get(0).get("decision").asString()).isEqualTo("unauthenticated");
	}

	/** Follows "Sign in with Test IdP" to the provider's own login page and signs in there. */
	private void signInWithProvider(String user) {
		chromium.waitFor(By.id("sign-in-idp")).click();
		chromium.until(ExpectedConditions.urlContains(provider.issuer() + "/login"));
		chromium.waitFor(By.id("username")).sendKeys(user);
		browser.findElement(By.id("password")).sendKeys(OidcTestProvider.PASSWORD);
		browser.findElement(By.cssSelector("button[type=submit]")).click();
		chromium.until((driver) -> driver.getCurrentUrl().startsWith(base() + "/console/")
				&& !driver.getCurrentUrl().contains("/oauth2/code/")
				|| !driver.findElements(By.id("not-allowed")).isEmpty());
	}

	private List<JsonNode> consoleEvents() throws IOException {
		return Files.readAllLines(auditFile)
			.stream()
			.map(JSON::readTree)
			.filter((event) -> "console".equals(event.at("/admin/via").asString(null)))
			.toList();
	}

	private String base() {
		return "http://127.0.0.1:" + this.port;
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
