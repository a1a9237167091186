package io.gitwarden.githubapi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.ForwardRequest;
import io.gitwarden.upstream.TokenPermissions;
import io.gitwarden.upstream.UpstreamClient;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The GitHub API side: builds the upstream request for a call (an allow-list of the client's headers, the
 * upstream credential narrowed to what the call needs instead of the session token, never
 * {@code Accept-Encoding}, so that git-warden can rewrite URLs in the answer), and makes the small calls
 * git-warden needs to check a write first: a repository's node id and default branch (cached), and the head
 * branch of a pull request, by number or by node id.
 */
@Component
class GitHubApiClient {

	/** Client headers passed to the GitHub API; everything else (cookies, the session token) is dropped. */
	static final List<String> REQUEST_HEADERS = List.of("Accept", "X-GitHub-Api-Version", "If-None-Match",
			"If-Modified-Since", "User-Agent", "GraphQL-Features", "Time-Zone");

	/** Largest answer of a check git-warden reads itself. */
	static final int MAX_LOOKUP_BYTES = 1024 * 1024;

	private static final String API_VERSION = "2022-11-28";

	private static final String NODE_QUERY = "query($id: ID!) { node(id: $id) { __typename "
			+ "... on PullRequest { number headRefName headRepository { nameWithOwner } baseRepository { nameWithOwner } } "
			+ "... on Issue { number repository { nameWithOwner } } } }";

	private final GitHubApiTarget target;

	private final UpstreamClient client;

	private final Cache<String, RepositoryInfo> repositories = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterWrite(Duration.ofMinutes(10))
		.build();

	GitHubApiClient(GitHubApiTarget target, UpstreamClient client) {
		this.target = target;
		this.client = client;
	}

	GitHubApiTarget target() {
		return this.target;
	}

	/**
	 * A repository as git-warden checks writes against it.
	 *
	 * @param id its numeric id, or 0
	 * @param nodeId its GraphQL node id
	 * @param defaultBranch its default branch, or {@code null}
	 */
	record RepositoryInfo(long id, String nodeId, String defaultBranch) {

	}

	/**
	 * A pull request (or an issue) as git-warden checks writes against it.
	 *
	 * @param number its number
	 * @param pullRequest false for an issue
	 * @param headRef the head branch, or {@code null}
	 * @param headRepository the head repository, or {@code null} (deleted fork)
	 * @param baseRepository the repository it belongs to
	 */
	record PullRequestRef(long number, boolean pullRequest, String headRef, String headRepository,
			String baseRepository) {

	}

	/**
	 * Opens a REST call.
	 * @param method the method
	 * @param pathAndQuery the path after the API base, without a leading slash, with the raw query
	 * @param repository the repository the credential is narrowed to
	 */
	UpstreamResponse rest(String method, String pathAndQuery, RepositoryId repository, TokenPermissions permissions,
			HttpServletRequest request, byte[] body) {
		URI uri = URI.create(this.target.restUrl() + "/" + pathAndQuery);
		return this.client.exchange(new ForwardRequest(method, uri, headers(request, repository, permissions, body),
				body(body)));
	}

	/** Opens a GraphQL call with the client's body. */
	UpstreamResponse graphql(RepositoryId repository, TokenPermissions permissions, HttpServletRequest request,
			byte[] body) {
		return this.client.exchange(new ForwardRequest("POST", this.target.graphqlUrl(),
				headers(request, repository, permissions, body), body(body)));
	}

	/** Follows a redirect to log storage: a plain GET, without any credential. */
	UpstreamResponse storage(URI location) {
		return this.client.exchange(new ForwardRequest("GET", location, Map.of("User-Agent", "git-warden"), null));
	}

	private Map<String, String> headers(HttpServletRequest request, RepositoryId repository,
			TokenPermissions permissions, byte[] body) {
		Map<String, String> headers = new LinkedHashMap<>();
		for (String name : REQUEST_HEADERS) {
			String value = request.getHeader(name);
			if (value != null && value.chars().allMatch((c) -> c >= 0x20 && c < 0x7f)) {
				headers.put(name, value);
			}
		}
		if (body != null) {
			headers.put("Content-Type", "application/json");
		}
		headers.put("Authorization", this.target.credentials().apiAuthorization(repository, permissions));
		return headers;
	}

	private static ForwardRequest.Body body(byte[] body) {
		if (body == null) {
			return null;
		}
		return ForwardRequest.Body.of(body);
	}

