package io.gitwarden.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A GitLab-like git host: another user name with its token ({@code oauth2}), and repositories in nested
 * namespaces ({@code group/subgroup/project}). git http-backend behind a check of {@code Basic oauth2:<token>},
 * and git-warden with {@code warden.upstream.username=oauth2} and {@code warden.upstream.max-path-depth=3}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UpstreamUsernameIntegrationTests {

	static final String UPSTREAM_TOKEN = "glpat-upstream-token";

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static GitHttpBackendServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-username-it");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		upstream = GitHttpBackendServer.start(repositories.root(), "oauth2", UPSTREAM_TOKEN);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.upstream.username", () -> "oauth2");
		registry.add("warden.upstream.max-path-depth", () -> "3");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Test
	void clonesAndPushesWithTheConfiguredUserName() throws IOException {
		repositories.create("group/project", 1);
		String url = "http://x:" + Tokens.forRepo("group/project").sign() + "@127.0.0.1:" + this.port
				+ "/group/project.git";
		Path work = scratch.resolve("work");
		git.run(scratch, "clone", "-q", url, work.toString()).assertSuccess();
		git.run(work, "switch", "-q", "-c", "agent/work").assertSuccess();
		Files.writeString(work.resolve("change.txt"), "change\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-qm", "change").assertSuccess();
		git.run(work, "push", "-q", "origin", "agent/work").assertSuccess();
		String pushed = git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
		assertThat(repositories.resolve("group/project", "refs/heads/agent/work")).isEqualTo(pushed);
	}

	@Test
	void nestedNamespacesUpToTheConfiguredDepth() throws IOException {
		String repo = "group/subgroup/project";
		repositories.create(repo, 1);
		Path work = scratch.resolve("nested");
		git.run(scratch, "clone", "-q", url(Tokens.forRepo(repo).sign(), repo), work.toString()).assertSuccess();
		git.run(work, "switch", "-q", "-c", "agent/work").assertSuccess();
		Files.writeString(work.resolve("nested.txt"), "change\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-qm", "change").assertSuccess();
		git.run(work, "push", "-q", "origin", "agent/work").assertSuccess();
		String pushed = git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
		assertThat(repositories.resolve(repo, "refs/heads/agent/work")).isEqualTo(pushed);
		// the grant is for the full path: a shorter or other path of the same group is another repository
		repositories.create("group/subgroup", 1);
		GitCli.Result parent = git.run(scratch, "clone", "-q", url(Tokens.forRepo(repo).sign(), "group/subgroup"),
				scratch.resolve("parent").toString());
		assertThat(parent.exitCode()).isNotZero();
		assertThat(parent.stderr()).contains("remote: git-warden: this session may not access group/subgroup");
	}

	@Test
	void pathsDeeperThanMaxPathDepthAreRefused() throws IOException {
		String deep = "group/subgroup/team/project";
		repositories.create(deep, 1);
		int before = upstream.requestCount();
		// in the URL: not a repository path git-warden serves
		GitCli.Result url = git.run(scratch, "clone", "-q", url(Tokens.forRepo("group/subgroup/project").sign(), deep),
				scratch.resolve("deep-url").toString());
		assertThat(url.exitCode()).isNotZero();
		assertThat(url.stderr()).contains("remote: git-warden: not a git smart-HTTP endpoint").contains("not found");
		// in the token: refused whatever the URL
		GitCli.Result claim = git.run(scratch, "clone", "-q", url(Tokens.forRepo(deep).sign(), "group/subgroup/project"),
				scratch.resolve("deep-claim").toString());
		assertThat(claim.exitCode()).isNotZero();
		assertThat(claim.stderr()).contains(
				"remote: git-warden: session token rejected: claim 'repo' has more than 3 path segments "
						+ "(warden.upstream.max-path-depth)")
			.contains("fatal: Authentication failed");
		// empty segments, encoded dots and encoded slashes are not repository paths at any depth
		for (String path : new String[] { "group//project", "group/%2E%2E/project", "group/%2F/project",
				"group%2Fsubgroup/project" }) {
			GitCli.Result odd = git.run(scratch, "ls-remote", url(Tokens.forRepo("group/subgroup/project").sign(), path));
			assertThat(odd.exitCode()).as(path).isNotZero();
			assertThat(odd.stderr()).as(path).containsAnyOf("not found", "returned error: 400");
		}
		assertThat(upstream.requestCount()).isEqualTo(before);
	}

	String url(String token, String repository) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repository + ".git";
	}

	@Test
	void basicCredentialCarriesTheUserName() {
		String expected = "Basic " + Base64.getEncoder().encodeToString("oauth2:t".getBytes(StandardCharsets.UTF_8));
		assertThat(StaticTokenCredentials.basic("oauth2", "t")).isEqualTo(expected);
		assertThat(new StaticTokenCredentials("x-token-auth", "t").authorization(null, null))
			.isEqualTo("Basic eC10b2tlbi1hdXRoOnQ=");
		assertThat(new StaticTokenCredentials("t").authorization(null, null)).isEqualTo("Basic eC1hY2Nlc3MtdG9rZW46dA==");
	}

}
