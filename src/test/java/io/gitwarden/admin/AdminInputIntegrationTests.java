package io.gitwarden.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.gitwarden.auth.Revocation;
import io.gitwarden.auth.RevocationStore;
import io.gitwarden.auth.RevocationStoreUnavailableException;
import io.gitwarden.auth.SessionRevocations;
import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API reads its input strictly and answers every error as {@code {"error","message"}} JSON: unknown
 * fields and query parameters are named, not ignored; a wrong method is a 405 with {@code Allow}, a wrong
 * content type a 415; the revocation store being down a 503, a bug a 500. The revocation store here refuses to
 * store one session, {@value #UNSTORABLE}, as a database that is down would, and fails on another,
 * {@value #BUGGY}, as a bug would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdminInputIntegrationTests {

	static final String ADMIN_TOKEN = "admin-token-0123456789-strict";

	static final String UNSTORABLE = "unstorable-session";

	/** A session whose revocation hits a bug (an unexpected exception), for the 500 answer. */
	static final String BUGGY = "buggy-session";

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path auditFile;

	@LocalServerPort
	int port;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		auditFile = Files.createTempDirectory("warden-admin-input").resolve("audit.jsonl");
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "unused");
		registry.add("warden.upstream.max-path-depth", () -> "3");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
		registry.add("warden.audit.file", auditFile::toString);
	}

	/** A revocation store that cannot store {@value #UNSTORABLE} (and keeps nothing: nothing here needs it). */
	@TestConfiguration
	static class FailingStore {

		@Bean
		RevocationStore revocationStore() {
			return new RevocationStore() {

				@Override
				public void save(Revocation revocation) {
					if (revocation.session().equals(UNSTORABLE)) {
						throw new RevocationStoreUnavailableException("the revocation store is down",
								new IOException("connection refused"));
					}
					if (revocation.session().equals(BUGGY)) {
						throw new IllegalStateException("a bug with details that stay in the log");
					}
				}

				@Override
				public void start(SessionRevocations table) {
				}

				@Override
				public void close() {
				}

			};
		}

	}

	HttpResponse<String> call(String method, String path, String contentType, String body, String token)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody());
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> mint(String body) throws Exception {
		return call("POST", "/admin/v1/tokens", "application/json", body, ADMIN_TOKEN);
	}

	/** Asserts the status and the error shape, and returns the message. */
	static String error(HttpResponse<String> response, int status, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.propertyNames()).containsExactlyInAnyOrder("error", "message");
		assertThat(body.get("error").asString()).isEqualTo(error);
		return body.get("message").asString();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			misspelt field      | {"repo":"acme/app","scope":"fetch","ttl":600}               | unknown field 'ttl' (known: repo, branch, scope, grants, ttlSeconds, session)
			two unknown fields  | {"repo":"acme/app","scope":"fetch","Repo":"x","x":1}        | unknown fields 'Repo', 'x' (known:
			full ref name       | {"repo":"acme/app","scope":"push","branch":"refs/heads/agent/x"} | 'branch' is the branch's short name: 'agent/x', not 'refs/heads/agent/x'
			other ref name      | {"repo":"acme/app","scope":"push","branch":"refs/tags/v1"}  | 'branch' is a branch's short name such as 'agent/fix-123', not a ref name
			repo not a string   | {"repo":["acme/app"],"scope":"fetch"}                        | 'repo' must be a string
			ttl not a number    | {"repo":"acme/app","scope":"fetch","ttlSeconds":"600"}       | 'ttlSeconds' must be a whole number of seconds
			ttl fractional      | {"repo":"acme/app","scope":"fetch","ttlSeconds":1.5}         | 'ttlSeconds' must be a whole number of seconds
			duplicate field     | {"repo":"acme/app","scope":"fetch","repo":"acme/other"}      | request is not valid JSON: field 'repo' is given more than once
			not JSON            | {not json                                                    | request is not valid JSON
			trailing data       | {"repo":"acme/app","scope":"fetch"} {}                       | request is not valid JSON
			not an object       | ["acme/app"]                                                 | request body must be a JSON object
			both forms          | {"repo":"acme/app","scope":"fetch","grants":[{"repo":"acme/lib","scope":"fetch"}]} | 'grants' cannot be combined with 'repo', 'branch' or 'scope'
			empty grants        | {"grants":[]}                                                | 'grants' is empty
			grant field misspelt | {"grants":[{"repo":"acme/app","scope":"fetch","branch":"x"}]} | 'grants[0]' has an unknown field 'branch' (known: repo, scope, branches, tags)
			grant ** alone      | {"grants":[{"repo":"acme/app","scope":"push","branches":["**"]}]} | 'grants[0].branches': pattern '**' must start with a literal name
			grant full ref      | {"grants":[{"repo":"acme/app","scope":"push","branches":["refs/heads/x"]}]} | 'grants[0].branches' takes short names: 'x', not 'refs/heads/x'
			grant push nowhere  | {"grants":[{"repo":"acme/app","scope":"fetch push"}]}       | 'grants[0]' has the push scope but names no 'branches' or 'tags'
			grant too deep      | {"grants":[{"repo":"a/b/c/d","scope":"fetch"}]}              | 'grants[0].repo' has more than 3 path segments (warden.upstream.max-path-depth)
			repo too deep       | {"repo":"a/b/c/d","scope":"fetch"}                           | 'repo' has more than 3 path segments (warden.upstream.max-path-depth)
			""")
	void mintRefusesWhatItCannotHonourNamingIt(String name, String body, String message) throws Exception {
		assertThat(error(mint(body), 400, "bad_request")).startsWith(message);
	}

	@Test
	void mintAcceptsGrantsAndRecordsThemWithoutTheToken() throws Exception {
		HttpResponse<String> minted = mint("""
				{"grants":[{"repo":"acme/app","scope":"fetch push","branches":["claude/*"],"tags":["agent-v*"]},
				           {"repo":"group/sub/lib","scope":"fetch"}],
				 "ttlSeconds":600,"session":"grants-minted"}""");
		assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
		String token = JSON.readTree(minted.body()).get("token").asString();
		JsonNode event = Eventually.await(() -> lastEvent((e) -> e.has("admin")
				&& "grants-minted".equals(e.get("admin").path("subject").asString(null))), (found) -> found != null);
		assertThat(event).isNotNull();
		JsonNode grants = event.get("admin").get("grants");
		assertThat(grants.size()).isEqualTo(2);
		assertThat(grants.get(0).get("repo").asString()).isEqualTo("acme/app");
		assertThat(grants.get(0).get("scope").asString()).isEqualTo("fetch push");
		assertThat(grants.get(0).get("branches").get(0).asString()).isEqualTo("claude/*");
		assertThat(grants.get(0).get("tags").get(0).asString()).isEqualTo("agent-v*");
		assertThat(grants.get(1).get("repo").asString()).isEqualTo("group/sub/lib");
		assertThat(event.has("repo")).isFalse();
		assertThat(Files.readString(auditFile)).doesNotContain(token);
	}

	@Test
	void unknownOrRepeatedQueryParametersAreRefused() throws Exception {
		assertThat(error(call("GET", "/admin/v1/audit?sesion=s-1", null, null, ADMIN_TOKEN), 400, "bad_request"))
			.isEqualTo("unknown query parameter 'sesion' (known: session, repo, decision, since, until, reason, before, limit)");
		assertThat(error(call("GET", "/admin/v1/sessions?repo=acme/app", null, null, ADMIN_TOKEN), 400, "bad_request"))
			.isEqualTo("unknown query parameter 'repo' (known: since, until, limit)");
		assertThat(error(call("GET", "/admin/v1/audit/counts?limit=5", null, null, ADMIN_TOKEN), 400, "bad_request"))
			.isEqualTo("unknown query parameter 'limit' (known: session, repo, decision, reason, since, until)");
		assertThat(error(call("GET", "/admin/v1/sessions?limit=0", null, null, ADMIN_TOKEN), 400, "bad_request"))
			.startsWith("'limit' must be a whole number between 1 and ");
		assertThat(error(call("GET", "/admin/v1/audit?session=a&session=b", null, null, ADMIN_TOKEN), 400,
				"bad_request")).isEqualTo("query parameter 'session' is given more than once");
		assertThat(error(call("GET", "/admin/v1/audit?limit=ten", null, null, ADMIN_TOKEN), 400, "bad_request"))
			.isEqualTo("'limit' must be a whole number between 1 and 1000");
		assertThat(error(call("POST", "/admin/v1/tokens?ttl=60", "application/json",
				"{\"repo\":\"acme/app\",\"scope\":\"fetch\"}", ADMIN_TOKEN), 400, "bad_request"))
			.isEqualTo("unknown query parameter 'ttl'; this endpoint takes none");
		assertThat(error(call("POST", "/admin/v1/sessions/s-1/revoke?now=1", null, null, ADMIN_TOKEN), 400,
				"bad_request")).isEqualTo("unknown query parameter 'now'; this endpoint takes none");
		assertThat(call("GET", "/admin/v1/audit?session=s-1&limit=5", null, null, ADMIN_TOKEN).statusCode())
			.isEqualTo(200);
	}

	@Test
	void everyStatusKeepsTheErrorShape() throws Exception {
		// 401, without a token or with a session token
		assertThat(error(call("GET", "/admin/v1/audit", null, null, null), 401, "unauthorized"))
			.contains("Authorization: Bearer");
		assertThat(error(call("GET", "/admin/v1/audit", null, null, Tokens.forRepo("acme/app").sign()), 401,
				"unauthorized")).contains("Authorization: Bearer");
		// 404
		assertThat(error(call("GET", "/admin/v1/nothing", null, null, ADMIN_TOKEN), 404, "not_found"))
			.isEqualTo("no such endpoint");
		assertThat(error(call("POST", "/admin/v1/tokens/extra", "application/json", "{}", ADMIN_TOKEN), 404,
				"not_found")).isEqualTo("no such endpoint");
		// 405, with Allow
		HttpResponse<String> get = call("GET", "/admin/v1/tokens", null, null, ADMIN_TOKEN);
		assertThat(error(get, 405, "method_not_allowed")).isEqualTo("use POST for this endpoint, not GET");
		assertThat(get.headers().firstValue("Allow")).hasValue("POST");
		HttpResponse<String> delete = call("DELETE", "/admin/v1/sessions/s-1/revoke", null, null, ADMIN_TOKEN);
		assertThat(error(delete, 405, "method_not_allowed")).isEqualTo("use POST for this endpoint, not DELETE");
		HttpResponse<String> post = call("POST", "/admin/v1/audit", "application/json", "{}", ADMIN_TOKEN);
		assertThat(error(post, 405, "method_not_allowed")).isEqualTo("use GET for this endpoint, not POST");
		assertThat(post.headers().firstValue("Allow")).hasValue("GET");
		// 415
		assertThat(error(call("POST", "/admin/v1/tokens", "text/plain", "{\"repo\":\"acme/app\",\"scope\":\"fetch\"}",
				ADMIN_TOKEN), 415, "unsupported_media_type"))
			.isEqualTo("send the request body as Content-Type: application/json, not text/plain");
		assertThat(error(call("POST", "/admin/v1/tokens", "application/x-www-form-urlencoded", "repo=acme/app",
				ADMIN_TOKEN), 415, "unsupported_media_type")).startsWith("send the request body as Content-Type: application/json");
		assertThat(error(call("POST", "/admin/v1/tokens", null, "{}", ADMIN_TOKEN), 415, "unsupported_media_type"))
			.isEqualTo("send the request body as Content-Type: application/json");
		// 413
		String huge = "{\"session\":\"" + "x".repeat(AdminInput.MAX_BODY_BYTES) + "\"}";
		assertThat(error(mint(huge), 413, "too_large")).contains("larger than");
		// 503, with Retry-After
		HttpResponse<String> down = call("POST", "/admin/v1/sessions/" + UNSTORABLE + "/revoke", null, null, ADMIN_TOKEN);
		assertThat(error(down, 503, "store_unavailable")).isEqualTo("the revocation store is down");
		assertThat(down.headers().firstValue("Retry-After")).hasValue("5");
		// 500: a bug, with only the request id
		HttpResponse<String> bug = call("POST", "/admin/v1/sessions/" + BUGGY + "/revoke", null, null, ADMIN_TOKEN);
		assertThat(error(bug, 500, "internal_error"))
			.isEqualTo("internal error (request " + bug.headers().firstValue("X-Request-Id").orElseThrow() + ")");
		// JSON whatever the client accepts
		HttpResponse<String> html = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/admin/v1/tokens"))
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.header("Accept", "text/html")
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"repo\":\"acme/app\",\"scope\":\"fetch\",\"x\":1}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(error(html, 400, "bad_request")).startsWith("unknown field 'x'");
		HttpResponse<String> created = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/admin/v1/tokens"))
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.header("Accept", "text/html")
			.header("Content-Type", "application/json; charset=utf-8")
			.POST(HttpRequest.BodyPublishers.ofString("{\"repo\":\"acme/app\",\"scope\":\"fetch\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
	}

	@Test
	void refusedAdminCallsAreRecordedWithTheirReason() throws Exception {
		call("POST", "/admin/v1/tokens", "application/json", "{\"repo\":\"acme/app\",\"scope\":\"fetch\",\"tll\":1}",
				ADMIN_TOKEN);
		JsonNode unknownField = Eventually.await(() -> lastEvent((e) -> e.has("reason")
				&& e.get("reason").get("message").asString().contains("'tll'")), (found) -> found != null);
		assertThat(unknownField).isNotNull();
		assertThat(unknownField.get("reason").get("code").asString()).isEqualTo("malformed-request");
		assertThat(unknownField.get("status").asInt()).isEqualTo(400);
		assertThat(unknownField.get("admin").get("action").asString()).isEqualTo("mint");
		call("PUT", "/admin/v1/tokens", "application/json", "{}", ADMIN_TOKEN);
		JsonNode wrongMethod = Eventually.await(() -> lastEvent((e) -> e.path("status").asInt() == 405
				&& "PUT".equals(e.path("method").asString(null))), (found) -> found != null);
		assertThat(wrongMethod).isNotNull();
		assertThat(wrongMethod.get("reason").get("message").asString()).isEqualTo("request rejected: method PUT not allowed");
	}

	static JsonNode lastEvent(Predicate<JsonNode> filter) throws IOException {
		if (!Files.exists(auditFile)) {
			return null;
		}
		List<JsonNode> events = new ArrayList<>();
		for (String line : AuditLines.read(auditFile)) {
			JsonNode event = JSON.readTree(line);
			if (filter.test(event)) {
				events.add(event);
			}
		}
		return events.isEmpty() ? null : events.get(events.size() - 1);
	}

}