	/** The repository's node id and default branch, cached for ten minutes. */
	RepositoryInfo repository(RepositoryId repository) {
		RepositoryInfo cached = this.repositories.getIfPresent(repository.canonical());
		if (cached != null) {
			return cached;
		}
		JsonNode json = lookup("GET", "repos/" + repository.path(), repository, RestAllowlist.CODE, null,
				"repository " + repository);
		if (json == null || !json.path("node_id").isString()) {
			throw new Refusal(RefusalReason.API_CHECK_FAILED, "repository " + repository, 404);
		}
		RepositoryInfo info = new RepositoryInfo(json.path("id").asLong(0), json.path("node_id").stringValue(),
				json.path("default_branch").isString() ? json.path("default_branch").stringValue() : null);
		this.repositories.put(repository.canonical(), info);
		return info;
	}

	/** Pull request {@code number} of {@code repository}; {@code null} when there is none (an issue, say). */
	PullRequestRef pullRequest(RepositoryId repository, long number) {
		JsonNode json = lookup("GET", "repos/" + repository.path() + "/pulls/" + number, repository,
				RestAllowlist.PULLS_READ, null, "pull request #" + number);
		if (json == null) {
			return null;
		}
		JsonNode head = json.path("head");
		return new PullRequestRef(number, true, text(head.path("ref")), text(head.path("repo").path("full_name")),
				text(json.path("base").path("repo").path("full_name")));
	}

	/**
	 * The pull request or issue with a node id, seen with a credential narrowed to {@code repository}; {@code null}
	 * when that credential finds none.
	 */
	PullRequestRef node(RepositoryId repository, String nodeId) {
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("query", NODE_QUERY);
		request.put("variables", Map.of("id", nodeId));
		byte[] body = JsonMapper.shared().writeValueAsBytes(request);
		JsonNode json = lookup("POST", null, repository, RestAllowlist.PULLS_READ, body, "node " + printable(nodeId));
		JsonNode node = (json != null) ? json.path("data").path("node") : null;
		if (node == null || !node.isObject()) {
			return null;
		}
		String type = text(node.path("__typename"));
		if ("PullRequest".equals(type)) {
			return new PullRequestRef(node.path("number").asLong(), true, text(node.path("headRefName")),
					text(node.path("headRepository").path("nameWithOwner")),
					text(node.path("baseRepository").path("nameWithOwner")));
		}
		if ("Issue".equals(type)) {
			return new PullRequestRef(node.path("number").asLong(), false, null, null,
					text(node.path("repository").path("nameWithOwner")));
		}
		return null;
	}

	/** A check call: its JSON, {@code null} on 404, a refusal on anything else. */
	private JsonNode lookup(String method, String path, RepositoryId repository, TokenPermissions permissions,
			byte[] body, String what) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Accept", "application/vnd.github+json");
		headers.put("X-GitHub-Api-Version", API_VERSION);
		headers.put("User-Agent", "git-warden");
		if (body != null) {
			headers.put("Content-Type", "application/json");
		}
		headers.put("Authorization", this.target.credentials().apiAuthorization(repository, permissions));
		URI uri = (path != null) ? URI.create(this.target.restUrl() + "/" + path) : this.target.graphqlUrl();
		try (UpstreamResponse response = this.client.exchange(new ForwardRequest(method, uri, headers, body(body)))) {
			int status = response.status();
			if (status == 404) {
				return null;
			}
			if (status != 200) {
				throw new UpstreamRefusal(status, response.elapsedNanos(), RefusalReason.API_CHECK_FAILED, what, status);
			}
			try (InputStream in = response.body()) {
				byte[] bytes = in.readNBytes(MAX_LOOKUP_BYTES + 1);
				if (bytes.length > MAX_LOOKUP_BYTES) {
					throw new Refusal(RefusalReason.API_RESPONSE_TOO_LARGE, MAX_LOOKUP_BYTES + " bytes");
				}
				return JsonMapper.shared().readTree(bytes);
			}
		}
		catch (IOException | JacksonException ex) {
			throw new Refusal(RefusalReason.API_CHECK_FAILED, what, "no valid answer");
		}
	}

	private static String text(JsonNode node) {
		return node.isString() ? node.stringValue() : null;
	}

	static String printable(String text) {
		String cut = (text.length() > 80) ? text.substring(0, 80) + "..." : text;
		return cut.replaceAll("[^\\x21-\\x7e]", "?").replace('"', '?');
	}

}
