package io.gitwarden.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session grants end to end, with the real git CLI through git-warden to {@code git http-backend}: one
 * token granting push on {@code acme/app} ({@code claude/*}, tags {@code agent-v*}) and fetch on
 * {@code acme/lib} clones {@code acme/app} with its {@code acme/lib} submodule and pushes where it may and
 * nowhere else; protected branches stay out of reach whatever a grant names; invalid grant documents are
 * refused with their reason, printed by git.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrantsIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_grants-upstream-token";

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** {@code acme/app}: its {@code .gitmodules} names {@code ../lib.git} (relative). */
	static final String APP = "acme/app";

	/** {@code acme/site}: its {@code .gitmodules} names {@code https://github.com/acme/lib.git}. */
	static final String SITE = "acme/site";

	static final String LIB = "acme/lib";

	static final String OTHER = "acme/other";

	/** {@code acme/tool}: its HEAD is {@code develop}, not {@code main}. */
	static final String TOOL = "acme/tool";

	static Path scratch;

	static Path auditFile;

	static GitCli git;

	static TestRepositories repositories;

	static GitHttpBackendServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-grants-it");
		auditFile = scratch.resolve("audit.jsonl");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		repositories.create(LIB, 2);
		repositories.create(OTHER, 1);
		repositories.create(APP, 2);
		withSubmodule(APP, "../lib.git");
		repositories.create(SITE, 1);
		withSubmodule(SITE, "https://github.com/acme/lib.git");
		repositories.create(TOOL, 1);
		git.run(repositories.bare(TOOL), "branch", "develop", "main").assertSuccess();
		git.run(repositories.bare(TOOL), "symbolic-ref", "HEAD", "refs/heads/develop").assertSuccess();
		upstream = GitHttpBackendServer.start(repositories.root(), UPSTREAM_TOKEN);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", auditFile::toString);
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	/** Adds a submodule {@code lib} at {@code acme/lib}'s main to {@code superproject}'s main, upstream. */
	static void withSubmodule(String superproject, String url) throws IOException {
		Path work = Files.createTempDirectory(scratch, "seed");
		git.run(work, "clone", "-q", repositories.bare(superproject).toString(), ".").assertSuccess();
		Files.writeString(work.resolve(".gitmodules"), "[submodule \"lib\"]\n\tpath = lib\n\turl = " + url + "\n");
		git.run(work, "add", ".gitmodules").assertSuccess();
		git.run(work, "update-index", "--add", "--cacheinfo",
				"160000," + repositories.resolve(LIB, "refs/heads/main") + ",lib").assertSuccess();
		git.run(work, "commit", "-q", "-m", "lib as a submodule").assertSuccess();
		git.run(work, "push", "-q", "origin", "main").assertSuccess();
	}

	/** A token with a {@code grants} claim (and no {@code repo}, {@code branch}, {@code scope}). */
	static String token(String session, Object grants) {
		return Tokens.forRepo("unused/unused").claim("repo", null).claim("branch", null).claim("scope", null)
			.claim("sub", session)
			.claim("grants", grants)
			.sign();
	}

	/** The token of the issue: push on acme/app ({@code claude/*}, tags {@code agent-v*}), fetch on acme/lib. */
	static String appAndLib(String session) {
		return token(session, List.of(
				Map.of("repo", APP, "scope", "fetch push", "branches", List.of("claude/*"), "tags", List.of("agent-v*")),
				Map.of("repo", LIB, "scope", "fetch")));
	}

	String url(String token, String repository) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repository + ".git";
	}

	Path cloneWithSubmodules(String token) throws IOException {
		Path work = Files.createTempDirectory(scratch, "clone");
		git.run(scratch, "clone", "-q", "--recurse-submodules", url(token, APP), work.toString()).assertSuccess();
		return work;
	}

	String commit(Path work, String file) throws IOException {
		Files.writeString(work.resolve(file), "agent change " + UUID.randomUUID() + "\n");
		git.run(work, "add", file).assertSuccess();
		git.run(work, "commit", "-q", "-m", "agent " + file).assertSuccess();
		return git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
	}

	long receivePackPosts() {
		return upstream.seen().stream()
			.filter((seen) -> seen.method().equals("POST") && seen.path().endsWith("/git-receive-pack"))
			.count();
	}

	@Test
	void cloneWithARelativeSubmoduleThenPushOnlyWhereTheGrantSays() throws IOException {
		String session = "grants-" + UUID.randomUUID();
		String token = appAndLib(session);
		Path work = cloneWithSubmodules(token);
		assertThat(work.resolve("lib/file-2.txt")).exists();
		assertThat(git.run(work.resolve("lib"), "rev-parse", "HEAD").assertSuccess().stdout().trim())
			.isEqualTo(repositories.resolve(LIB, "refs/heads/main"));

		// claude/<name>: allowed by claude/*
		String pushed = commit(work, "agent.txt");
		git.run(work, "push", "-q", "origin", "HEAD:claude/a").assertSuccess();
		assertThat(repositories.resolve(APP, "refs/heads/claude/a")).isEqualTo(pushed);

		// claude/<name>/<name>: '*' stays within one segment
		long posts = receivePackPosts();
		GitCli.Result deeper = git.run(work, "push", "origin", "HEAD:claude/deep/y");
		assertThat(deeper.exitCode()).isNotZero();
		assertThat(deeper.stderr())
			.contains("remote: git-warden: this session may push only to refs/heads/claude/*, refs/tags/agent-v*")
			.contains("! [remote rejected] HEAD -> claude/deep/y");
		assertThat(repositories.resolve(APP, "refs/heads/claude/deep/y")).isNull();

		// main: protected
		GitCli.Result main = git.run(work, "push", "origin", "HEAD:main");
		assertThat(main.exitCode()).isNotZero();
		assertThat(main.stderr()).contains("remote: git-warden: refs/heads/main is protected");

		// a tag matching agent-v*: created; moved: refused
		git.run(work, "tag", "agent-v1").assertSuccess();
		git.run(work, "push", "-q", "origin", "agent-v1").assertSuccess();
		assertThat(repositories.resolve(APP, "refs/tags/agent-v1")).isEqualTo(pushed);
		git.run(work, "tag", "-f", "agent-v1", "HEAD~1").assertSuccess();
		GitCli.Result moved = git.run(work, "push", "--force", "origin", "refs/tags/agent-v1");
		assertThat(moved.exitCode()).isNotZero();
		assertThat(moved.stderr()).contains("remote: git-warden: tags may be created, not moved or deleted");
		assertThat(repositories.resolve(APP, "refs/tags/agent-v1")).isEqualTo(pushed);
		// a tag no pattern names
		git.run(work, "tag", "v1.0").assertSuccess();
		GitCli.Result otherTag = git.run(work, "push", "origin", "v1.0");
		assertThat(otherTag.exitCode()).isNotZero();
		assertThat(otherTag.stderr()).contains("this session may not push this tag");
		assertThat(repositories.resolve(APP, "refs/tags/v1.0")).isNull();
		// nothing of a refused push reached the upstream
		assertThat(receivePackPosts()).isEqualTo(posts + 1);

		// acme/lib: fetch only
		commit(work.resolve("lib"), "lib-change.txt");
		GitCli.Result lib = git.run(work.resolve("lib"), "push", "origin", "HEAD:claude/a");
		assertThat(lib.exitCode()).isNotZero();
		assertThat(lib.stderr()).contains("remote: git-warden: this session's token lacks the 'push' scope for acme/lib")
			.contains("403");
		assertThat(repositories.resolve(LIB, "refs/heads/claude/a")).isNull();

		// a third repository: not granted at all
		GitCli.Result other = git.run(scratch, "clone", "-q", url(token, OTHER),
				scratch.resolve("other-" + session).toString());
		assertThat(other.exitCode()).isNotZero();
		assertThat(other.stderr()).contains("remote: git-warden: this session may not access acme/other")
			.contains("remote: git-warden: this session's token grants acme/app, acme/lib")
			.contains("403");

		// the audit names the grant pattern that allowed each update, and why the others were refused
		List<JsonNode> pushes = Eventually.await(() -> events((e) -> session.equals(text(e, "session"))
				&& "push".equals(text(e, "operation"))), (found) -> found.size() >= 6);
		JsonNode allowed = pushes.get(0);
		assertThat(text(allowed, "decision")).isEqualTo("allowed");
		assertThat(text(allowed, "repo")).isEqualTo(APP);
		assertThat(text(allowed.get("updates").get(0), "ref")).isEqualTo("refs/heads/claude/a");
		assertThat(text(allowed.get("updates").get(0), "grant")).isEqualTo("claude/*");
		assertThat(text(allowed.get("updates").get(0), "result")).isEqualTo("ok");
		JsonNode refused = pushes.get(1);
		assertThat(text(refused, "decision")).isEqualTo("denied");
		assertThat(refused.get("updates").get(0).has("grant")).isFalse();
		assertThat(text(refused.get("updates").get(0).get("reason"), "code")).isEqualTo("ref-not-session-branch");
		assertThat(text(pushes.get(2).get("updates").get(0).get("reason"), "code")).isEqualTo("protected-branch");
		assertThat(text(pushes.get(3).get("updates").get(0), "grant")).isEqualTo("agent-v*");
		assertThat(text(pushes.get(4).get("updates").get(0).get("reason"), "code")).isEqualTo("tag-update");
	}

	@Test
	void aDoubleStarGrantReachesDeeperBranches() throws IOException {
		String token = token("grants-deep-" + UUID.randomUUID(), List.of(
				Map.of("repo", APP, "scope", "fetch push", "branches", List.of("claude/**", "release/**"))));
		Path work = Files.createTempDirectory(scratch, "deep");
		git.run(scratch, "clone", "-q", url(token, APP), work.toString()).assertSuccess();
		String pushed = commit(work, "deep.txt");
		git.run(work, "push", "-q", "origin", "HEAD:claude/deeper/y/z").assertSuccess();
		assertThat(repositories.resolve(APP, "refs/heads/claude/deeper/y/z")).isEqualTo(pushed);
		// '**' matches no segment too
		git.run(work, "push", "-q", "origin", "HEAD:release").assertSuccess();
		assertThat(repositories.resolve(APP, "refs/heads/release")).isEqualTo(pushed);
		GitCli.Result elsewhere = git.run(work, "push", "origin", "HEAD:claudette/x");
		assertThat(elsewhere.exitCode()).isNotZero();
		assertThat(elsewhere.stderr()).contains("this session may push only to refs/heads/claude/**, refs/heads/release/**");
	}

	@Test
	void protectedBranchesStayOutOfReachEvenWhenAGrantNamesThem() throws IOException {
		String token = token("grants-protected-" + UUID.randomUUID(), List.of(
				Map.of("repo", APP, "scope", "fetch push", "branches", List.of("main", "master", "claude/*")),
				Map.of("repo", TOOL, "scope", "fetch push", "branches", List.of("develop", "feature/*"))));
		Path work = Files.createTempDirectory(scratch, "protected");
		git.run(scratch, "clone", "-q", url(token, APP), work.toString()).assertSuccess();
		String before = repositories.resolve(APP, "refs/heads/main");
		commit(work, "main.txt");
		for (String branch : List.of("main", "master")) {
			GitCli.Result push = git.run(work, "push", "origin", "HEAD:" + branch);
			assertThat(push.exitCode()).as(branch).isNotZero();
			assertThat(push.stderr()).contains("remote: git-warden: refs/heads/" + branch + " is protected");
		}
		assertThat(repositories.resolve(APP, "refs/heads/main")).isEqualTo(before);
		assertThat(repositories.resolve(APP, "refs/heads/master")).isNull();

		// acme/tool's default branch (its HEAD) is develop: protected as 'HEAD' in protected-branches
		Path tool = Files.createTempDirectory(scratch, "tool");
		git.run(scratch, "clone", "-q", url(token, TOOL), tool.toString()).assertSuccess();
		assertThat(git.run(tool, "rev-parse", "--abbrev-ref", "HEAD").assertSuccess().stdout().trim()).isEqualTo("develop");
		String developBefore = repositories.resolve(TOOL, "refs/heads/develop");
		String pushed = commit(tool, "tool.txt");
		GitCli.Result develop = git.run(tool, "push", "origin", "HEAD:develop");
		assertThat(develop.exitCode()).isNotZero();
		assertThat(develop.stderr()).contains("remote: git-warden: refs/heads/develop is protected");
		assertThat(repositories.resolve(TOOL, "refs/heads/develop")).isEqualTo(developBefore);
		git.run(tool, "push", "-q", "origin", "HEAD:feature/x").assertSuccess();
		assertThat(repositories.resolve(TOOL, "refs/heads/feature/x")).isEqualTo(pushed);
	}

	@Test
	void absoluteGitHubSubmoduleUrlsGoThroughGitWardenWithInsteadOf() throws IOException {
		String token = token("grants-site-" + UUID.randomUUID(), List.of(
				Map.of("repo", SITE, "scope", "fetch"), Map.of("repo", LIB, "scope", "fetch")));
		Path work = Files.createTempDirectory(scratch, "site");
		String warden = "http://127.0.0.1:" + this.port + "/";
		git.run(scratch, "-c", "url." + warden + ".insteadOf=https://github.com/", "-c",
				"http." + warden + ".extraHeader=Authorization: Bearer " + token, "clone", "-q", "--recurse-submodules",
				"https://github.com/" + SITE + ".git", work.toString()).assertSuccess();
		assertThat(work.resolve("lib/file-2.txt")).exists();
		assertThat(git.run(work.resolve("lib"), "rev-parse", "HEAD").assertSuccess().stdout().trim())
			.isEqualTo(repositories.resolve(LIB, "refs/heads/main"));
	}

	@Test
	void aSubmoduleTheTokenDoesNotGrantFailsTheCloneWithTheReason() throws IOException {
		String token = token("grants-nolib-" + UUID.randomUUID(), List.of(
				Map.of("repo", APP, "scope", "fetch push", "branches", List.of("claude/*"))));
		Path work = Files.createTempDirectory(scratch, "nolib");
		GitCli.Result clone = git.run(scratch, "clone", "--recurse-submodules", url(token, APP), work.toString());
		assertThat(clone.exitCode()).isNotZero();
		assertThat(clone.stderr()).contains("remote: git-warden: this session may not access acme/lib");
	}

	static Stream<Arguments> invalidGrants() {
		List<Object> tooMany = new ArrayList<>();
		for (int i = 0; i <= 32; i++) {
			tooMany.add(Map.of("repo", "acme/r" + i, "scope", "fetch"));
		}
		return Stream.of(
				Arguments.of("empty", List.of(), "claim 'grants' is empty"),
				Arguments.of("duplicate repository", List.of(Map.of("repo", APP, "scope", "fetch"),
						Map.of("repo", "ACME/APP", "scope", "fetch push")), "claim 'grants' names ACME/APP twice"),
				Arguments.of("** alone", List.of(Map.of("repo", APP, "scope", "fetch push", "branches", List.of("**"))),
						"claim 'grants[0].branches': pattern '**' must start with a literal name"),
				Arguments.of("..", List.of(Map.of("repo", APP, "scope", "fetch push", "branches",
						List.of("claude/../main"))), "claim 'grants[0].branches': pattern 'claude/../main' contains '..'"),
				Arguments.of("over 32 grants", tooMany, "claim 'grants' has more than 32 entries"),
				Arguments.of("grants not an array", Map.of("repo", APP), "claim 'grants' must be an array of objects"),
				Arguments.of("scope not a string", List.of(Map.of("repo", APP, "scope", 3)),
						"claim 'grants[0].scope' must be a string"),
				Arguments.of("branches not an array", List.of(Map.of("repo", APP, "scope", "push", "branches", "main")),
						"claim 'grants[0].branches' must be an array of strings"),
				Arguments.of("repo not a string", List.of(Map.of("repo", List.of(APP), "scope", "fetch")),
						"claim 'grants[0].repo' must be owner/name"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidGrants")
	void invalidGrantDocumentsAreRefusedWithTheReasonGitPrints(String name, Object grants, String reason)
			throws IOException {
		int before = upstream.requestCount();
		Path work = Files.createTempDirectory(scratch, "invalid");
		GitCli.Result clone = git.run(scratch, "clone", url(token("grants-invalid", grants), APP), work.toString());
		assertThat(clone.exitCode()).isNotZero();
		assertThat(clone.stderr()).contains("remote: git-warden: session token rejected: " + reason)
			.contains("remote: git-warden: ask the orchestrator for a new session token")
			.contains("fatal: Authentication failed");
		assertThat(upstream.requestCount()).isEqualTo(before);
	}

	static List<JsonNode> events(Predicate<JsonNode> filter) throws IOException {
		List<JsonNode> events = new ArrayList<>();
		if (!Files.exists(auditFile)) {
			return events;
		}
		for (String line : AuditLines.read(auditFile)) {
			JsonNode event = JSON.readTree(line);
			if (filter.test(event)) {
				events.add(event);
			}
		}
		return events;
	}

	static String text(JsonNode node, String field) {
		JsonNode value = (node != null) ? node.get(field) : null;
		return (value != null && !value.isNull()) ? value.asString() : null;
	}

}
