package io.gitwarden.githubapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.gitwarden.testsupport.ConnectProxy;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GhCli;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GitHub API end to end, as a user of a sandbox would try it: the real {@code gh} CLI (Debian's 2.23)
 * with {@code GH_HOST=git-warden.test} and the session token as {@code GH_ENTERPRISE_TOKEN}, git-warden
 * served over TLS with a certificate made here, a repository cloned and pushed through git-warden with the
 * real git CLI from {@code git http-backend}, and WireMock as GitHub's REST and GraphQL API, stubbed with
 * exactly the calls gh 2.23 makes. A loopback {@code CONNECT} proxy stands in for DNS and port 443.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GhCliIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_api-upstream-token";

	static final String HOST = "git-warden.test";

	static final String REPOSITORY_NODE = "R_kgDOwidget";

	static final String PULL_NODE = "PR_kwDOpr7";

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static GitHttpBackendServer upstream;

	static WireMockServer github;

	static ConnectProxy proxy;

	static Path certificate;

	static Path auditFile;

	static volatile int wardenPort;

	static Path clone;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws Exception {
		scratch = Files.createTempDirectory("warden-gh-it");
		git = new GitCli(scratch.resolve("git-home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		Path bare = repositories.create("acme/widget", 2);
		git.run(bare, "branch", "feature/other", "main").assertSuccess();
		upstream = GitHttpBackendServer.start(repositories.root(), UPSTREAM_TOKEN);
		github = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		github.start();
		stubGitHub();
		certificate = scratch.resolve("tls.crt");
		Path key = scratch.resolve("tls.key");
		Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
				"-subj", "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST, "-keyout", key.toString(), "-out",
				certificate.toString())
			.redirectErrorStream(true)
			.redirectOutput(scratch.resolve("openssl.log").toFile())
			.start();
		assertThat(openssl.waitFor()).isZero();
		proxy = ConnectProxy.start(() -> wardenPort);
		auditFile = scratch.resolve("audit/audit.jsonl");
		registry.add("server.ssl.certificate", () -> "file:" + certificate);
		registry.add("server.ssl.certificate-private-key", () -> "file:" + key);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.upstream.api-url", github::baseUrl);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", auditFile::toString);
	}

	@AfterAll
	static void stop() throws IOException {
		upstream.close();
		github.stop();
		proxy.close();
	}

	@BeforeEach
	void cloneThroughGitWarden() throws IOException {
		wardenPort = this.port;
		if (clone == null) {
			clone = cloneAndCheckout("agent/work", true);
		}
	}

	private Path cloneAndCheckout(String branch, boolean create) throws IOException {
		Path work = Files.createTempDirectory(scratch, "clone");
		gitThroughWarden(work, "clone", "-q", "https://" + HOST + "/acme/widget.git", ".").assertSuccess();
		if (create) {
			git.run(work, "switch", "-q", "-c", branch).assertSuccess();
			Files.writeString(work.resolve("agent.txt"), "agent change\n");
			git.run(work, "add", ".").assertSuccess();
			git.run(work, "commit", "-q", "-m", "Agent change").assertSuccess();
			gitThroughWarden(work, "push", "-q", "-u", "origin", branch).assertSuccess();
		}
		else {
			git.run(work, "switch", "-q", branch).assertSuccess();
		}
		return work;
	}

	private static GitCli.Result gitThroughWarden(Path directory, String... args) {
		String[] all = new String[args.length + 2];
		all[0] = "-c";
		all[1] = "http.extraHeader=Authorization: Bearer " + session();
		System.arraycopy(args, 0, all, 2, args.length);
		return git.run(directory, Map.of("HTTPS_PROXY", proxy.url(), "https_proxy", proxy.url(), "GIT_SSL_CAINFO",
				certificate.toString()), all);
	}

	private static String session() {
		return Tokens.forRepo("acme/widget").claim("scope", "fetch push pr").sign();
	}

	private static GhCli gh() {
		return new GhCli(scratch.resolve("gh-home"),
				Map.of("GH_HOST", HOST, "GH_ENTERPRISE_TOKEN", session(), "HTTPS_PROXY", proxy.url(), "https_proxy",
						proxy.url(), "SSL_CERT_FILE", certificate.toString()));
	}

	@Test
	void ghAuthStatusReportsTheViewer() {
		GhCli.Result status = gh().run(clone, "auth", "status");
		assertThat(status.exitCode()).as(status.output()).isZero();
		assertThat(status.stderr()).contains("Logged in to " + HOST + " as warden-bot (GH_ENTERPRISE_TOKEN)");
		assertThat(proxy.targets()).contains(HOST + ":443");
	}

	@Test
	void prCreateFromTheSessionBranchOpensThePullRequest() throws IOException {
		GhCli.Result created = gh().run(clone, "pr", "create", "--head", "agent/work", "--title", "Agent change",
				"--body", "Done by the agent");
		assertThat(created.exitCode()).as(created.output()).isZero();
		assertThat(created.stdout()).contains("https://github.com/acme/widget/pull/7");
		github.verify(1, postRequestedFor(urlEqualTo("/graphql")).withHeader("Authorization", equalTo("Bearer " + UPSTREAM_TOKEN))
			.withRequestBody(matchingJsonPath("$.variables.input.headRefName", equalTo("agent/work")))
			.withRequestBody(matchingJsonPath("$.variables.input.repositoryId", equalTo(REPOSITORY_NODE))));
		String audit = Eventually.await(() -> Files.readString(auditFile),
				(text) -> text.contains("\"operation\":\"PullRequestCreate\""));
		assertThat(audit).contains("\"operation\":\"api\"")
			.contains("\"fields\":[\"createPullRequest\"]")
			.contains("\"pullRequest\":7")
			.doesNotContain(session());
	}

	@Test
	void prCreateFromAnotherBranchIsRefusedNamingTheSessionBranch() throws IOException {
		Path other = cloneAndCheckout("feature/other", false);
		GhCli.Result created = gh().run(other, "pr", "create", "--title", "Other", "--body", "Not the session's");
		assertThat(created.exitCode()).as(created.output()).isNotZero();
		assertThat(created.stderr()).contains("pull request create failed: HTTP 403: git-warden: this session may open "
				+ "pull requests only from its branch agent/work; push your work to agent/work, then: gh pr create --head agent/work");
		github.verify(0, postRequestedFor(urlEqualTo("/graphql"))
			.withRequestBody(matchingJsonPath("$.variables.input.headRefName", equalTo("feature/other"))));
	}

	@Test
	void prViewListAndComment() {
		GhCli.Result view = gh().run(clone, "pr", "view", "7");
		assertThat(view.exitCode()).as(view.output()).isZero();
		assertThat(view.stdout()).contains("title:\tAgent change").contains("number:\t7");
		GhCli.Result list = gh().run(clone, "pr", "list");
		assertThat(list.exitCode()).as(list.output()).isZero();
		assertThat(list.stdout()).contains("7\tAgent change\tagent/work\tOPEN");
		GhCli.Result comment = gh().run(clone, "pr", "comment", "7", "--body", "CI is green");
		assertThat(comment.exitCode()).as(comment.output()).isZero();
		assertThat(comment.stdout()).contains("https://github.com/acme/widget/pull/7#issuecomment-1");
		// git-warden asked the upstream whose pull request PR_kwDOpr7 is before forwarding the comment
		github.verify(postRequestedFor(urlEqualTo("/graphql")).withRequestBody(containing("nameWithOwner"))
			.withRequestBody(matchingJsonPath("$.variables.id", equalTo(PULL_NODE))));
		github.verify(1, postRequestedFor(urlEqualTo("/graphql"))
			.withRequestBody(matchingJsonPath("$.variables.input.body", equalTo("CI is green"))));
	}

	@Test
	void runListShowsTheWorkflowRuns() {
		GhCli.Result runs = gh().run(clone, "run", "list");
		assertThat(runs.exitCode()).as(runs.output()).isZero();
		assertThat(runs.stdout()).contains("completed\tsuccess\tAgent change\tCI\tagent/work\tpush\t99");
	}

	@Test
	void ghApiReadsTheRepositoryWithUrlsPointingAtGitWarden() {
		GhCli.Result repo = gh().run(clone, "api", "repos/{owner}/{repo}");
		assertThat(repo.exitCode()).as(repo.output()).isZero();
		assertThat(repo.stdout()).contains("\"url\":\"https://" + HOST + "/api/v3/repos/acme/widget\"")
			.contains("\"pulls_url\":\"https://" + HOST + "/api/v3/repos/acme/widget/pulls{/number}\"")
			.doesNotContain(github.baseUrl());
	}

	@Test
	void ghApiPaginateFollowsRewrittenLinks() {
		GhCli.Result pulls = gh().run(clone, "api", "--paginate", "repos/{owner}/{repo}/pulls");
		assertThat(pulls.exitCode()).as(pulls.output()).isZero();
		assertThat(pulls.stdout()).contains("\"number\":7").contains("\"number\":5");
		github.verify(1, getRequestedFor(urlEqualTo("/repos/acme/widget/pulls?per_page=100&page=2")));
	}

	@Test
	void prMergeIsRefusedAndNeverForwarded() {
		GhCli.Result merge = gh().run(clone, "pr", "merge", "7", "--merge");
		assertThat(merge.exitCode()).as(merge.output()).isNotZero();
		assertThat(merge.stderr()).contains("403")
			.contains("git-warden: GraphQL mutation mergePullRequest is not allowed through git-warden; this session "
					+ "may read acme/widget and open, update and comment on pull requests from agent/work in acme/widget");
		github.verify(0, postRequestedFor(urlEqualTo("/graphql")).withRequestBody(containing("mergePullRequest")));
	}

	@Test
	void anotherRepositoryIsRefusedAndNeverForwarded() {
		GhCli.Result other = gh().run(clone, "api", "repos/acme/secret");
		assertThat(other.exitCode()).as(other.output()).isNotZero();
		assertThat(other.stderr()).contains("gh: git-warden: this session may not access acme/secret; this session's "
				+ "token grants acme/widget (HTTP 403)");
		github.verify(0, getRequestedFor(urlPathMatching("/repos/acme/secret.*")));
	}

	@Test
	void graphqlNodeLookupIsRefusedAndNeverForwarded() {
		GhCli.Result node = gh().run(clone, "api", "graphql", "-f", "query=query { node(id: \"R_kgDOsecret\") { id } }");
		assertThat(node.exitCode()).as(node.output()).isNotZero();
		assertThat(node.stderr()).contains("gh: git-warden: GraphQL field node is not allowed through git-warden");
		github.verify(0, postRequestedFor(urlEqualTo("/graphql")).withRequestBody(containing("R_kgDOsecret")));
	}

	@Test
	void anInvalidTokenIsRefusedInGitHubsErrorShape() {
		GhCli invalid = new GhCli(scratch.resolve("gh-home-invalid"), Map.of("GH_HOST", HOST, "GH_ENTERPRISE_TOKEN",
				"not-a-session-token", "HTTPS_PROXY", proxy.url(), "https_proxy", proxy.url(), "SSL_CERT_FILE",
				certificate.toString()));
		GhCli.Result repo = invalid.run(clone, "api", "repos/{owner}/{repo}");
		assertThat(repo.exitCode()).as(repo.output()).isNotZero();
		assertThat(repo.stdout()).contains("\"documentation_url\":");
		assertThat(repo.stderr()).contains("gh: git-warden: session token rejected").contains("(HTTP 401)");
	}

	private static void stubGitHub() {
		String api = github.baseUrl();
		github.stubFor(get("/repos/acme/widget").willReturn(json("{\"id\":4242,\"node_id\":\"" + REPOSITORY_NODE
				+ "\",\"name\":\"widget\",\"full_name\":\"acme/widget\",\"default_branch\":\"main\",\"url\":\"" + api
				+ "/repos/acme/widget\",\"pulls_url\":\"" + api + "/repos/acme/widget/pulls{/number}\"}")));
		graphql("RepositoryInfo", "{\"repository\":{\"id\":\"" + REPOSITORY_NODE + "\",\"name\":\"widget\",\"owner\":"
				+ "{\"login\":\"acme\"},\"hasIssuesEnabled\":true,\"description\":\"\",\"hasWikiEnabled\":false,"
				+ "\"viewerPermission\":\"WRITE\",\"defaultBranchRef\":{\"name\":\"main\"},\"parent\":null,"
				+ "\"mergeCommitAllowed\":true,\"rebaseMergeAllowed\":true,\"squashMergeAllowed\":true}}");
		graphql("PullRequestForBranch", "{\"repository\":{\"pullRequests\":{\"nodes\":[]},\"defaultBranchRef\":{\"name\":\"main\"}}}");
		graphql("PullRequestCreate", "{\"createPullRequest\":{\"pullRequest\":{\"id\":\"" + PULL_NODE
				+ "\",\"url\":\"https://github.com/acme/widget/pull/7\"}}}");
		graphql("UserCurrent", "{\"viewer\":{\"login\":\"warden-bot\"}}");
		graphql("PullRequestByNumber", "{\"repository\":{\"pullRequest\":" + PULL + "}}");
		graphql("PullRequestList", "{\"repository\":{\"pullRequests\":{\"totalCount\":1,\"nodes\":[" + PULL
				+ "],\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":\"\"}}}}");
		graphql("CommentCreate", "{\"addComment\":{\"commentEdge\":{\"node\":{\"url\":"
				+ "\"https://github.com/acme/widget/pull/7#issuecomment-1\"}}}}");
		graphql("PullRequest_fields", "{\"PullRequest\":{\"fields\":[{\"name\":\"id\"},{\"name\":\"mergeStateStatus\"}]}}");
		// git-warden's own check of a pull request node id
		github.stubFor(post("/graphql").withRequestBody(containing("nameWithOwner"))
			.willReturn(json("{\"data\":{\"node\":{\"__typename\":\"PullRequest\",\"number\":7,\"headRefName\":\"agent/work\","
					+ "\"headRepository\":{\"nameWithOwner\":\"acme/widget\"},\"baseRepository\":{\"nameWithOwner\":\"acme/widget\"}}}}")));
		github.stubFor(get("/repos/acme/widget/actions/runs?per_page=20&exclude_pull_requests=true").willReturn(json(
				"{\"total_count\":1,\"workflow_runs\":[{\"id\":99,\"name\":\"CI\",\"display_title\":\"Agent change\","
						+ "\"head_branch\":\"agent/work\",\"head_sha\":\"abc\",\"status\":\"completed\",\"conclusion\":\"success\","
						+ "\"event\":\"push\",\"workflow_id\":5,\"run_number\":3,\"run_attempt\":1,"
						+ "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:01:00Z\","
						+ "\"run_started_at\":\"2026-01-01T00:00:00Z\",\"url\":\"" + api + "/repos/acme/widget/actions/runs/99\","
						+ "\"html_url\":\"https://github.com/acme/widget/actions/runs/99\"}]}")));
		github.stubFor(get("/repos/acme/widget/actions/workflows?per_page=100&page=1").willReturn(json(
				"{\"total_count\":1,\"workflows\":[{\"id\":5,\"name\":\"CI\",\"path\":\".github/workflows/ci.yml\",\"state\":\"active\"}]}")));
		github.stubFor(get("/repos/acme/widget/pulls?per_page=100").willReturn(json("[{\"number\":7,\"url\":\"" + api
				+ "/repos/acme/widget/pulls/7\"}]")
			.withHeader("Link", "<" + api + "/repositories/4242/pulls?per_page=100&page=2>; rel=\"next\", <" + api
					+ "/repositories/4242/pulls?per_page=100&page=2>; rel=\"last\"")));
		github.stubFor(get("/repos/acme/widget/pulls?per_page=100&page=2").willReturn(json("[{\"number\":5,\"url\":\""
				+ api + "/repos/acme/widget/pulls/5\"}]")));
	}

	static final String PULL = "{\"id\":\"" + PULL_NODE + "\",\"number\":7,\"title\":\"Agent change\",\"body\":\"Done\","
			+ "\"url\":\"https://github.com/acme/widget/pull/7\",\"state\":\"OPEN\",\"isDraft\":false,"
			+ "\"headRefName\":\"agent/work\",\"baseRefName\":\"main\",\"headRepositoryOwner\":{\"login\":\"acme\"},"
			+ "\"headRepository\":{\"name\":\"widget\"},\"isCrossRepository\":false,\"author\":{\"login\":\"warden-bot\"},"
			+ "\"createdAt\":\"2026-01-01T00:00:00Z\",\"mergeable\":\"MERGEABLE\",\"additions\":1,\"deletions\":0,"
			+ "\"commits\":{\"totalCount\":1,\"nodes\":[]},\"labels\":{\"nodes\":[]},\"assignees\":{\"nodes\":[]},"
			+ "\"reviewRequests\":{\"nodes\":[]},\"reviews\":{\"nodes\":[]},\"comments\":{\"nodes\":[],\"totalCount\":0},"
			+ "\"projectCards\":{\"nodes\":[]},\"milestone\":null,\"mergeStateStatus\":\"CLEAN\",\"headRefOid\":\"abc\"}";

	private static void graphql(String operation, String data) {
		github.stubFor(post("/graphql").withRequestBody(containing(operation)).willReturn(json("{\"data\":" + data + "}")));
	}

	private static ResponseDefinitionBuilder json(String body) {
		return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody(body);
	}

}
