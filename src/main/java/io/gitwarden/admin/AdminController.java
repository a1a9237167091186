package io.gitwarden.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.audit.AuditFilter;
import io.gitwarden.audit.AuditProperties;
import io.gitwarden.audit.AuditQuery;
import io.gitwarden.audit.AuditStoreUnavailableException;
import io.gitwarden.auth.AuthProperties;
import io.gitwarden.auth.MintRequest;
import io.gitwarden.auth.RevocationStoreUnavailableException;
import io.gitwarden.auth.SessionRevocations;
import io.gitwarden.auth.SessionTokenIssuer;
import io.gitwarden.auth.SessionTokenIssuer.IssuedToken;
import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.refusal.Decision;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The admin API, {@code /admin/v1}: mint session tokens, revoke sessions, query the audit trail and its
 * summaries (sessions, counts).
 * Authenticated by {@link AdminSecurity}, recorded by {@link AdminAudit}; described in {@code docs/admin-api.md} and
 * {@code /openapi/admin-v1.yaml}. Input is read strictly ({@link AdminInput}): unknown fields and query
 * parameters are refused, not ignored. Every error is {@code {"error","message"}} JSON ({@link AdminErrors}).
 * Every other {@code /admin/...} request answers 404, or 405 for a known path asked with another method,
 * here, so it can never reach the git proxy's catch-all mapping.
 */
@RestController
class AdminController {

	private static final Log logger = LogFactory.getLog(AdminController.class);

	static final int DEFAULT_LIMIT = 100;

	static final int MAX_LIMIT = 1000;

	/** The query parameters of {@code GET /admin/v1/audit}. */
	static final List<String> AUDIT_PARAMETERS = List.of("session", "repo", "decision", "since", "until", "reason",
			"before", "limit");

	/** The query parameters of {@code GET /admin/v1/sessions}. */
	static final List<String> SESSIONS_PARAMETERS = List.of("since", "until", "limit");

	/** The query parameters of {@code GET /admin/v1/audit/counts}. */
	static final List<String> COUNTS_PARAMETERS = List.of("session", "repo", "decision", "reason", "since", "until");

	/** Longest time range of a summary ({@code sessions}, {@code audit/counts}). */
	static final Duration MAX_SUMMARY_RANGE = Duration.ofDays(31);

	private static final List<Endpoint> ENDPOINTS = List.of(
			new Endpoint(Pattern.compile("/admin/v1/tokens"), "POST"),
			new Endpoint(Pattern.compile("/admin/v1/sessions/[^/]+/revoke"), "POST"),
			new Endpoint(Pattern.compile("/admin/v1/sessions"), "GET"),
			new Endpoint(Pattern.compile("/admin/v1/audit"), "GET"),
			new Endpoint(Pattern.compile("/admin/v1/audit/counts"), "GET"));

	private final SessionTokenIssuer issuer;

	private final SessionRevocations revocations;

	private final AuditQuery audit;

	private final long auditMaxBytes;

	private final Duration maxTokenLifetime;

	private final int maxPathDepth;

	/**
	 * @param audit the audit query: the shared store's when {@code warden.store.url} is set (its bean is
	 * primary), else this instance's audit files
	 */
	AdminController(SessionTokenIssuer issuer, SessionRevocations revocations, AuditQuery audit,
			AuditProperties auditProperties, AuthProperties auth, UpstreamProperties upstream) {
		this.issuer = issuer;
		this.revocations = revocations;
		this.audit = audit;
		this.auditMaxBytes = auditProperties.queryMaxBytes().toBytes();
		this.maxTokenLifetime = auth.maxTokenLifetime();
		this.maxPathDepth = upstream.maxPathDepth();
	}

	/**
	 * A minted token.
	 *
	 * @param token the compact JWT
	 * @param session its session id
	 * @param expiresAt when it expires (ISO-8601)
	 */
	record TokenResponse(String token, String session, String expiresAt) {

