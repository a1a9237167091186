package io.gitwarden.proxy;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.policy.RefusalReason;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.proxy.GitExchange.Decision;
import io.gitwarden.proxy.GitExchange.RefResult;
import io.gitwarden.upstream.ForwardResult;

/**
 * Collects what happens to one request while it is served, and counts the body bytes in both
 * directions through request/response wrappers, so the {@link GitExchange} is complete whatever path
 * the request took.
 */
final class ExchangeRecorder {

	private final String requestId = UUID.randomUUID().toString();

	private final Instant time = Instant.now();

	private final long started = System.nanoTime();

	private final HttpServletRequest request;

	private final CountingResponse response;

	private final CountingRequest countingRequest;

	private GitRoute route;

	private SessionToken session;

	private String tokenSha256;

	private Decision decision = Decision.DENIED;

	private RefusalReason reason;

	private String reasonMessage;

	private List<RefVerdict> refs = List.of();

	private final List<RefResult> upstreamResults = new ArrayList<>();

	private ForwardResult forwarded;

	ExchangeRecorder(HttpServletRequest request, HttpServletResponse response) {
		this.request = request;
		this.countingRequest = new CountingRequest(request);
		this.response = new CountingResponse(response);
		this.response.setHeader("X-Request-Id", this.requestId);
	}

	String requestId() {
		return this.requestId;
	}

	HttpServletRequest request() {
		return this.countingRequest;
	}

	HttpServletResponse response() {
		return this.response;
	}

	void route(GitRoute route) {
		this.route = route;
	}

	void tokenSha256(String tokenSha256) {
		this.tokenSha256 = tokenSha256;
	}

	void session(SessionToken session) {
		this.session = session;
	}

	void allowed() {
		this.decision = Decision.ALLOWED;
	}

	void refused(RefusalReason reason, String message) {
		this.reason = reason;
		this.reasonMessage = message;
		if (this.decision == Decision.ALLOWED && reason.isRelayFailure()) {
			return; // allowed by policy; the reason says how the relay failed
		}
		this.decision = (reason.httpStatus() == HttpServletResponse.SC_UNAUTHORIZED) ? Decision.UNAUTHENTICATED
				: Decision.DENIED;
	}

	void refs(List<RefVerdict> refs) {
		this.refs = List.copyOf(refs);
	}

	void upstreamResult(RefResult result) {
		this.upstreamResults.add(result);
	}

	void forwarded(ForwardResult result) {
		this.forwarded = result;
	}

	GitExchange complete() {
		int status = this.response.getStatus();
		return new GitExchange(this.requestId, this.time, this.request.getRemoteAddr(),
				userAgent(this.request), this.route, this.session, this.tokenSha256, this.decision,
				this.reason, this.reasonMessage, this.refs, List.copyOf(this.upstreamResults), status,
				(this.forwarded != null) ? this.forwarded.upstreamStatus() : 0, this.countingRequest.count,
				this.response.count, System.nanoTime() - this.started,
				(this.forwarded != null) ? this.forwarded.upstreamNanos() : 0);
	}

	/**
	 * The {@code User-Agent} as sent. Spring Security's firewalled request throws when a header value holds
	 * characters it does not allow (C1 controls, from bytes 0x80-0x9F), which here would stop the exchange
	 * from being recorded at all: the value is read from the request underneath instead, and the audit
	 * writer escapes what it must.
	 */
	private static String userAgent(HttpServletRequest request) {
		jakarta.servlet.ServletRequest current = request;
		while (current instanceof HttpServletRequest http) {
			try {
				return http.getHeader("User-Agent");
			}
			catch (RuntimeException ex) {
				if (!(current instanceof jakarta.servlet.ServletRequestWrapper wrapper)) {
					return null;
				}
				current = wrapper.getRequest();
			}
		}
		return null;
	}

	/** Counts request body bytes as they are read. */
	private static final class CountingRequest extends HttpServletRequestWrapper {

		private long count;

		private ServletInputStream stream;

		CountingRequest(HttpServletRequest request) {
			super(request);
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (this.stream == null) {
				ServletInputStream in = super.getInputStream();
				this.stream = new ServletInputStream() {

					@Override
					public int read() throws IOException {
						int b = in.read();
						if (b >= 0) {
							CountingRequest.this.count++;
						}
						return b;
					}

					@Override
					public int read(byte[] buffer, int offset, int length) throws IOException {
						int n = in.read(buffer, offset, length);
						if (n > 0) {
							CountingRequest.this.count += n;
						}
						return n;
					}

					@Override
					public boolean isFinished() {
						return in.isFinished();
					}

					@Override
					public boolean isReady() {
						return in.isReady();
					}

					@Override
					public void setReadListener(ReadListener listener) {
						in.setReadListener(listener);
					}

				};
			}
			return this.stream;
		}

	}

	/** Counts response body bytes as they are written. */
	private static final class CountingResponse extends HttpServletResponseWrapper {

		private long count;

		private ServletOutputStream stream;

		CountingResponse(HttpServletResponse response) {
			super(response);
		}

		@Override
		public ServletOutputStream getOutputStream() throws IOException {
			if (this.stream == null) {
				ServletOutputStream out = super.getOutputStream();
				this.stream = new ServletOutputStream() {

					@Override
					public void write(int b) throws IOException {
						out.write(b);
						CountingResponse.this.count++;
					}

					@Override
					public void write(byte[] buffer, int offset, int length) throws IOException {
						out.write(buffer, offset, length);
						CountingResponse.this.count += length;
					}

					@Override
					public void flush() throws IOException {
						out.flush();
					}

					@Override
					public boolean isReady() {
						return out.isReady();
					}

					@Override
					public void setWriteListener(WriteListener listener) {
						out.setWriteListener(listener);
					}

				};
			}
			return this.stream;
		}

	}

}
