package io.gitwarden.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * Names why the upstream could not be reached, in a short cause code for the agent and the audit trail
 * ({@code connection refused}, {@code unknown host}, {@code TLS failure}, {@code connect timeout},
 * {@code read timeout}, {@code connection reset}, {@code no response}), and logs the full cause (class,
 * message, upstream host; never a credential) at WARN once per burst: the first failure of a kind, then
 * at most one line per {@value #BURST_SECONDS} seconds with the number of failures in between.
 */
final class UpstreamFailures {

	private static final Log logger = LogFactory.getLog(UpstreamFailures.class);

	static final long BURST_SECONDS = 30;

	private final ConcurrentMap<String, Burst> bursts = new ConcurrentHashMap<>();

	/** The short cause code of a failure to reach the upstream. */
	static String cause(IOException ex) {
		if (ex instanceof UnknownHostException) {
			return "unknown host";
		}
		if (ex instanceof ConnectTimeoutException) {
			return "connect timeout";
		}
		if (ex instanceof HttpHostConnectException || ex instanceof ConnectException) {
			return "connection refused";
		}
		if (ex instanceof NoRouteToHostException) {
			return "no route to host";
		}
		if (ex instanceof SSLException) {
			return "TLS failure";
		}
		if (ex instanceof SocketTimeoutException || ex instanceof InterruptedIOException) {
			return "read timeout";
		}
		if (ex instanceof NoHttpResponseException) {
			return "no response";
		}
		if (ex instanceof SocketException) {
			return "connection reset";
		}
		return "I/O error";
	}

	/** Logs the failure unless one of the same kind to the same host was logged within the burst window. */
	void log(URI uri, String cause, IOException ex) {
		String host = uri.getHost() + ((uri.getPort() > 0) ? ":" + uri.getPort() : "");
		Burst burst = this.bursts.computeIfAbsent(host + " " + cause, (key) -> new Burst());
		long suppressed = burst.tryLog(System.nanoTime());
		if (suppressed >= 0) {
			logger.warn("Upstream " + host + " unreachable: " + cause + " (" + ex.getClass().getName() + ": "
					+ ex.getMessage() + ")" + ((suppressed > 0) ? "; " + suppressed + " more since the last report" : ""));
		}
	}

	/** One kind of failure: when it was last logged and how many were not. */
	private static final class Burst {

		private final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE);

		private final AtomicLong suppressed = new AtomicLong();

		/** The number suppressed since the last line, when a line should be logged now; -1 otherwise. */
		long tryLog(long now) {
			long last = this.lastLogged.get();
			if (last != Long.MIN_VALUE && now - last < BURST_SECONDS * 1_000_000_000L) {
				this.suppressed.incrementAndGet();
				return -1;
			}
			if (!this.lastLogged.compareAndSet(last, now)) {
				this.suppressed.incrementAndGet();
				return -1;
			}
			return this.suppressed.getAndSet(0);
		}

	}

}
