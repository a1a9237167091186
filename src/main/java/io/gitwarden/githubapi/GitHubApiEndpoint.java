package io.gitwarden.githubapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.auth.SessionAuthenticator;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.exchange.Outcome;
import io.gitwarden.policy.Authorizer;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.TokenPermissions;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.web.BodyException;
import io.gitwarden.web.RequestBodies;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The GitHub API routes, in GitHub Enterprise Server's layout: REST under {@code /api/v3/...}, GraphQL at
 * {@code POST /api/graphql} (both more specific than the git endpoint's {@code /**}). As stages, each
 * returning a value or throwing a {@link Refusal}:
 * <pre>
 * authenticate  the session token (token, Bearer or Basic), verified and not revoked
 * route         RestAllowlist.match / GraphQlDocument.read   deny by default
 * authorize     Authorizer.authorize(session, repo, scope)    fetch for reads, pr for writes
 * check         a write's body and, with the upstream, that its pull request is the session's
 * forward       the upstream credential narrowed to the call, the answer relayed with URLs rewritten
 * record        Outcome with an ApiDetail, attached once at the end
 * </pre>
 * Refusals answer in GitHub's JSON error shape ({@link ApiResponses}); nothing refused is forwarded.
 */
@Controller
class GitHubApiEndpoint {

	private static final Log logger = LogFactory.getLog(GitHubApiEndpoint.class);

	static final String REST_PREFIX = "/api/v3";

	/** Largest request body read (a pull request body is at most 65536 characters on GitHub). */
	static final int MAX_BODY_BYTES = 1024 * 1024;

	/** Redirects to log storage followed at most. */
	static final int MAX_REDIRECTS = 3;

	/** What a GraphQL query may read with a GitHub App token: the repository, read only. */
	static final TokenPermissions READ_ALL = TokenPermissions.of("contents", "read", "metadata", "read",
			"pull_requests", "read", "issues", "read", "checks", "read", "actions", "read", "statuses", "read");

	private static final Pattern QUERY = Pattern.compile("[\\x21-\\x7e]*");

	private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,255}");

	private static final Pattern PULL_URL = Pattern.compile("/pull/([0-9]{1,18})\"");

	private final SessionAuthenticator authenticator;

	private final GitHubApiClient api;

	private final SessionBranches branches;

	private final RequestBodies bodies;

	GitHubApiEndpoint(SessionAuthenticator authenticator, GitHubApiClient api, SessionBranches branches,
			RequestBodies bodies) {
		this.authenticator = authenticator;
		this.api = api;
		this.branches = branches;
		this.bodies = bodies;
	}

	@RequestMapping({ REST_PREFIX, REST_PREFIX + "/**" })
	void rest(HttpServletRequest request, HttpServletResponse response) {
		Call call = new Call(request.getMethod(), restPath(request));
		try {
			requireAvailable();
			SessionToken session = authenticate(request, call);
			serveRest(call, session, request, response);
		}
		catch (IOException | RuntimeException ex) {
			failed(call, ex, request, response);
		}
		finally {
			this.bodies.finish(request, call.session != null);
			call.outcome().attachTo(request);
		}
		call.abortIfBroken();
	}

	@RequestMapping("/api/graphql")
	void graphql(HttpServletRequest request, HttpServletResponse response) {
		Call call = new Call(request.getMethod(), "graphql");
		try {
			requireAvailable();
			if (!call.method.equals("POST")) {
				throw new Refusal(RefusalReason.API_CALL_REFUSED, call.method + " /api/graphql",
						"send GraphQL as POST /api/graphql");
			}
			SessionToken session = authenticate(request, call);
			serveGraphQl(call, session, request, response);
		}
		catch (IOException | RuntimeException ex) {
			failed(call, ex, request, response);
		}
		finally {
			this.bodies.finish(request, call.session != null);
			call.outcome().attachTo(request);
		}
		call.abortIfBroken();
	}

	private void serveRest(Call call, SessionToken session, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		String method = call.method;
		String path = call.path;
		String query = query(request);
		boolean read = method.equals("GET") || method.equals("HEAD");
		if (path.isEmpty() && read) {
			// the API root: gh auth status reads it to check the token; git-warden answers it itself
			byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
			response.setStatus(200);
			response.setContentType("application/json;charset=utf-8");
			response.setContentLength(body.length);
			response.getOutputStream().write(body);
			return;
		}
		if (path.equals("user") && read) {
			// who the upstream credential is (gh asks); nothing of the user's is reachable from here
			Grant first = session.grants().get(0);
			call.endpoint = "user";
			forward(call, request, response, method, "user" + query, first.repository(), RestAllowlist.METADATA, null,
					false, null);
			return;
		}
		RestAllowlist.Match match = RestAllowlist.match(method, path);
		if (match == null) {
			RepositoryId named = RestAllowlist.repositoryOf(path);
			if (named != null) {
				call.repository = named;
				Authorizer.authorize(session, named, Permission.FETCH);
			}
			throw new Refusal(RefusalReason.API_CALL_REFUSED, RestAllowlist.describe(method, path),
					SessionBranches.advice(session));
		}
		RestAllowlist.Rule rule = match.rule();
		call.repository = match.repository();
		call.endpoint = rule.pattern().isEmpty() ? "repository" : rule.pattern();
		Grant grant = Authorizer.authorize(session, match.repository(), rule.scope());
		call.repository = grant.repository();
		byte[] body = read ? null : readBody(request);
		JsonNode json = (body != null) ? object(body) : null;
		switch (rule.check()) {
			case CREATE_PULL -> checkCreate(grant, json, session);
			case UPDATE_PULL -> {
				checkFields(json);
				call.pullRequest = ownPullRequest(grant, match.number());
			}
			case COMMENT_ON_PULL -> call.pullRequest = ownPullRequest(grant, match.number());
			case REVIEW_PULL -> {
				JsonNode event = json.get("event");
				if (event != null && !event.isNull() && !"COMMENT".equals(event.asString())) {
					throw new Refusal(RefusalReason.API_CALL_REFUSED,
							"approving or requesting changes (" + method + " /" + path + ")", "submit a COMMENT review");
				}
				call.pullRequest = ownPullRequest(grant, match.number());
			}
			case NONE, LOG -> {
			}
		}
		ByteArrayOutputStream capture = (rule.check() == RestAllowlist.Check.CREATE_PULL) ? new ByteArrayOutputStream()
				: null;
		forward(call, request, response, method, match.upstreamPath(grant.repository()) + query, grant.repository(),
				rule.permissions(), body, rule.check() == RestAllowlist.Check.LOG, capture);
		if (capture != null && call.upstreamStatus == 201) {
			call.pullRequest = createdNumber(capture);
		}
	}

	private void serveGraphQl(Call call, SessionToken session, HttpServletRequest request,
			HttpServletResponse response) throws IOException {
		byte[] body = readBody(request);
		JsonNode json = object(body);
		JsonNode query = json.get("query");
		JsonNode operationName = json.get("operationName");
		GraphQlDocument document = GraphQlDocument.read((query != null && query.isString()) ? query.stringValue() : null,
				(operationName != null && operationName.isString()) ? operationName.stringValue() : null,
				json.get("variables"), SessionBranches.advice(session));
		call.graphql = document;
		GraphQlTarget target = (document.type() == GraphQlDocument.Type.QUERY) ? authorizeQuery(session, document, call)
				: authorizeMutation(session, document.fields().get(0), call);
		ByteArrayOutputStream capture = target.created ? new ByteArrayOutputStream() : null;
		UpstreamResponse upstream = this.api.graphql(target.repository, target.permissions, request, body);
		try (upstream) {
			call.upstream(upstream);
			new ApiRelay(null, ownBase(request)).relay(upstream, response, capture);
		}
		if (capture != null) {
			Matcher number = PULL_URL.matcher(capture.toString(StandardCharsets.UTF_8));
			if (number.find()) {
				call.pullRequest = Long.parseLong(number.group(1));
			}
		}
	}

	/**
	 * The repository and token permissions of a GraphQL call.
	 *
	 * @param repository the repository the upstream credential is narrowed to
	 * @param permissions the token's permissions
	 * @param created whether it creates a pull request (whose number is recorded)
	 */
	private record GraphQlTarget(RepositoryId repository, TokenPermissions permissions, boolean created) {

	}

	private GraphQlTarget authorizeQuery(SessionToken session, GraphQlDocument document, Call call) {
		RepositoryId repository = null;
		for (GraphQlDocument.TopField field : document.fields()) {
			if (!field.name().equals("repository")) {
				continue;
			}
			String owner = field.text("owner");
			String name = field.text("name");
			if (owner == null || name == null) {
				throw new Refusal(RefusalReason.GRAPHQL_INVALID, "repository needs owner and name",
						GraphQlDocument.MAX_CHARACTERS + " characters");
			}
			RepositoryId named;
			try {
				named = new RepositoryId(owner, name);
			}
			catch (IllegalArgumentException ex) {
				throw new Refusal(RefusalReason.GRAPHQL_REFUSED, "repository " + GitHubApiClient.printable(owner + "/" + name),
						SessionBranches.advice(session));
			}
			if (repository != null && !repository.matches(named)) {
				throw new Refusal(RefusalReason.GRAPHQL_REFUSED, "with more than one repository in a request",
						SessionBranches.advice(session));
			}
			repository = named;
		}
		if (repository == null) {
			return new GraphQlTarget(session.grants().get(0).repository(), RestAllowlist.METADATA, false);
		}
		call.repository = repository;
		Grant grant = Authorizer.authorize(session, repository, Permission.FETCH);
		call.repository = grant.repository();
		return new GraphQlTarget(grant.repository(), READ_ALL, false);
	}

	private GraphQlTarget authorizeMutation(SessionToken session, GraphQlDocument.TopField field, Call call) {
		JsonNode input = field.object("input");
		if (field.name().equals("createPullRequest")) {
			onlyFields(input, List.of("repositoryId", "baseRefName", "headRefName", "headRepositoryId", "title", "body",
					"draft", "maintainerCanModify", "clientMutationId"));
			String repositoryId = text(input, "repositoryId");
			Grant grant = grantForNode(session, repositoryId);
			call.repository = grant.repository();
			String headRepositoryId = text(input, "headRepositoryId");
			if (headRepositoryId != null && !headRepositoryId.equals(repositoryId)) {
				throw new Refusal(RefusalReason.PR_HEAD_NOT_SESSION_BRANCH, SessionBranches.branches(grant),
						SessionBranches.example(grant));
			}
			checkHead(grant, text(input, "headRefName"));
			return new GraphQlTarget(grant.repository(), RestAllowlist.PULLS_WRITE, true);
		}
		String nodeId = text(input, field.name().equals("addComment") ? "subjectId" : "pullRequestId");
		switch (field.name()) {
			case "updatePullRequest" -> onlyFields(input,
					List.of("pullRequestId", "title", "body", "state", "clientMutationId"));
			case "addComment" -> onlyFields(input, List.of("subjectId", "body", "clientMutationId"));
			case "addPullRequestReview" -> {
				String event = text(input, "event");
				if (event != null && !event.equals("COMMENT")) {
					throw new Refusal(RefusalReason.GRAPHQL_REFUSED, "approving or requesting changes", "submit a COMMENT review");
				}
			}
			default -> {
			}
		}
		if (nodeId == null) {
			throw new Refusal(RefusalReason.GRAPHQL_INVALID, field.name() + " names no pull request",
					GraphQlDocument.MAX_CHARACTERS + " characters");
		}
		Owned owned = ownPullRequestByNode(session, nodeId);
		call.repository = owned.grant.repository();
		call.pullRequest = owned.number;
		return new GraphQlTarget(owned.grant.repository(), RestAllowlist.PULLS_WRITE, false);
	}

	/** The grant with scope {@code pr} whose repository has node id {@code repositoryId}. */
	private Grant grantForNode(SessionToken session, String repositoryId) {
		if (repositoryId == null) {
			throw new Refusal(RefusalReason.GRAPHQL_INVALID, "createPullRequest names no repositoryId",
					GraphQlDocument.MAX_CHARACTERS + " characters");
		}
		for (Grant grant : session.grants()) {
			if (grant.has(Permission.PR) && repositoryId.equals(this.api.repository(grant.repository()).nodeId())) {
				return grant;
			}
		}
		for (Grant grant : session.grants()) {
			if (repositoryId.equals(this.api.repository(grant.repository()).nodeId())) {
				throw new Refusal(RefusalReason.SCOPE_MISSING, Permission.PR.scopeName(), grant.repository());
			}
		}
		throw new Refusal(RefusalReason.GRAPHQL_REFUSED,
				"createPullRequest in a repository this session has no grant for", SessionBranches.advice(session));
	}

	/**
	 * A pull request named by node id, checked to be from a session branch of a grant with scope {@code pr}.
	 *
	 * @param grant the grant of its repository
	 * @param number its number
	 */
	private record Owned(Grant grant, long number) {

	}

	private Owned ownPullRequestByNode(SessionToken session, String nodeId) {
		boolean anyPr = false;
		for (Grant grant : session.grants()) {
			if (!grant.has(Permission.PR)) {
				continue;
			}
			anyPr = true;
			GitHubApiClient.PullRequestRef found = this.api.node(grant.repository(), nodeId);
			if (found == null || found.baseRepository() == null) {
				continue;
			}
			if (!grant.repository().path().equalsIgnoreCase(found.baseRepository())) {
				continue;
			}
			checkOwn(grant, found);
			return new Owned(grant, found.number());
		}
		if (!anyPr) {
			Grant first = session.grants().get(0);
			throw new Refusal(RefusalReason.SCOPE_MISSING, Permission.PR.scopeName(), first.repository());
		}
		throw new Refusal(RefusalReason.PULL_REQUEST_NOT_FOUND, GitHubApiClient.printable(nodeId), session.repositories());
	}

	private Long ownPullRequest(Grant grant, Long number) {
		GitHubApiClient.PullRequestRef found = this.api.pullRequest(grant.repository(), number);
		if (found == null) {
			throw new Refusal(RefusalReason.PR_NOT_SESSIONS, number, SessionBranches.branches(grant));
		}
		checkOwn(grant, found);
		return number;
	}

	private void checkOwn(Grant grant, GitHubApiClient.PullRequestRef found) {
		String defaultBranch = this.api.repository(grant.repository()).defaultBranch();
		boolean sameRepository = found.headRepository() != null
				&& found.headRepository().equalsIgnoreCase(grant.repository().path());
		if (!found.pullRequest() || !sameRepository
				|| !this.branches.isSessionBranch(grant, found.headRef(), defaultBranch)) {
			throw new Refusal(RefusalReason.PR_NOT_SESSIONS, found.number(), SessionBranches.branches(grant));
		}
	}

	private void checkCreate(Grant grant, JsonNode json, SessionToken session) {
		if (json.has("issue")) {
			throw new Refusal(RefusalReason.API_CALL_REFUSED, "turning an issue into a pull request",
					SessionBranches.advice(session));
		}
		onlyRestFields(json, List.of("title", "head", "head_repo", "base", "body", "maintainer_can_modify", "draft"));
		String headRepo = text(json, "head_repo");
		if (headRepo != null && !headRepo.equalsIgnoreCase(grant.repository().name())
				&& !headRepo.equalsIgnoreCase(grant.repository().path())) {
			throw new Refusal(RefusalReason.PR_HEAD_NOT_SESSION_BRANCH, SessionBranches.branches(grant),
					SessionBranches.example(grant));
		}
		checkHead(grant, text(json, "head"));
	}

	/** {@code branch} or {@code owner:branch} must be a session branch of the grant's repository. */
	private void checkHead(Grant grant, String head) {
		String branch = head;
		if (head != null && head.indexOf(':') >= 0) {
			String owner = head.substring(0, head.indexOf(':'));
			branch = owner.equalsIgnoreCase(grant.repository().owner()) ? head.substring(head.indexOf(':') + 1) : null;
		}
		String defaultBranch = this.api.repository(grant.repository()).defaultBranch();
		if (!this.branches.isSessionBranch(grant, branch, defaultBranch)) {
			throw new Refusal(RefusalReason.PR_HEAD_NOT_SESSION_BRANCH, SessionBranches.branches(grant),
					SessionBranches.example(grant));
		}
	}

	private static void checkFields(JsonNode json) {
		for (String name : json.propertyNames()) {
			if (!List.of("title", "body", "state", "draft").contains(name)) {
				throw new Refusal(RefusalReason.PR_FIELD_REFUSED, GitHubApiClient.printable(name));
			}
		}
		String state = text(json, "state");
		if (json.has("state") && !"open".equals(state) && !"closed".equals(state)) {
			throw new Refusal(RefusalReason.API_REQUEST_INVALID, "state must be open or closed");
		}
	}

	private static void onlyFields(JsonNode input, List<String> allowed) {
		for (String name : input.propertyNames()) {
			if (!allowed.contains(name)) {
				throw new Refusal(RefusalReason.PR_FIELD_REFUSED, GitHubApiClient.printable(name));
			}
		}
	}

	private static void onlyRestFields(JsonNode json, List<String> allowed) {
		for (String name : json.propertyNames()) {
			if (!allowed.contains(name)) {
				throw new Refusal(RefusalReason.API_REQUEST_INVALID, "unknown field " + GitHubApiClient.printable(name));
			}
		}
	}

	private static String text(JsonNode json, String name) {
		JsonNode value = json.get(name);
		return (value != null && value.isString()) ? value.stringValue() : null;
	}

	/**
	 * Forwards a checked call and relays the answer; a log read that answers with a redirect is followed
	 * here, without any credential, and the log itself is relayed.
	 */
	private void forward(Call call, HttpServletRequest request, HttpServletResponse response, String method,
			String pathAndQuery, RepositoryId repository, TokenPermissions permissions, byte[] body, boolean log,
			ByteArrayOutputStream capture) throws IOException {
		UpstreamResponse upstream = this.api.rest(method, pathAndQuery, repository, permissions, request, body);
		try {
			call.upstream(upstream);
			ApiRelay relay = new ApiRelay(this.api.target().restUrl().toString(), ownBase(request));
			for (int redirects = 0; log && isRedirect(upstream.status()) && upstream.header("Location") != null;
					redirects++) {
				if (redirects == MAX_REDIRECTS) {
					throw new UpstreamRefusal(upstream.status(), upstream.elapsedNanos(), RefusalReason.API_CHECK_FAILED,
							"the log's location", upstream.status());
				}
				URI location = storage(upstream.header("Location"));
				upstream.close();
				upstream = this.api.storage(location);
				call.upstream(upstream);
				relay = new ApiRelay(null, ownBase(request));
			}
			String link = upstream.header("Link");
			if (link != null && link.contains("/repositories/") && call.repository != null) {
				// GitHub's next-page links often name the repository by id: back to its name, which is allowed
				GitHubApiClient.RepositoryInfo info = this.api.repository(call.repository);
				if (info.id() > 0) {
					relay.repository(info.id(), call.repository.path());
				}
			}
			relay.relay(upstream, response, capture);
		}
		finally {
			try {
				upstream.close();
			}
			catch (IOException ignored) {
				// the connection is discarded
			}
		}
	}

	private static boolean isRedirect(int status) {
		return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
	}

	private URI storage(String location) {
		URI uri;
		try {
			uri = URI.create(location.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new Refusal(RefusalReason.API_CHECK_FAILED, "the log's location", "not a URL");
		}
		String scheme = uri.getScheme();
		boolean plainAllowed = "http".equals(this.api.target().restUrl().getScheme());
		if (uri.getHost() == null || !("https".equals(scheme) || (plainAllowed && "http".equals(scheme)))) {
			throw new Refusal(RefusalReason.API_CHECK_FAILED, "the log's location", "not an https URL");
		}
		return uri;
	}

	private void requireAvailable() {
		if (!this.api.target().isAvailable()) {
			throw new Refusal(RefusalReason.API_NOT_IN_DEMO);
		}
	}

	private SessionToken authenticate(HttpServletRequest request, Call call) {
		String token = SessionAuthenticator.extractToken(request.getHeader("Authorization"));
		SessionToken session;
		try {
			session = this.authenticator.verify(token);
		}
		catch (Refusal failed) {
			call.tokenSha256 = JwtTokenVerifier.sha256(token);
			throw failed;
		}
		call.tokenSha256 = session.tokenSha256();
		call.session = session;
		this.authenticator.requireActive(session);
		return session;
	}

	private byte[] readBody(HttpServletRequest request) throws IOException {
		long announced = request.getContentLengthLong();
		if (announced > MAX_BODY_BYTES) {
			throw new Refusal(RefusalReason.REQUEST_TOO_LARGE, "request body larger than " + MAX_BODY_BYTES + " bytes");
		}
		try (InputStream in = this.bodies.open(request, RequestBodies.Kind.REQUEST)) {
			byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
			if (body.length > MAX_BODY_BYTES) {
				throw new Refusal(RefusalReason.REQUEST_TOO_LARGE, "request body larger than " + MAX_BODY_BYTES + " bytes");
			}
			return body;
		}
	}

	private static JsonNode object(byte[] body) {
		JsonNode json;
		try {
			json = JsonMapper.shared().readTree(body);
		}
		catch (JacksonException ex) {
			throw new Refusal(RefusalReason.API_REQUEST_INVALID, "the body is not JSON");
		}
		if (json == null || !json.isObject()) {
			throw new Refusal(RefusalReason.API_REQUEST_INVALID, "the body is not a JSON object");
		}
		return json;
	}

	private static Long createdNumber(ByteArrayOutputStream capture) {
		try {
			JsonNode number = JsonMapper.shared().readTree(capture.toByteArray()).get("number");
			return (number != null && number.canConvertToLong()) ? number.asLong() : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/** The path after {@code /api/v3/}, raw, without the leading slash. */
	private static String restPath(HttpServletRequest request) {
		String uri = request.getRequestURI();
		String path = uri.startsWith(REST_PREFIX) ? uri.substring(REST_PREFIX.length()) : uri;
		return path.startsWith("/") ? path.substring(1) : path;
	}

	private static String query(HttpServletRequest request) {
		String query = request.getQueryString();
		if (query == null || query.isEmpty()) {
			return "";
		}
		if (!QUERY.matcher(query).matches() || query.length() > 2048) {
			throw new Refusal(RefusalReason.API_REQUEST_INVALID, "the query string is not plain URL text");
		}
		return "?" + query;
	}

	/** git-warden's own API base as the client reached it: {@code https://host[:port]/api/v3}. */
	static String ownBase(HttpServletRequest request) {
		String host = request.getHeader("Host");
		if (host == null || !HOST.matcher(host).matches()) {
			int port = request.getServerPort();
			host = request.getServerName() + ((port > 0) ? ":" + port : "");
		}
		return request.getScheme() + "://" + host + REST_PREFIX;
	}

	private static void failed(Call call, Exception ex, HttpServletRequest request, HttpServletResponse response) {
		Refusal refusal;
		if (ex instanceof Refusal known) {
			refusal = known;
		}
		else if (ex instanceof BodyException body) {
			refusal = body.refusal();
		}
		else if (ex instanceof ApiRelay.UpstreamFailure broken) {
			call.broken = true;
			refusal = (broken.reason() == RefusalReason.API_RESPONSE_TOO_LARGE)
					? new Refusal(RefusalReason.API_RESPONSE_TOO_LARGE, ApiRelay.MAX_REWRITTEN_BYTES / (1024 * 1024) + " MiB")
					: new Refusal(RefusalReason.TRANSFER_FAILED);
			logger.info("GitHub API answer cut off: " + broken.getMessage());
		}
		else if (ex instanceof IOException) {
			call.refusal = new Refusal(RefusalReason.TRANSFER_FAILED);
			logger.debug("Client went away during a GitHub API call");
			return;
		}
		else {
			logger.error("GitHub API request failed", ex);
			refusal = new Refusal(RefusalReason.INTERNAL_ERROR, request.getAttribute(ExchangeRecorder.REQUEST_ID_ATTRIBUTE));
		}
		call.refusal = refusal;
		if (refusal.reason() == RefusalReason.API_CALL_REFUSED || refusal.reason() == RefusalReason.GRAPHQL_REFUSED
				|| refusal.reason() == RefusalReason.REPOSITORY_NOT_IN_SCOPE) {
			logger.debug("GitHub API call refused: " + refusal.getMessage());
		}
		try {
			ApiResponses.refuse(response, refusal);
		}
		catch (IOException ignored) {
			logger.debug("Client went away before the refusal was written");
		}
	}

	/** What one API request came to, gathered while it is served and recorded once at the end. */
	private static final class Call {

		final String method;

		final String path;

		SessionToken session;

		String tokenSha256;

		RepositoryId repository;

		String endpoint;

		GraphQlDocument graphql;

		Long pullRequest;

		int upstreamStatus;

		long upstreamNanos;

		Refusal refusal;

		boolean broken;

		Call(String method, String path) {
			this.method = method.toUpperCase(Locale.ROOT);
			this.path = path;
		}

		void upstream(UpstreamResponse response) {
			this.upstreamStatus = response.status();
			this.upstreamNanos += response.elapsedNanos();
		}

		Outcome outcome() {
			int status = this.upstreamStatus;
			long nanos = this.upstreamNanos;
			if (this.refusal instanceof UpstreamRefusal upstream) {
				status = upstream.upstreamStatus();
				nanos += upstream.upstreamNanos();
			}
			String shownPath = GitHubApiClient.printable(this.path.isEmpty() ? "/" : this.path);
			ApiDetail detail = (this.graphql != null)
					? new ApiDetail(this.method, shownPath, null, this.graphql.type().word(), this.graphql.name(),
							this.graphql.fieldNames(), status, this.pullRequest)
					: new ApiDetail(this.method, shownPath, this.endpoint, null, null, null, status, this.pullRequest);
			return new Outcome("api", this.repository, null, this.session, this.tokenSha256,
					(this.refusal != null) ? this.refusal.reason() : null,
					(this.refusal != null) ? this.refusal.getMessage() : null, status, nanos,
					List.<ExchangeDetail>of(detail));
		}

		/** Closes the client's connection when the upstream's answer broke off after it started. */
		void abortIfBroken() {
			if (this.broken) {
				throw new AbortedAnswer();
			}
		}

	}

	/** Thrown out of the handler so that the server closes the connection instead of ending the answer. */
	static final class AbortedAnswer extends RuntimeException {

		private static final long serialVersionUID = 1L;

		AbortedAnswer() {
			super("GitHub API answer cut off", null, false, false);
		}

	}

}
