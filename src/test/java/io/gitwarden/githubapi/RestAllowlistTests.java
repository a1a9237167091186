package io.gitwarden.githubapi;

import io.gitwarden.policy.Permission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RestAllowlistTests {

	@ParameterizedTest
	@CsvSource({ "GET, repos/acme/widget, repository, fetch", "GET, repos/acme/widget/pulls, pulls, fetch",
			"GET, repos/acme/widget/pulls/7/files, pulls/{n}/files, fetch",
			"GET, repos/acme/widget/issues/3/comments, issues/{n}/comments, fetch",
			"GET, repos/acme/widget/branches/agent/work, branches/**, fetch",
			"GET, repos/acme/widget/compare/main...agent/work, compare/**, fetch",
			"GET, repos/acme/widget/contents/src/Main.java, contents/**, fetch",
			"GET, repos/acme/widget/commits/abc123/check-runs, commits/{ref}/check-runs, fetch",
			"GET, repos/acme/widget/commits/abc123/status, commits/{ref}/status, fetch",
			"GET, repos/acme/widget/actions/runs/99/jobs, actions/runs/{n}/jobs, fetch",
			"GET, repos/acme/widget/actions/jobs/555/logs, actions/jobs/{n}/logs, fetch",
			"HEAD, repos/acme/widget/pulls, pulls, fetch", "POST, repos/acme/widget/pulls, pulls, pr",
			"PATCH, repos/acme/widget/pulls/7, pulls/{n}, pr",
			"POST, repos/acme/widget/issues/7/comments, issues/{n}/comments, pr",
			"POST, repos/acme/widget/pulls/7/reviews, pulls/{n}/reviews, pr",
			"POST, repos/acme/widget/pulls/7/comments/12/replies, pulls/{n}/comments/{n}/replies, pr" })
	void allowedCalls(String method, String path, String pattern, String scope) {
		RestAllowlist.Match match = RestAllowlist.match(method, path);
		assertThat(match).isNotNull();
		assertThat(match.rule().pattern().isEmpty() ? "repository" : match.rule().pattern()).isEqualTo(pattern);
		assertThat(match.rule().scope()).isEqualTo(Permission.fromScopeName(scope).orElseThrow());
		assertThat(match.repository().toString()).isEqualTo("acme/widget");
	}

	@ParameterizedTest
	@CsvSource({ "PUT, repos/acme/widget/pulls/7/merge", "POST, repos/acme/widget/actions/workflows/5/dispatches",
			"POST, repos/acme/widget/actions/runs/99/rerun", "GET, repos/acme/widget/actions/secrets",
			"PATCH, repos/acme/widget", "DELETE, repos/acme/widget", "PUT, repos/acme/widget/collaborators/eve",
			"GET, repos/acme/widget/keys", "POST, repos/acme/widget/hooks", "POST, repos/acme/widget/releases",
			"DELETE, repos/acme/widget/git/refs/heads/main", "PUT, repos/acme/widget/contents/README.md",
			"POST, repos/acme/widget/issues", "PATCH, repos/acme/widget/issues/3", "GET, orgs/acme/repos",
			"GET, user/repos", "GET, repos/acme/widget/../other/pulls", "GET, repos/acme/widget/pulls/7%2F..%2F..",
			"GET, repos/acme//widget", "GET, repos/acme/widget/pulls/x7", "GET, repositories/4242/pulls" })
	void refusedCalls(String method, String path) {
		assertThat(RestAllowlist.match(method, path)).isNull();
	}

	@Test
	void refusalsNameWhatWasAsked() {
		assertThat(RestAllowlist.describe("PUT", "repos/acme/widget/pulls/7/merge"))
			.isEqualTo("merging pull requests (PUT /repos/acme/widget/pulls/7/merge)");
		assertThat(RestAllowlist.describe("POST", "repos/acme/widget/actions/workflows/5/dispatches"))
			.isEqualTo("dispatching workflows (POST /repos/acme/widget/actions/workflows/5/dispatches)");
		assertThat(RestAllowlist.describe("DELETE", "repos/acme/widget")).isEqualTo("deleting (DELETE /repos/acme/widget)");
		assertThat(RestAllowlist.describe("GET", "orgs/acme/repos")).isEqualTo("the owner-level endpoint GET /orgs/acme/repos");
		assertThat(RestAllowlist.describe("GET", "repos/acme/widget/actions/secrets"))
			.isEqualTo("secrets (GET /repos/acme/widget/actions/secrets)");
	}

	@Test
	void numbersAreTakenFromThePath() {
		assertThat(RestAllowlist.match("PATCH", "repos/acme/widget/pulls/7").number()).isEqualTo(7L);
		assertThat(RestAllowlist.match("POST", "repos/acme/widget/pulls/7/comments/12/replies").number()).isEqualTo(7L);
		assertThat(RestAllowlist.match("GET", "repos/acme/widget").upstreamPath(io.gitwarden.protocol.RepositoryId.parse("Acme/Widget")))
			.isEqualTo("repos/Acme/Widget");
	}

}