		@Override
		public String toString() {
			return "TokenResponse[session=" + this.session + ", expiresAt=" + this.expiresAt + "]";
		}

	}

	/**
	 * Mints a token for a request in either form: {@code repo}/{@code branch}/{@code scope}, or
	 * {@code grants}; see {@link MintRequest} for the rules, shared with {@code token mint}.
	 */
	@PostMapping("/admin/v1/tokens")
	ResponseEntity<?> mint(HttpServletRequest servletRequest) throws IOException {
		AdminInput.requireQuery(servletRequest, List.of());
		if (!this.issuer.canIssue()) {
			// Verification by public key or JWKS only: the orchestrator signs, git-warden holds no private key.
			return AdminErrors.response(409, "no_signing_key", MintRequest.NO_SIGNING_KEY);
		}
		MintRequest mint = MintRequest.of(AdminInput.tokenFields(AdminInput.readJsonObject(servletRequest)),
				new MintRequest.Limits(this.maxTokenLifetime, this.maxPathDepth, "ttlSeconds"));
		IssuedToken issued = this.issuer.issue(mint);
		servletRequest.setAttribute(AdminAudit.TARGET, new AdminAudit.Target(mint.session(), mint.grants()));
		logger.info("Admin minted a token for session " + mint.session() + " on " + mint.describe() + ", expires "
				+ issued.expiresAt());
		return ResponseEntity.status(HttpStatus.CREATED)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Cache-Control", "no-store")
			.body(new TokenResponse(issued.token(), issued.session(), issued.expiresAt().toString()));
	}

