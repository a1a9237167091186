package io.gitwarden.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * Sends a {@link ForwardRequest} to the upstream and hands back the {@link UpstreamResponse}, open for
 * the caller to check and relay. Knows nothing of servlets or of git: stages build the request and
 * judge the answer. Redirects are never followed and nothing is retried.
 */
public final class UpstreamClient {

	private final CloseableHttpClient client;

	private final UpstreamFailures failures = new UpstreamFailures();

	public UpstreamClient(CloseableHttpClient client) {
		this.client = client;
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
			ClassicHttpResponse response = this.client.executeOpen(null, upstream, null);
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
