package io.gitwarden.exchange;

import java.time.Instant;

import io.gitwarden.refusal.Decision;

/**
 * Everything known about one request once it has been answered: what the server saw (who, what,
 * status, bytes, time) and what the handler concluded ({@link Outcome}). Built once, after the
 * response, by {@link ExchangeRecorder}, and handed to every {@link ExchangeListener} exactly once,
 * whatever happened (refusal, upstream failure, client disconnect, exception, a request Tomcat or the
 * firewall rejected before any handler ran).
 *
 * @param requestId id of this request (also sent back as {@code X-Request-Id})
 * @param time when the request arrived
 * @param client remote address (the forwarded one only from configured trusted proxies)
 * @param userAgent the client's {@code User-Agent} (at most 512 characters), or {@code null}
 * @param method the HTTP method, or {@code null} when the request line could not be read
 * @param path the request path as sent (not decoded, without the query), or {@code null}
 * @param outcome what the handler concluded
 * @param status HTTP status sent to the client
 * @param bytesIn request body bytes read from the client
 * @param bytesOut response body bytes written to the client
 * @param durationNanos time to answer
 */
public record Exchange(String requestId, Instant time, String client, String userAgent, String method, String path,
		Outcome outcome, int status, long bytesIn, long bytesOut, long durationNanos) {

	public Decision decision() {
		return this.outcome.decision();
	}

	public String operation() {
		return this.outcome.operation();
	}

}
