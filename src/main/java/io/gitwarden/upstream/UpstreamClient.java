package io.gitwarden.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Sends a {@link ForwardRequest} to the upstream and hands back the {@link UpstreamResponse}, open for
 * the caller to check and relay. Knows nothing of servlets or of git: stages build the request and
 * judge the answer. Redirects are never followed and nothing is retried.
 * <p>
 * HttpClient shuts its connection pool for good when an {@link Error} passes through a request
 * (HTTPCLIENT-1924: an {@link OutOfMemoryError} while a request allocates, say), after which every request
 * would fail with "Connection pool shut down" until a restart. A client whose pool was shut that way is
 * replaced by a new one before the next request, so one exhausted moment does not cut git-warden off its
 * upstream for good.
 */
public final class UpstreamClient implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(UpstreamClient.class);

	private final UpstreamFailures failures = new UpstreamFailures();

	private final Supplier<Pooled> factory;

	private volatile Pooled current;

	private volatile boolean closed;

	/** An HTTP client and how to tell that its pool was shut underneath it. */
	public record Pooled(CloseableHttpClient client, BooleanSupplier poolClosed) {
	}

	public UpstreamClient(Supplier<Pooled> factory) {
		this.factory = factory;
		this.current = factory.get();
	}

	/** A client that is never replaced (tests). */
	public UpstreamClient(CloseableHttpClient client) {
		this(() -> new Pooled(client, () -> false));
	}

	private CloseableHttpClient client() {
		Pooled pooled = this.current;
		if (!pooled.poolClosed().getAsBoolean() || this.closed) {
			return pooled.client();
		}
		synchronized (this) {
			if (this.current == pooled && !this.closed) {
				logger.warn("The upstream HTTP client's connection pool was shut after an error in a request "
						+ "(see the log above); replacing the client");
				this.current = this.factory.get();
				pooled.client().close(CloseMode.IMMEDIATE);
			}
			return this.current.client();
		}
	}

	/** Closes the current client; none is made after this. */
	@Override
	public void close() {
		this.closed = true;
		this.current.client().close(CloseMode.GRACEFUL);
	}

	/**
	 * @throws Refusal {@link RefusalReason#UPSTREAM_UNAVAILABLE} with a cause code when the upstream
	 * cannot be reached or does not answer
	 */
	public UpstreamResponse exchange(ForwardRequest request) {
		HttpUriRequestBase upstream = new HttpUriRequestBase(request.method(), request.uri());
		for (Map.Entry<String, String> header : request.headers().entrySet()) {
			upstream.setHeader(header.getKey(), header.getValue());
		}
		if (request.body() != null) {
			upstream.setEntity(new BodyEntity(request.body(), request.headers().get("Content-Type")));
		}
		long started = System.nanoTime();
		try {
			ClassicHttpResponse response = client().executeOpen(null, upstream, null);
			return new UpstreamResponse(response, started);
		}
		catch (ForwardRequest.BodyRefusedException ex) {
			// the body refused its own content: the request was aborted, the upstream is not at fault
			throw ex.refusal();
		}
		catch (IOException ex) {
			String cause = UpstreamFailures.cause(ex);
			this.failures.log(request.uri(), cause, ex);
			throw new Refusal(RefusalReason.UPSTREAM_UNAVAILABLE, cause);
		}
	}

	/** A body git-warden holds, written with its exact length. */
	private static final class BodyEntity extends AbstractHttpEntity {

		private final ForwardRequest.Body body;

		BodyEntity(ForwardRequest.Body body, String contentType) {
			super((contentType != null) ? ContentType.parseLenient(contentType) : null, null, false);
			this.body = body;
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			this.body.writeTo(out);
			out.flush();
		}

		@Override
		public InputStream getContent() {
			throw new UnsupportedOperationException("a forwarded body is written, not read");
		}

		@Override
		public boolean isRepeatable() {
			return false;
		}

		@Override
		public boolean isStreaming() {
			return false;
		}

		@Override
		public long getContentLength() {
			return this.body.length();
		}

		@Override
		public void close() {
			// the stage that built the body owns it
		}

	}

}
