package io.gitwarden.githubapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.TokenPermissions;

/**
 * The REST calls git-warden forwards, deny by default. Each {@link Rule} names a method, a path under
 * {@code repos/{owner}/{repo}} ({@code {n}} a number, {@code {ref}} one path segment, {@code **} the rest of
 * the path), the session scope it needs on that repository, the GitHub App permissions of the upstream
 * token, and the check a write must pass before it is forwarded. Anything else (merging, workflow
 * dispatch and re-runs, secrets, settings, collaborators, deploy keys, webhooks, releases, deleting, any
 * owner-level endpoint but {@code GET /user}) is refused with a message that names what was asked.
 */
final class RestAllowlist {

	/** What a call must pass besides its scope. */
	enum Check {

		/** Nothing more. */
		NONE,

		/** A read whose answer is a redirect to log storage, which git-warden follows itself. */
		LOG,

		/** {@code POST pulls}: {@code head} must be a session branch. */
		CREATE_PULL,

		/** {@code PATCH pulls/{n}}: only title, body, state, draft; the pull request must be the session's. */
		UPDATE_PULL,

		/** A comment on {@code {n}}, which must be a pull request from a session branch. */
		COMMENT_ON_PULL,

		/** A review of {@code {n}} (a comment review only), which must be the session's pull request. */
		REVIEW_PULL

	}

	/**
	 * One allowed call.
	 *
	 * @param method the HTTP method
	 * @param pattern the path after {@code repos/{owner}/{repo}/} ({@code ""} for the repository itself)
	 * @param scope the session scope needed on the repository
	 * @param permissions the GitHub App permissions the upstream token is narrowed to
	 * @param check what a write must pass
	 */
	record Rule(String method, String pattern, Permission scope, TokenPermissions permissions, Check check) {

	}

	/**
	 * A call that matched a rule.
	 *
	 * @param rule the rule
	 * @param repository the repository of the URL
	 * @param number the first {@code {n}} of the path (the pull request or issue), or {@code null}
	 * @param rest the path after {@code repos/{owner}/{repo}} (raw, {@code ""} or starting with {@code /})
	 */
	record Match(Rule rule, RepositoryId repository, Long number, String rest) {

		/** The upstream path for the grant's spelling of the repository. */
		String upstreamPath(RepositoryId granted) {
			return "repos/" + granted.path() + this.rest;
		}

	}

	static final TokenPermissions CODE = TokenPermissions.of("contents", "read", "metadata", "read");

	static final TokenPermissions PULLS_READ = TokenPermissions.of("pull_requests", "read", "metadata", "read");

	static final TokenPermissions PULLS_WRITE = TokenPermissions.of("pull_requests", "write", "contents", "read",
			"metadata", "read");

	static final TokenPermissions ISSUES_READ = TokenPermissions.of("issues", "read", "metadata", "read");

	static final TokenPermissions CHECKS = TokenPermissions.of("checks", "read", "metadata", "read");

	static final TokenPermissions STATUSES = TokenPermissions.of("statuses", "read", "metadata", "read");

	static final TokenPermissions ACTIONS = TokenPermissions.of("actions", "read", "metadata", "read");

	static final TokenPermissions METADATA = TokenPermissions.of("metadata", "read");

