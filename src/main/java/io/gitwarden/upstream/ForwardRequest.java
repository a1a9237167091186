package io.gitwarden.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.gitwarden.refusal.Refusal;

/**
 * A request for the upstream, built by a stage that knows what may be sent: an absolute URI, the
 * headers (already filtered, credential included) and an optional body that git-warden holds (never a
 * stream still coming from the client: whatever is forwarded has been read and checked first).
 *
 * @param method the HTTP method
 * @param uri the absolute upstream URI
 * @param headers header name to value, in order
 * @param body the body, or {@code null}
 */
public record ForwardRequest(String method, URI uri, Map<String, String> headers, Body body) {

	public ForwardRequest {
		headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
	}

	/** A request body git-warden holds and can write out. */
	public interface Body {

		/** Exact length in bytes. */
		long length();

		/** Writes the whole body. */
		void writeTo(OutputStream out) throws IOException;

		/** A body held in memory (small JSON and protocol bodies only). */
		static Body of(byte[] bytes) {
			return new Body() {

				@Override
				public long length() {
					return bytes.length;
				}

				@Override
				public void writeTo(OutputStream out) throws IOException {
					out.write(bytes);
				}

			};
		}

	}

	/**
	 * Thrown by a {@link Body} that stops writing on purpose because its content was refused (an LFS upload
	 * whose bytes are not the object's): the upstream request is aborted before it is complete, and
	 * {@link UpstreamClient#exchange} throws the refusal as it is instead of an upstream failure.
	 */
	public static final class BodyRefusedException extends IOException {

		private static final long serialVersionUID = 1L;

		private final transient Refusal refusal;

		public BodyRefusedException(Refusal refusal) {
			super(refusal.getMessage(), null);
			this.refusal = refusal;
		}

		public Refusal refusal() {
			return this.refusal;
		}

	}

	@Override
	public String toString() {
		// never the headers: one of them is the upstream credential
		return "ForwardRequest[" + this.method + " " + this.uri + "]";
	}

}
