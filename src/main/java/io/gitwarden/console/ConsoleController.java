package io.gitwarden.console;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.alerts.AlertProperties;
import io.gitwarden.alerts.SuspiciousSessions;
import io.gitwarden.audit.AuditFilter;
import io.gitwarden.audit.AuditProperties;
import io.gitwarden.audit.AuditQuery;
import io.gitwarden.audit.AuditStoreUnavailableException;
import io.gitwarden.auth.MintRequest;
import io.gitwarden.auth.Revocation;
import io.gitwarden.auth.RevocationStoreUnavailableException;
import io.gitwarden.auth.SessionRevocations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The console's pages ({@code /console/...}): sessions, one session's timeline (and its revocation), denials,
 * the audit chain status, and live updates by server-sent events. Server-rendered with Thymeleaf; the pages
 * read the same audit query as the admin API (the shared store's when configured) and revoke through the same
 * {@link SessionRevocations}.
 */
@Controller
@Conditional(ConsoleEnabled.class)
class ConsoleController {

	private static final Log logger = LogFactory.getLog(ConsoleController.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Most events on one page of a timeline or of the denials. */
	static final int PAGE = 200;

	private static final Resource CSS = new ClassPathResource("console/console.css");

	private static final Resource JS = new ClassPathResource("console/console.js");

	private final AuditQuery audit;

	private final SessionRevocations revocations;

	private final ConsoleProperties properties;

	private final ConsoleFeed feed;

	private final ChainStatus chain;

	private final ObjectProvider<SuspiciousSessions> suspicious;

	private final int denialsThreshold;

	private final long maxBytes;

	ConsoleController(AuditQuery audit, SessionRevocations revocations, ConsoleProperties properties,
			ConsoleFeed feed, ChainStatus chain, ObjectProvider<SuspiciousSessions> suspicious,
			AlertProperties alerts, AuditProperties auditProperties) {
		this.audit = audit;
		this.revocations = revocations;
		this.properties = properties;
		this.feed = feed;
		this.chain = chain;
		this.suspicious = suspicious;
		this.denialsThreshold = alerts.denialsThreshold();
		this.maxBytes = auditProperties.queryMaxBytes().toBytes();
	}

	/**
	 * A row of the sessions page.
	 *
	 * @param summary what the session did
	 * @param active its last request is recent
	 * @param suspicious it passed the denial threshold
	 * @param revoked it was revoked
	 */
	record SessionRow(AuditQuery.SessionSummary summary, boolean active, boolean suspicious, boolean revoked) {

	}

	@GetMapping({ "/console", "/console/" })
	String home() {
		return "redirect:/console/sessions";
	}

	@GetMapping("/console/login")
	String login() {
		return "console/login";
	}

	@GetMapping("/console/sessions")
	String sessions(Model model) {
		Instant now = Instant.now();
		Instant since = now.minus(this.properties.recent());
		AuditQuery.Sessions sessions = this.audit.sessions(since, now, AuditQuery.MAX_SESSIONS);
		Set<String> revoked = revoked();
		SuspiciousSessions recentAlerts = this.suspicious.getIfAvailable(() -> (session) -> false);
		List<SessionRow> rows = new ArrayList<>();
		for (AuditQuery.SessionSummary summary : sessions.sessions()) {
			boolean active = summary.lastSeen().isAfter(now.minus(this.properties.active()));
			boolean flagged = summary.denials() > this.denialsThreshold || recentAlerts.isSuspicious(summary.session());
			rows.add(new SessionRow(summary, active, flagged, revoked.contains(summary.session())));
		}
		model.addAttribute("rows", rows);
		model.addAttribute("since", since);
		model.addAttribute("complete", sessions.complete());
		model.addAttribute("threshold", this.denialsThreshold);
		model.addAttribute("page", "sessions");
		model.addAttribute("live", "/console/events");
		return "console/sessions";
	}

	@GetMapping("/console/sessions/{session}")
	String session(@PathVariable String session, @RequestParam(required = false) String before, Model model,
			HttpServletRequest request) {
		checkSession(session);
		ConsoleDetail.attach(request, "view", session, null);
		AuditQuery.Page page = page(new AuditFilter(session, null, null, null), before);
		List<EventView> events = views(page);
		model.addAttribute("sessionId", session);
		model.addAttribute("events", events);
		model.addAttribute("next", (page.next() != null) ? "/console/sessions/" + session + "?before=" + page.next() : null);
		model.addAttribute("revoked", revoked().contains(session));
		model.addAttribute("suspicious", this.suspicious.getIfAvailable(() -> (s) -> false).isSuspicious(session));
		model.addAttribute("page", "sessions");
		model.addAttribute("live", UriComponentsBuilder.fromPath("/console/events").queryParam("session", session)
			.encode().build().toUriString());
		return "console/session";
	}

	@GetMapping("/console/sessions/{session}/revoke")
	String confirmRevoke(@PathVariable String session, Model model, HttpServletRequest request) {
		checkSession(session);
		ConsoleDetail.attach(request, "view", session, null);
		model.addAttribute("sessionId", session);
		model.addAttribute("page", "sessions");
		return "console/revoke";
	}

	@PostMapping("/console/sessions/{session}/revoke")
	String revoke(@PathVariable String session, Model model, HttpServletRequest request) {
		checkSession(session);
		try {
			this.revocations.revoke(session); // the same revocation as POST /admin/v1/sessions/{session}/revoke
		}
		catch (RevocationStoreUnavailableException ex) {
			ConsoleDetail.attach(request, "revoke", session,
					new io.gitwarden.refusal.Refusal(io.gitwarden.refusal.RefusalReason.STORE_UNAVAILABLE,
							ex.getMessage()));
			model.addAttribute("sessionId", session);
			model.addAttribute("error", "Not revoked: " + ex.getMessage() + ". Try again.");
			model.addAttribute("page", "sessions");
			return "console/revoke";
		}
		ConsoleDetail.attach(request, "revoke", session, null);
		logger.info("Console revoked session " + session);
		return "redirect:" + UriComponentsBuilder.fromPath("/console/sessions/{session}")
			.queryParam("revoked")
			.buildAndExpand(session)
			.encode()
			.toUriString();
	}

	@GetMapping("/console/denials")
	String denials(@RequestParam(required = false) String reason, @RequestParam(required = false) String repo,
			@RequestParam(required = false) String since, @RequestParam(required = false) String until,
			@RequestParam(required = false) String before, Model model) {
		Instant to = time("until", until);
		Instant end = (to != null) ? to : Instant.now();
		Instant from = time("since", since);
		if (from == null) {
			from = end.minus(this.properties.recent());
		}
		if (Duration.between(from, end).compareTo(Duration.ofDays(31)) > 0 || !from.isBefore(end)) {
			throw new BadFilter("'since' must be before 'until', at most 31 days apart");
		}
		String reasonFilter = blankToNull(reason);
		String repoFilter = blankToNull(repo);
		AuditFilter filter = new AuditFilter(null, repoFilter, "denied", from, reasonFilter, to);
		AuditQuery.Page page = page(filter, before);
		AuditQuery.Counts counts = this.audit.counts(new AuditFilter(null, repoFilter, "denied", from, null, end));
		model.addAttribute("events", views(page));
		model.addAttribute("reasons", new TreeSet<>(counts.byReason().keySet()));
		model.addAttribute("counts", counts);
		model.addAttribute("reason", reasonFilter);
		model.addAttribute("repo", repoFilter);
		model.addAttribute("since", local(from));
		model.addAttribute("until", (to != null) ? local(to) : null);
		model.addAttribute("next", (page.next() != null) ? UriComponentsBuilder.fromPath("/console/denials")
			.queryParamIfPresent("reason", java.util.Optional.ofNullable(reasonFilter))
			.queryParamIfPresent("repo", java.util.Optional.ofNullable(repoFilter))
			.queryParam("since", from.toString())
			.queryParamIfPresent("until", java.util.Optional.ofNullable(to).map(Instant::toString))
			.queryParam("before", page.next())
			.encode()
			.toUriString() : null);
		model.addAttribute("page", "denials");
		model.addAttribute("live", UriComponentsBuilder.fromPath("/console/events")
			.queryParam("decision", "denied")
			.queryParamIfPresent("reason", java.util.Optional.ofNullable(reasonFilter))
			.queryParamIfPresent("repo", java.util.Optional.ofNullable(repoFilter))
			.encode()
			.toUriString());
		return "console/denials";
	}

	@GetMapping("/console/chain")
	String chain(Model model) {
		this.chain.refreshIfStale();
		model.addAttribute("result", this.chain.last());
		model.addAttribute("running", this.chain.isRunning());
		model.addAttribute("page", "chain");
		return "console/chain";
	}

	@PostMapping("/console/chain/verify")
	String verifyChain(HttpServletRequest request) {
		ConsoleDetail.attach(request, "verify-chain", null, null);
		this.chain.refresh();
		return "redirect:/console/chain";
	}

	/** Server-sent events: each new audit event this instance records that matches the page's filter. */
	@GetMapping(path = "/console/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	ResponseEntity<SseEmitter> events(@RequestParam(required = false) String session,
			@RequestParam(required = false) String repo, @RequestParam(required = false) String decision,
			@RequestParam(required = false) String reason, HttpServletRequest request) {
		ConsoleDetail.attach(request, "live", blankToNull(session), null);
		SseEmitter emitter = this.feed.follow(new ConsoleFeed.PageFilter(blankToNull(session), blankToNull(repo),
				blankToNull(decision), blankToNull(reason)));
		if (emitter == null) {
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
		}
		return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(emitter);
	}

	@GetMapping("/console/console.css")
	ResponseEntity<Resource> css() {
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("text/css"))
			.cacheControl(CacheControl.maxAge(Duration.ofHours(1)))
			.body(CSS);
	}

	@GetMapping("/console/console.js")
	ResponseEntity<Resource> js() {
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("text/javascript"))
			.cacheControl(CacheControl.maxAge(Duration.ofHours(1)))
			.body(JS);
	}

	@ExceptionHandler(AuditStoreUnavailableException.class)
	@ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
	String storeUnavailable(AuditStoreUnavailableException ex, Model model) {
		model.addAttribute("message", ex.getMessage());
		return "console/problem";
	}

	@ExceptionHandler(UnsupportedOperationException.class)
	@ResponseStatus(HttpStatus.NOT_IMPLEMENTED)
	String notReadable(Model model) {
		model.addAttribute("message", "Audit events go to a stream (warden.audit.file) and cannot be read back; "
				+ "query the log store that collects them.");
		return "console/problem";
	}

	@ExceptionHandler(BadFilter.class)
	@ResponseStatus(HttpStatus.BAD_REQUEST)
	String badFilter(BadFilter ex, Model model, HttpServletResponse response) {
		model.addAttribute("message", ex.getMessage());
		return "console/problem";
	}

	private AuditQuery.Page page(AuditFilter filter, String before) {
		try {
			return this.audit.newestFirst(filter, blankToNull(before), PAGE, this.maxBytes);
		}
		catch (IllegalArgumentException ex) {
			throw new BadFilter("not a cursor of the audit trail");
		}
	}

	private static List<EventView> views(AuditQuery.Page page) {
		List<EventView> views = new ArrayList<>(page.events().size());
		for (byte[] event : page.events()) {
			try {
				views.add(EventView.of(JSON.readTree(event)));
			}
			catch (RuntimeException ex) {
				// a damaged line: the chain page reports it
			}
		}
		return views;
	}

	private Set<String> revoked() {
		Set<String> sessions = new HashSet<>();
		for (Revocation revocation : this.revocations.snapshot().revocations()) {
			sessions.add(revocation.session());
		}
		return sessions;
	}

	private static void checkSession(String session) {
		if (!MintRequest.isSessionId(session)) {
			throw new BadFilter("not a session id");
		}
	}

	/** An instant ({@code 2026-05-04T09:00:00Z}) or a form's local date and time, read as UTC. */
	static Instant time(String name, String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Instant.parse(value.strip());
		}
		catch (DateTimeParseException ex) {
			try {
				return LocalDateTime.parse(value.strip()).toInstant(ZoneOffset.UTC);
			}
			catch (DateTimeParseException notLocal) {
				throw new BadFilter("'" + name + "' must be a date and time, e.g. 2026-01-31T12:00 (UTC)");
			}
		}
	}

	/** The value of a {@code datetime-local} field, in UTC. */
	static String local(Instant time) {
		return LocalDateTime.ofInstant(time, ZoneOffset.UTC).withNano(0).toString();
	}

	private static String blankToNull(String value) {
		return (value != null && !value.isBlank()) ? value.strip() : null;
	}

	/** A filter or path the console refuses with 400. */
	static final class BadFilter extends RuntimeException {

		private static final long serialVersionUID = 1L;

		BadFilter(String message) {
			super(message, null, false, false);
		}

	}

}
