package io.gitwarden.proxy;

import java.time.Instant;
import java.util.List;

import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.policy.RefusalReason;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.protocol.GitService;

/**
 * Everything known about one git request once it has been answered: who, what, the decision and what
 * was relayed. Handed to every {@link GitExchangeListener} exactly once, whatever happened (refusal,
 * upstream failure, client disconnect, exception).
 *
 * @param requestId id of this request (also sent back as {@code X-Request-Id})
 * @param time when the request arrived
 * @param client remote address
 * @param userAgent the client's {@code User-Agent}, or {@code null}
 * @param route the smart-HTTP endpoint, or {@code null} when the path was not one
 * @param session the verified session, or {@code null} when unauthenticated
 * @param tokenSha256 hex SHA-256 of the presented token (even when it did not verify), or {@code null}
 * @param decision allowed, denied or unauthenticated
 * @param reason the refusal reason when not allowed, or {@code null}
 * @param reasonMessage the refusal message when not allowed, or {@code null}
 * @param refs per-ref verdicts of a push (empty otherwise)
 * @param upstreamResults per-ref results from the upstream's own report-status, when the push was
 * forwarded (empty otherwise)
 * @param status HTTP status sent to the client
 * @param upstreamStatus HTTP status of the upstream, or 0 when it was not contacted
 * @param bytesIn request body bytes read from the client
 * @param bytesOut response body bytes written to the client
 * @param durationNanos time to answer
 * @param upstreamNanos time spent on the upstream call, or 0
 */
public record GitExchange(String requestId, Instant time, String client, String userAgent, GitRoute route,
		SessionToken session, String tokenSha256, Decision decision, RefusalReason reason, String reasonMessage,
		List<RefVerdict> refs, List<RefResult> upstreamResults, int status, int upstreamStatus, long bytesIn,
		long bytesOut, long durationNanos, long upstreamNanos) {

	/** The outcome of a request. */
	public enum Decision {

		/** Forwarded to the upstream. */
		ALLOWED,
		/** Refused by git-warden (scope, repository, push policy, malformed input) or failed upstream. */
		DENIED,
		/** No valid session token. */
		UNAUTHENTICATED

	}

	/**
	 * One ref's result as the upstream reported it.
	 *
	 * @param ref the ref name
	 * @param ok whether the upstream accepted it
	 * @param reason the upstream's reason when it did not
	 */
	public record RefResult(String ref, boolean ok, String reason) {

	}

	/** {@code advertise}, {@code fetch} or {@code push}; {@code null} when the route is unknown. */
	public String operation() {
		if (this.route == null) {
			return null;
		}
		if (this.route.endpoint() == GitRoute.Endpoint.ADVERTISEMENT) {
			return "advertise";
		}
		return (this.route.service() == GitService.RECEIVE_PACK) ? "push" : "fetch";
	}

}
