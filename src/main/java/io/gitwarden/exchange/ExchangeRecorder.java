package io.gitwarden.exchange;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.ServletException;

import io.gitwarden.refusal.RefusalReason;
import org.apache.catalina.AccessLog;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.ActionCode;
import org.slf4j.MDC;

/**
 * Records every request exactly once. It is a Tomcat valve at the engine level and Tomcat's own access
 * log hook, so it sees what no servlet filter can: requests Tomcat rejects before any filter runs (bad
 * request lines, oversized or invalid headers, invalid URI encodings), requests Spring Security's
 * firewall rejects, and requests whose handler failed with an {@link Error}. Tomcat calls
 * {@link #log} once per request after the response has been sent, so recording adds nothing to the
 * response time.
 *
 * <p>Around the handlers ({@link #invoke}) it gives the request its id ({@code X-Request-Id}, and the
 * {@code requestId} of every log line written while serving it), counts the requests in flight, and
 * closes the connection without reading an unread request body when a handler asked for it (a refused
 * request must not tie a thread to a body a hostile client trickles).
 *
 * <p>Nothing here may throw out of {@link #log}: a failure to build the record falls back to a minimal
 * one, and a failing listener is counted ({@code warden.recording.failures}) and logged.
 */
public final class ExchangeRecorder extends ValveBase implements AccessLog {

	private static final Log logger = LogFactory.getLog(ExchangeRecorder.class);

	/** MDC key of the request id in log lines. */
	public static final String REQUEST_ID = "requestId";

	/** Request attribute holding the request id. */
	public static final String REQUEST_ID_ATTRIBUTE = ExchangeRecorder.class.getName() + ".requestId";

	/** Request attribute set by a handler that answered without reading the whole request body. */
	public static final String ABANDON_BODY_ATTRIBUTE = ExchangeRecorder.class.getName() + ".abandonBody";

	private static final String CLIENT_ATTRIBUTE = ExchangeRecorder.class.getName() + ".client";

	/** Longest client-supplied text kept in a record (user agent, path). */
	static final int MAX_TEXT = 512;

	private final List<ExchangeListener> listeners;

	private final AtomicInteger active = new AtomicInteger();

	private final AtomicLong failures = new AtomicLong();

	public ExchangeRecorder(List<ExchangeListener> listeners) {
		super(true);
		this.listeners = List.copyOf(listeners);
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		String requestId = UUID.randomUUID().toString();
		request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
		// The address after any trusted-proxy rewriting, which is undone once the valves return.
		request.setAttribute(CLIENT_ATTRIBUTE, request.getRemoteAddr());
		response.setHeader("X-Request-Id", requestId);
		MDC.put(REQUEST_ID, requestId);
		this.active.incrementAndGet();
		try {
			getNext().invoke(request, response);
		}
		finally {
			this.active.decrementAndGet();
			MDC.remove(REQUEST_ID);
			if (request.getAttribute(ABANDON_BODY_ATTRIBUTE) != null) {
				// Close once the response is out instead of swallowing the rest of the body in this thread.
				request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
			}
		}
	}

	@Override
	public void log(Request request, Response response, long time) {
		Exchange exchange;
		try {
			exchange = exchange(request, response, time);
		}
		catch (Throwable ex) {
			this.failures.incrementAndGet();
			logger.error("Could not build the record of a request; recording a minimal one", ex);
			exchange = minimal(time);
		}
		for (ExchangeListener listener : this.listeners) {
			try {
				listener.exchangeCompleted(exchange);
			}
			catch (Throwable ex) {
				this.failures.incrementAndGet();
				logger.error("Recording request " + exchange.requestId() + " failed in "
						+ listener.getClass().getName(), ex);
			}
		}
	}

	private static Exchange exchange(Request request, Response response, long time) {
		Object id = request.getAttribute(REQUEST_ID_ATTRIBUTE);
		String requestId = (id instanceof String text) ? text : UUID.randomUUID().toString();
		Object client = request.getAttribute(CLIENT_ATTRIBUTE);
		if (!(client instanceof String)) {
			Object forwarded = request.getAttribute(AccessLog.REMOTE_ADDR_ATTRIBUTE);
			client = (forwarded instanceof String) ? forwarded : request.getRemoteAddr();
		}
		org.apache.coyote.Request coyote = request.getCoyoteRequest();
		String method = text(coyote.method().toString());
		String path = text(coyote.requestURI().toString());
		Outcome outcome = (request.getAttribute(Outcome.ATTRIBUTE) instanceof Outcome attached) ? attached
				: unhandled(response.getStatus());
		Instant arrived = (coyote.getStartTimeNanos() > 0)
				? Instant.now().minusNanos(System.nanoTime() - coyote.getStartTimeNanos()) : Instant.now();
		return new Exchange(requestId, arrived, (String) client, text(coyote.getHeader("User-Agent")), method, path,
				outcome, response.getStatus(), Math.max(0, coyote.getBytesRead()),
				Math.max(0, response.getCoyoteResponse().getContentWritten()), Math.max(0, time));
	}

	/** A request no handler concluded: rejected before routing, or a handler that failed badly. */
	private static Outcome unhandled(int status) {
		if (status >= 400 && status < 500) {
			return new Outcome("rejected", null, null, null, null, RefusalReason.REQUEST_REJECTED,
					RefusalReason.REQUEST_REJECTED.message("HTTP " + status + " before any handler"), 0, 0, List.of());
		}
		return new Outcome("rejected", null, null, null, null, RefusalReason.INTERNAL_ERROR,
				"no handler recorded an outcome (HTTP " + status + ")", 0, 0, List.of());
	}

	private static Exchange minimal(long time) {
		return new Exchange(UUID.randomUUID().toString(), Instant.now(), null, null, null, null,
				new Outcome("rejected", null, null, null, null, RefusalReason.INTERNAL_ERROR, "recording failed", 0, 0,
						List.of()),
				0, 0, 0, Math.max(0, time));
	}

	/**
	 * Client-supplied text as it may be recorded: at most {@value #MAX_TEXT} characters. The characters
	 * themselves are kept (Tomcat decodes header bytes as ISO-8859-1); the audit trail writes every
	 * control character escaped.
	 */
	static String text(String value) {
		if (value == null || value.length() <= MAX_TEXT) {
			return value;
		}
		return value.substring(0, MAX_TEXT) + "...";
	}

	/** Requests being served now. */
	public int active() {
		return this.active.get();
	}

	/** Records that could not be built or written by a listener, since start. */
	public long failures() {
		return this.failures.get();
	}

	@Override
	public void setRequestAttributesEnabled(boolean requestAttributesEnabled) {
		// the client address is always taken from the request attributes set by trusted-proxy handling
	}

	@Override
	public boolean getRequestAttributesEnabled() {
		return true;
	}

}
