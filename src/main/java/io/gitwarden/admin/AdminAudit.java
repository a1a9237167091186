package io.gitwarden.admin;

import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.exchange.Outcome;
import io.gitwarden.auth.Grant;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Records every admin API call as an audit event with {@code operation: "admin"} and the action
 * ({@code mint}, {@code revoke}, {@code audit-query}, {@code sessions-query}, {@code audit-counts}; failed logins are recorded by the security chain):
 * who was minted or revoked, what was asked for, and whether it was done. Never the minted token.
 */
final class AdminAudit implements HandlerInterceptor {

	/** Request attribute a handler sets to name what it acted on (a session, a repository). */
	static final String TARGET = AdminAudit.class.getName() + ".target";

	/** Request attribute an exception handler sets with the refusal it answered. */
	static final String REFUSAL = AdminAudit.class.getName() + ".refusal";

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
		String action = (handler instanceof HandlerMethod method) ? action(method.getMethod().getName()) : action(request);
		Refusal refusal = (request.getAttribute(REFUSAL) instanceof Refusal known) ? known : null;
		if (refusal == null && response.getStatus() >= 400) {
			refusal = new Refusal(statusReason(response.getStatus()), "admin API answered HTTP " + response.getStatus());
		}
		attach(request, action, refusal, (Target) request.getAttribute(TARGET));
	}

	private static RefusalReason statusReason(int status) {
		return switch (status) {
			case 404 -> RefusalReason.NOT_A_GIT_ENDPOINT;
			case 503 -> RefusalReason.SERVER_BUSY;
			default -> (status >= 500) ? RefusalReason.INTERNAL_ERROR : RefusalReason.MALFORMED_REQUEST;
		};
	}

	/** The action a handler method performs. */
	private static String action(String method) {
		return switch (method) {
			case "mint" -> "mint";
			case "revoke" -> "revoke";
			case "audit" -> "audit-query";
			case "sessions" -> "sessions-query";
			case "counts" -> "audit-counts";
			default -> "unknown";
		};
	}

	/** The action a request asks for, from its path (for requests refused before a handler). */
	static String action(HttpServletRequest request) {
		String path = request.getRequestURI();
		if (path.startsWith("/admin/v1/tokens")) {
			return "mint";
		}
		if (path.startsWith("/admin/v1/sessions/")) {
			return "revoke";
		}
		if (path.equals("/admin/v1/sessions")) {
			return "sessions-query";
		}
		if (path.startsWith("/admin/v1/audit/counts")) {
			return "audit-counts";
		}
		return path.startsWith("/admin/v1/audit") ? "audit-query" : "unknown";
	}

	static void attach(HttpServletRequest request, String action, Refusal refusal, Target target) {
		String session = (target != null) ? target.session() : pathSession(request);
		List<Grant> grants = (target != null) ? target.grants() : List.of();
		new Outcome("admin", (grants.size() == 1) ? grants.get(0).repository() : null, null, null, null,
				(refusal != null) ? refusal.reason() : null, (refusal != null) ? refusal.getMessage() : null, 0, 0,
				List.of(new AdminDetail(action, session, request.getQueryString(), grants)))
			.attachTo(request);
	}

	@SuppressWarnings("unchecked")
	private static String pathSession(HttpServletRequest request) {
		Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
		return (variables instanceof Map<?, ?> map) ? (String) ((Map<String, String>) map).get("session") : null;
	}

	/**
	 * What an admin call acted on.
	 *
	 * @param session the minted or revoked session, or {@code null}
	 * @param grants what a minted token grants (empty otherwise); the event's {@code repo} when there is one
	 */
	record Target(String session, List<Grant> grants) {

		Target {
			grants = List.copyOf(grants);
		}

	}

	/**
	 * The admin part of an audit event.
	 *
	 * @param action {@code mint}, {@code revoke}, {@code audit-query}, {@code sessions-query},
	 * {@code audit-counts}, {@code unknown}
	 * @param subject the session minted or revoked, or {@code null}
	 * @param query the query string of an audit query, or {@code null}
	 * @param grants what a minted token grants (repository, scope, branch and tag patterns; never the token)
	 */
	record AdminDetail(String action, String subject, String query, List<Grant> grants) implements ExchangeDetail {

		@Override
		public void writeTo(ObjectNode event) {
			ObjectNode admin = event.putObject("admin");
			admin.put("action", this.action);
			if (this.subject != null) {
				admin.put("subject", this.subject);
			}
			if (this.query != null) {
				admin.put("query", this.query);
			}
			if (!this.grants.isEmpty()) {
				ArrayNode list = admin.putArray("grants");
				for (Grant grant : this.grants) {
					ObjectNode entry = list.addObject();
					entry.put("repo", grant.repository().toString());
					entry.put("scope", grant.scope());
					if (!grant.branches().isEmpty()) {
						ArrayNode branches = entry.putArray("branches");
						grant.branches().forEach((pattern) -> branches.add(pattern.text()));
					}
					if (!grant.tags().isEmpty()) {
						ArrayNode tags = entry.putArray("tags");
						grant.tags().forEach((pattern) -> tags.add(pattern.text()));
					}
				}
			}
		}

	}

}