	static final List<Rule> RULES = List.of(
			// the repository, its code and history
			read("", CODE), read("branches", CODE), read("branches/**", CODE), read("commits", CODE),
			read("commits/{ref}", CODE), read("compare/**", CODE), read("contents", CODE), read("contents/**", CODE),
			read("readme", CODE), read("readme/**", CODE),
			// pull requests and their files, commits, reviews and comments
			read("pulls", PULLS_READ), read("pulls/{n}", PULLS_READ), read("pulls/{n}/files", PULLS_READ),
			read("pulls/{n}/commits", PULLS_READ), read("pulls/{n}/reviews", PULLS_READ),
			read("pulls/{n}/reviews/{n}", PULLS_READ), read("pulls/{n}/reviews/{n}/comments", PULLS_READ),
			read("pulls/{n}/comments", PULLS_READ), read("pulls/{n}/requested_reviewers", PULLS_READ),
			read("pulls/comments", PULLS_READ), read("pulls/comments/{n}", PULLS_READ),
			read("commits/{ref}/pulls", PULLS_READ),
			// issues and their comments
			read("issues", ISSUES_READ), read("issues/{n}", ISSUES_READ), read("issues/{n}/comments", ISSUES_READ),
			read("issues/{n}/events", ISSUES_READ), read("issues/{n}/timeline", ISSUES_READ),
			read("issues/{n}/labels", ISSUES_READ), read("issues/comments", ISSUES_READ),
			read("issues/comments/{n}", ISSUES_READ),
			// check runs and suites, commit statuses
			read("commits/{ref}/check-runs", CHECKS), read("commits/{ref}/check-suites", CHECKS),
			read("check-runs/{n}", CHECKS), read("check-runs/{n}/annotations", CHECKS), read("check-suites/{n}", CHECKS),
			read("check-suites/{n}/check-runs", CHECKS), read("commits/{ref}/status", STATUSES),
			read("commits/{ref}/statuses", STATUSES), read("statuses/{ref}", STATUSES),
			// Actions: workflows, runs, jobs, logs (read only: no dispatch, re-run, cancel)
			read("actions/workflows", ACTIONS), read("actions/workflows/{ref}", ACTIONS),
			read("actions/workflows/{ref}/runs", ACTIONS), read("actions/runs", ACTIONS), read("actions/runs/{n}", ACTIONS),
			read("actions/runs/{n}/jobs", ACTIONS), read("actions/runs/{n}/attempts/{n}", ACTIONS),
			read("actions/runs/{n}/attempts/{n}/jobs", ACTIONS), read("actions/runs/{n}/artifacts", ACTIONS),
			read("actions/jobs/{n}", ACTIONS),
			new Rule("GET", "actions/runs/{n}/logs", Permission.FETCH, ACTIONS, Check.LOG),
			new Rule("GET", "actions/runs/{n}/attempts/{n}/logs", Permission.FETCH, ACTIONS, Check.LOG),
			new Rule("GET", "actions/jobs/{n}/logs", Permission.FETCH, ACTIONS, Check.LOG),
			// writes: the session's pull requests only
			new Rule("POST", "pulls", Permission.PR, PULLS_WRITE, Check.CREATE_PULL),
			new Rule("PATCH", "pulls/{n}", Permission.PR, PULLS_WRITE, Check.UPDATE_PULL),
			new Rule("POST", "issues/{n}/comments", Permission.PR, PULLS_WRITE, Check.COMMENT_ON_PULL),
			new Rule("POST", "pulls/{n}/comments", Permission.PR, PULLS_WRITE, Check.COMMENT_ON_PULL),
			new Rule("POST", "pulls/{n}/comments/{n}/replies", Permission.PR, PULLS_WRITE, Check.COMMENT_ON_PULL),
			new Rule("POST", "pulls/{n}/reviews", Permission.PR, PULLS_WRITE, Check.REVIEW_PULL));

	/** Path segments as GitHub's clients send them: unreserved, sub-delimiters, {@code :@} and escapes. */
	private static final Pattern SEGMENT = Pattern.compile("(?:[A-Za-z0-9._~!$&'()*+,=:@-]|%[0-9A-Fa-f]{2})+");

	private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");

	/** Words in a refused path that name what was asked, for the message; the first that matches wins. */
	private static final List<String[]> DESCRIPTIONS = List.of(new String[] { "/merge", "merging pull requests" },
			new String[] { "/dispatches", "dispatching workflows" }, new String[] { "/rerun", "re-running workflows" },
			new String[] { "/cancel", "cancelling workflow runs" }, new String[] { "/secrets", "secrets" },
			new String[] { "/variables", "Actions variables" }, new String[] { "/hooks", "webhooks" },
			new String[] { "/keys", "deploy keys" }, new String[] { "/collaborators", "collaborators" },
			new String[] { "/releases", "releases" }, new String[] { "/environments", "environments" },
			new String[] { "/branches/", "branch settings" }, new String[] { "/git/", "writing git data" },
			new String[] { "/contents", "writing files" });

