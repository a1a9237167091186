package io.gitwarden.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import io.gitwarden.refusal.Decision;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The admin API, {@code /admin/v1}: mint session tokens, revoke sessions, query the audit trail and its
 * summaries (sessions, counts).
 * Authenticated by {@link AdminSecurity}, recorded by {@link AdminAudit}; described in {@code docs/admin-api.md} and
 * {@code /openapi/admin-v1.yaml}. Every other {@code /admin/...} path answers 404 here, so it can never
 * reach the git proxy's catch-all mapping.
 */
@RestController
class AdminController {

	private static final Log logger = LogFactory.getLog(AdminController.class);

	static final int DEFAULT_LIMIT = 100;

	static final int MAX_LIMIT = 1000;

	/** Longest time range of a summary ({@code sessions}, {@code audit/counts}). */
	static final Duration MAX_SUMMARY_RANGE = Duration.ofDays(31);


	private final SessionTokenIssuer issuer;

	private final SessionRevocations revocations;

	private final AuditQuery audit;

	private final long auditMaxBytes;

	private final Duration maxTokenLifetime;

	/**
	 * @param audit the audit query: the shared store's when {@code warden.store.url} is set (its bean is
	 * primary), else this instance's audit files
	 */
	AdminController(SessionTokenIssuer issuer, SessionRevocations revocations, AuditQuery audit,
			AuditProperties auditProperties, AuthProperties auth) {
		this.issuer = issuer;
		this.revocations = revocations;
		this.audit = audit;
		this.auditMaxBytes = auditProperties.queryMaxBytes().toBytes();
		this.maxTokenLifetime = auth.maxTokenLifetime();
	}

	/**
	 * A token request.
	 *
	 * @param repo {@code owner/name}
	 * @param branch the branch short name the session may push to; required with the {@code push} scope
	 * @param scope space-separated scope words ({@code fetch}, {@code push})
	 * @param ttlSeconds lifetime (default 3600, at most {@code warden.auth.max-token-lifetime})
	 * @param session the session id ({@code sub}); a random one when absent
	 * @see MintRequest the rules, shared with {@code token mint}
	 */
	record TokenRequest(String repo, String branch, String scope, Long ttlSeconds, String session) {

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

	@PostMapping("/admin/v1/tokens")
	ResponseEntity<?> mint(@RequestBody TokenRequest request, HttpServletRequest servletRequest) {
		if (!this.issuer.canIssue()) {
			// Verification by public key or JWKS only: the orchestrator signs, git-warden holds no private key.
			return ResponseEntity.status(HttpStatus.CONFLICT)
				.body(AdminErrors.body("no_signing_key", MintRequest.NO_SIGNING_KEY));
		}
		MintRequest mint = MintRequest.of(request.repo(), request.branch(), request.scope(),
				(request.ttlSeconds() != null) ? Duration.ofSeconds(request.ttlSeconds()) : null, "ttlSeconds",
				request.session(), this.maxTokenLifetime);
		IssuedToken issued = this.issuer.issue(mint);
		servletRequest.setAttribute(AdminAudit.TARGET, new AdminAudit.Target(mint.session(), mint.repository()));
		logger.info("Admin minted a token for session " + mint.session() + " on " + mint.repository() + " ("
				+ mint.scope() + ", expires " + issued.expiresAt() + ")");
		return ResponseEntity.status(HttpStatus.CREATED)
			.header("Cache-Control", "no-store")
			.body(new TokenResponse(issued.token(), issued.session(), issued.expiresAt().toString()));
	}

	@PostMapping("/admin/v1/sessions/{session}/revoke")
	ResponseEntity<Void> revoke(@PathVariable String session) {
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
			@RequestParam(defaultValue = "100") int limit, HttpServletResponse response) throws IOException {
		checkDecision(decision);
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new BadRequest("'limit' must be between 1 and " + MAX_LIMIT);
		}
		Instant from = instant("since", since);
		Instant to = instant("until", until);
		if (!this.audit.isReadable()) {
			return notReadable();
		}
		AuditQuery.Page page;
		try {
			page = this.audit.newestFirst(new AuditFilter(session, repo, decision, from, blankToNull(reason), to),
					before, limit, this.auditMaxBytes);
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
			@RequestParam(required = false) String until, @RequestParam(defaultValue = "100") int limit) {
		if (limit < 1 || limit > AuditQuery.MAX_SESSIONS) {
			throw new BadRequest("'limit' must be between 1 and " + AuditQuery.MAX_SESSIONS);
		}
		Instant to = instant("until", until);
		Instant from = range(instant("since", since), to);
		if (!this.audit.isReadable()) {
			return notReadable();
		}
		AuditQuery.Sessions sessions = this.audit.sessions(from, to, limit);
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
			@RequestParam(required = false) String until) {
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

	private static String blankToNull(String value) {
		return (value != null && !value.isBlank()) ? value : null;
	}

	private static ResponseEntity<Map<String, String>> notReadable() {
		return ResponseEntity.status(HttpStatus.NOT_IMPLEMENTED)
			.body(AdminErrors.body("audit_not_readable",
					"audit events go to a stream (warden.audit.file); query the log store that collects them"));
	}

	/** Any other path under {@code /admin}: never handed to the git proxy. */
	@RequestMapping("/admin/**")
	ResponseEntity<Map<String, String>> notFound() {
		return ResponseEntity.status(HttpStatus.NOT_FOUND).body(AdminErrors.body("not_found", "no such endpoint"));
	}

	@ExceptionHandler({ BadRequest.class, MintRequest.Invalid.class })
	ResponseEntity<Map<String, String>> badRequest(RuntimeException ex, HttpServletRequest request) {
		request.setAttribute(AdminAudit.REFUSAL, new Refusal(RefusalReason.MALFORMED_REQUEST, ex.getMessage()));
		return ResponseEntity.badRequest().body(AdminErrors.body("bad_request", ex.getMessage()));
	}

	@ExceptionHandler({ RevocationStoreUnavailableException.class, AuditStoreUnavailableException.class })
	ResponseEntity<Map<String, String>> storeUnavailable(RuntimeException ex, HttpServletRequest request) {
		request.setAttribute(AdminAudit.REFUSAL, new Refusal(RefusalReason.STORE_UNAVAILABLE, ex.getMessage()));
		logger.warn("Admin call failed, store unavailable: " + ex.getMessage()
				+ ((ex.getCause() != null) ? " (" + ex.getCause().getClass().getSimpleName() + ")" : ""));
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header("Retry-After", "5")
			.body(AdminErrors.body("store_unavailable", ex.getMessage()));
	}

	@ExceptionHandler({ HttpMessageNotReadableException.class, MethodArgumentTypeMismatchException.class })
	ResponseEntity<Map<String, String>> unreadable(Exception ex, HttpServletRequest request) {
		request.setAttribute(AdminAudit.REFUSAL,
				new Refusal(RefusalReason.MALFORMED_REQUEST, "request is not valid JSON of the expected shape"));
		return ResponseEntity.badRequest().body(AdminErrors.body("bad_request", "request is not valid JSON of the expected shape"));
	}

	/** A request the API refuses with 400 and the message. */
	static final class BadRequest extends RuntimeException {

		private static final long serialVersionUID = 1L;

		BadRequest(String message) {
			super(message, null, false, false);
		}

	}

}