	@PostMapping("/admin/v1/sessions/{session}/revoke")
	ResponseEntity<Void> revoke(@PathVariable String session, HttpServletRequest request) {
		AdminInput.requireQuery(request, List.of());
		if (!MintRequest.isSessionId(session)) {
			throw new BadRequest("not a session id");
		}
		this.revocations.revoke(session); // stored before it returns: 204 means it holds after a restart
		logger.info("Admin revoked session " + session);
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/admin/v1/audit")
	ResponseEntity<?> audit(@RequestParam(required = false) String session,
			@RequestParam(required = false) String repo, @RequestParam(required = false) String decision,
			@RequestParam(required = false) String since, @RequestParam(required = false) String until,
			@RequestParam(required = false) String reason, @RequestParam(required = false) String before,
			@RequestParam(required = false) String limit, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		AdminInput.requireQuery(request, AUDIT_PARAMETERS);
		checkDecision(decision);
		int pageSize = limit(limit, DEFAULT_LIMIT, MAX_LIMIT);
		Instant from = instant("since", since);
		Instant to = instant("until", until);
		if (!this.audit.isReadable()) {
			return notReadable();
		}
		AuditQuery.Page page;
		try {
			page = this.audit.newestFirst(new AuditFilter(session, repo, decision, from, blankToNull(reason), to),
					before, pageSize, this.auditMaxBytes);
		}
		catch (IllegalArgumentException ex) {
			throw new BadRequest("'before' must be a cursor from a previous answer's Link header");
		}
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType("application/json");
		response.setHeader("Cache-Control", "no-store");
		if (page.next() != null) {
			String next = ServletUriComponentsBuilder.fromCurrentRequest()
				.replaceQueryParam("before", page.next())
				.build()
				.toUriString();
			response.setHeader("Link", "<" + next + ">; rel=\"next\"");
		}
		// The events are written as stored: no tree is built, and memory stays within the byte budget.
		OutputStream out = response.getOutputStream();
		out.write('[');
		for (int i = 0; i < page.events().size(); i++) {
			if (i > 0) {
				out.write(',');
			}
			out.write(page.events().get(i));
		}
		out.write(']');
		return null;
	}

	/**
	 * The sessions that made requests in a time range (default: the last 24 hours), most recently active
	 * first, with their request, fetch, push and denial counts.
	 */
	@GetMapping("/admin/v1/sessions")
	ResponseEntity<?> sessions(@RequestParam(required = false) String since,
			@RequestParam(required = false) String until, @RequestParam(required = false) String limit,
			HttpServletRequest request) {
		AdminInput.requireQuery(request, SESSIONS_PARAMETERS);
		int count = limit(limit, DEFAULT_LIMIT, AuditQuery.MAX_SESSIONS);
		Instant to = instant("until", until);
		Instant from = range(instant("since", since), to);
		if (!this.audit.isReadable()) {
			return notReadable();
		}
		AuditQuery.Sessions sessions = this.audit.sessions(from, to, count);
		return ResponseEntity.ok().header("Cache-Control", "no-store").body(AdminViews.sessions(sessions));
	}

	/**
	 * Event counts by decision, operation and refusal code in a time range (default: the last 24 hours),
	 * optionally for one session, repository, decision or reason.
	 */
	@GetMapping("/admin/v1/audit/counts")
	ResponseEntity<?> counts(@RequestParam(required = false) String session,
			@RequestParam(required = false) String repo, @RequestParam(required = false) String decision,
			@RequestParam(required = false) String reason, @RequestParam(required = false) String since,
			@RequestParam(required = false) String until, HttpServletRequest request) {
		AdminInput.requireQuery(request, COUNTS_PARAMETERS);
		checkDecision(decision);
		Instant to = instant("until", until);
		Instant from = range(instant("since", since), to);
		if (!this.audit.isReadable()) {
			return notReadable();
		}
		AuditQuery.Counts counts = this.audit
			.counts(new AuditFilter(session, repo, decision, from, blankToNull(reason), to));
		return ResponseEntity.ok().header("Cache-Control", "no-store").body(AdminViews.counts(counts));
	}

	private static void checkDecision(String decision) {
		if (decision != null && Decision.fromWord(decision) == null) {
			throw new BadRequest("'decision' must be one of allowed, challenged, unauthenticated, denied, failed");
		}
	}

	private static Instant instant(String name, String value) {
		try {
			return (value != null && !value.isBlank()) ? Instant.parse(value) : null;
		}
		catch (DateTimeParseException ex) {
			throw new BadRequest("'" + name + "' must be an ISO-8601 instant, e.g. 2026-01-31T12:00:00Z");
		}
	}

	/** The start of a summary's range: as given, else 24 hours before its end; at most 31 days long. */
	private static Instant range(Instant since, Instant until) {
		Instant end = (until != null) ? until : Instant.now();
		Instant start = (since != null) ? since : end.minus(Duration.ofHours(24));
		if (!start.isBefore(end)) {
			throw new BadRequest("'since' must be before 'until'");
		}
		if (Duration.between(start, end).compareTo(MAX_SUMMARY_RANGE) > 0) {
			throw new BadRequest("a summary covers at most " + MAX_SUMMARY_RANGE.toDays() + " days");
		}
		return start;
	}

	/** A whole number between 1 and {@code max}, or {@code fallback} when absent. */
	private static int limit(String value, int fallback, int max) {
		int limit = fallback;
		if (value != null) {
			try {
				limit = Integer.parseInt(value);
			}
			catch (NumberFormatException ex) {
				limit = 0;
			}
		}
		if (limit < 1 || limit > max) {
			throw new BadRequest("'limit' must be a whole number between 1 and " + max);
		}
		return limit;
	}

	private static String blankToNull(String value) {
		return (value != null && !value.isBlank()) ? value : null;
	}

	private static ResponseEntity<Map<String, String>> notReadable() {
		return AdminErrors.response(501, "audit_not_readable",
				"audit events go to a stream (warden.audit.file); query the log store that collects them");
	}

	/**
	 * Any other request under {@code /admin}, never handed to the git proxy: 405 with {@code Allow} for an
	 * endpoint of the API asked with another method, 404 for anything else.
	 */
	@RequestMapping("/admin/**")
	ResponseEntity<Map<String, String>> notFound(HttpServletRequest request) {
		String path = request.getRequestURI();
		for (Endpoint endpoint : ENDPOINTS) {
			if (endpoint.path().matcher(path).matches()) {
				request.setAttribute(AdminAudit.REFUSAL, new Refusal(RefusalReason.REQUEST_REJECTED,
						"method " + AdminInput.printable(request.getMethod()) + " not allowed"));
				return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
					.contentType(MediaType.APPLICATION_JSON)
					.header("Allow", endpoint.method())
					.header("Cache-Control", "no-store")
					.body(AdminErrors.body("method_not_allowed", "use " + endpoint.method() + " for this endpoint, not "
							+ AdminInput.printable(request.getMethod())));
			}
		}
		return AdminErrors.response(404, "not_found", "no such endpoint");
	}

	@ExceptionHandler({ BadRequest.class, MintRequest.Invalid.class })
	ResponseEntity<Map<String, String>> badRequest(RuntimeException ex, HttpServletRequest request) {
		request.setAttribute(AdminAudit.REFUSAL, new Refusal(RefusalReason.MALFORMED_REQUEST, ex.getMessage()));
		return AdminErrors.response(400, "bad_request", ex.getMessage());
	}

	@ExceptionHandler(AdminInput.Refused.class)
	ResponseEntity<Map<String, String>> refused(AdminInput.Refused ex, HttpServletRequest request) {
		RefusalReason reason = switch (ex.status()) {
			case 413 -> RefusalReason.REQUEST_TOO_LARGE;
			case 415 -> RefusalReason.WRONG_CONTENT_TYPE;
			default -> RefusalReason.MALFORMED_REQUEST;
		};
		request.setAttribute(AdminAudit.REFUSAL, (reason == RefusalReason.WRONG_CONTENT_TYPE)
				? new Refusal(reason, "application/json") : new Refusal(reason, ex.getMessage()));
		return AdminErrors.response(ex.status(), ex.error(), ex.getMessage());
	}

	@ExceptionHandler({ RevocationStoreUnavailableException.class, AuditStoreUnavailableException.class })
	ResponseEntity<Map<String, String>> storeUnavailable(RuntimeException ex, HttpServletRequest request) {
		request.setAttribute(AdminAudit.REFUSAL, new Refusal(RefusalReason.STORE_UNAVAILABLE, ex.getMessage()));
		logger.warn("Admin call failed, store unavailable: " + ex.getMessage()
				+ ((ex.getCause() != null) ? " (" + ex.getCause().getClass().getSimpleName() + ")" : ""));
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Retry-After", "5")
			.header("Cache-Control", "no-store")
			.body(AdminErrors.body("store_unavailable", ex.getMessage()));
	}

	/** A bug, or a client that went away: the JSON shape still, with only the request id as detail. */
	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, String>> failed(Exception ex, HttpServletRequest request, HttpServletResponse response) {
		if (ex instanceof IOException) {
			// the client went away mid-answer (an audit page): nothing more can be said
			logger.debug("Admin call aborted: " + ex.getClass().getSimpleName());
			return null;
		}
		Refusal refusal = new Refusal(RefusalReason.INTERNAL_ERROR,
				request.getAttribute(ExchangeRecorder.REQUEST_ID_ATTRIBUTE));
		request.setAttribute(AdminAudit.REFUSAL, refusal);
		logger.error("Admin call failed", ex);
		if (response.isCommitted()) {
			return null;
		}
		return AdminErrors.response(500, "internal_error", refusal.getMessage());
	}

	/**
	 * An endpoint of the API, for telling a wrong method (405) from an unknown path (404).
	 *
	 * @param path the request path it answers
	 * @param method the one method it takes
	 */
	private record Endpoint(Pattern path, String method) {

	}

	/** A request the API refuses with 400 and the message. */
	static final class BadRequest extends RuntimeException {

		private static final long serialVersionUID = 1L;

		BadRequest(String message) {
			super(message, null, false, false);
		}

	}

}