	private RestAllowlist() {
	}

	private static Rule read(String pattern, TokenPermissions permissions) {
		return new Rule("GET", pattern, Permission.FETCH, permissions, Check.NONE);
	}

	/**
	 * @param method the HTTP method
	 * @param path the raw request path after {@code /api/v3/}, without the query
	 * @return the matching rule with the repository of the URL
	 * @throws Refusal {@link RefusalReason#API_CALL_REFUSED} when nothing matches (the advice is filled by the
	 * caller, who knows the session)
	 */
	static Match match(String method, String path) {
		List<String> segments = segments(path);
		if (segments == null || segments.size() < 3 || !segments.get(0).equals("repos")) {
			return null;
		}
		RepositoryId repository;
		try {
			repository = new RepositoryId(segments.get(1), segments.get(2));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		List<String> rest = segments.subList(3, segments.size());
		String head = (method.equals("HEAD")) ? "GET" : method;
		for (Rule rule : RULES) {
			if (!rule.method().equals(head)) {
				continue;
			}
			Long number = matches(rule.pattern(), rest);
			if (number != null) {
				return new Match(rule, repository, (number >= 0) ? number : null,
						rest.isEmpty() ? "" : "/" + String.join("/", rest));
			}
		}
		return null;
	}

	/** The repository a {@code repos/{owner}/{repo}/...} path names, or {@code null}. */
	static RepositoryId repositoryOf(String path) {
		List<String> segments = segments(path);
		if (segments == null || segments.size() < 3 || !segments.get(0).equals("repos")) {
			return null;
		}
		try {
			return new RepositoryId(segments.get(1), segments.get(2));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * -1 when {@code rest} matches {@code pattern} without a number, the first number when it matches with
	 * one, {@code null} when it does not match.
	 */
	private static Long matches(String pattern, List<String> rest) {
		String[] parts = pattern.isEmpty() ? new String[0] : pattern.split("/");
		Long number = -1L;
		int i = 0;
		for (; i < parts.length; i++) {
			String part = parts[i];
			if (part.equals("**")) {
				return (rest.size() > i) ? number : null;
			}
			if (i >= rest.size()) {
				return null;
			}
			String segment = rest.get(i);
			if (part.equals("{n}")) {
				if (!NUMBER.matcher(segment).matches()) {
					return null;
				}
				if (number < 0) {
					number = Long.parseLong(segment);
				}
			}
			else if (!part.equals("{ref}") && !part.equals(segment)) {
				return null;
			}
		}
		return (i == rest.size()) ? number : null;
	}

	/**
	 * The segments of a raw path, or {@code null} when it has empty, {@code .} or {@code ..} segments,
	 * characters outside a URL path, or escaped slashes, backslashes or dots.
	 */
	static List<String> segments(String path) {
		if (path.isEmpty()) {
			return List.of();
		}
		String lower = path.toLowerCase(Locale.ROOT);
		if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00")) {
			return null;
		}
		List<String> segments = new ArrayList<>();
		for (String segment : path.split("/", -1)) {
			if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
				return null;
			}
			segments.add(segment);
		}
		return segments;
	}

	/** What a refused call asked for, for its message: {@code merging pull requests (PUT /repos/...)}. */
	static String describe(String method, String path) {
		String shown = "/" + printable(path);
		String call = method + " " + shown;
		if (method.equals("DELETE")) {
			return "deleting (" + call + ")";
		}
		if (!path.startsWith("repos/")) {
			return "the owner-level endpoint " + call;
		}
		for (String[] description : DESCRIPTIONS) {
			if (shown.contains(description[0]) && !(description[0].equals("/contents") && method.equals("GET"))) {
				return description[1] + " (" + call + ")";
			}
		}
		return call;
	}

	private static String printable(String text) {
		String cut = (text.length() > 120) ? text.substring(0, 120) + "..." : text;
		return cut.replaceAll("[^\\x21-\\x7e]", "?").replace('"', '?');
	}

}
