package io.gitwarden.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.refusal.RefusalReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

/**
 * Every request body git-warden reads, read one way: under {@link RequestLimits} (size, decoded size,
 * inflation ratio, minimum rate), decoded from {@code gzip} when labelled so, and spooled where it must
 * be read more than once. And every body git-warden does not read is abandoned the same way: the
 * connection is closed after the answer instead of a server thread swallowing what a client may trickle
 * forever.
 */
@Component
public final class RequestBodies {

	private static final Log logger = LogFactory.getLog(RequestBodies.class);

	/** Buffered bytes read without blocking before a body is abandoned, so small ones keep the connection. */
	private static final int ABANDON_READ_LIMIT = 256 * 1024;

	private static final int BUFFER_SIZE = 64 * 1024;

	private final RequestLimits limits;

	public RequestBodies(RequestLimits limits) {
		this.limits = limits;
	}

	public RequestLimits limits() {
		return this.limits;
	}

	/** What a body is, for its size limit. */
	public enum Kind {

		/** A receive-pack request: commands and pack, up to {@code max-push-size}. */
		PUSH,

		/** Anything else: up to {@code max-request-size} decoded. */
		REQUEST

	}

	/**
	 * The decoded body of a request, read under the limits. Unknown content encodings are refused.
	 * @throws BodyException when the encoding is not one git-warden decodes
	 */
	public InputStream open(HttpServletRequest request, Kind kind) throws IOException {
		return open(request, kind, Long.MAX_VALUE);
	}

	/** As {@link #open(HttpServletRequest, Kind)}, ending at an absolute {@link System#nanoTime()} deadline. */
	public InputStream open(HttpServletRequest request, Kind kind, long deadlineNanos) throws IOException {
		long max = (kind == Kind.PUSH) ? this.limits.maxPushSize().toBytes() : this.limits.maxRequestSize().toBytes();
		String tooLarge = (kind == Kind.PUSH) ? "push larger than " + this.limits.maxPushSize() + " (warden.limits.max-push-size)"
				: "request body larger than " + this.limits.maxRequestSize() + " (warden.limits.max-request-size)";
		LimitedInputStream body = new LimitedInputStream(request.getInputStream(), max, tooLarge,
				this.limits.minUploadRate().toBytes(), this.limits.uploadGrace().toNanos(), deadlineNanos);
		String encoding = request.getHeader("Content-Encoding");
		if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
			return body;
		}
		String name = encoding.trim().toLowerCase(Locale.ROOT);
		if (name.equals("gzip") || name.equals("x-gzip")) {
			return new InflatingInputStream(body, max, this.limits.maxInflateRatio(), tooLarge);
		}
		throw new BodyException(RefusalReason.BAD_CONTENT_ENCODING, "unsupported Content-Encoding", null);
	}

	/** A new empty spool in the spool directory. */
	public Spool newSpool() {
		return new Spool(this.limits.spoolDir());
	}

	/** Reads {@code body} to its end into a new spool. */
	public Spool spool(InputStream body) throws IOException {
		Spool spool = newSpool();
		try {
			byte[] buffer = new byte[8192];
			for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
				spool.write(buffer, 0, n);
				if (n == buffer.length && buffer.length < BUFFER_SIZE) {
					buffer = new byte[BUFFER_SIZE];
				}
			}
			return spool.finish();
		}
		catch (IOException | RuntimeException ex) {
			spool.close();
			throw ex;
		}
	}

	/**
	 * Reads and discards the rest of a body for at most {@code warden.limits.drain-time}, so that a client
	 * still sending gets to read the answer; a body that does not end in time is abandoned.
	 */
	public void drain(HttpServletRequest request, InputStream body) {
		long deadline = System.nanoTime() + this.limits.drainTime().toNanos();
		byte[] buffer = new byte[BUFFER_SIZE];
		try {
			while (body.read(buffer) >= 0) {
				if (System.nanoTime() - deadline > 0) {
					break;
				}
			}
		}
		catch (IOException ex) {
			logger.debug("Client's body failed while it was drained: " + ex.getMessage());
		}
		finish(request);
	}

	/**
	 * Called when a request has been answered: when its body was not read to the end, what is already
	 * buffered is read without blocking and, if the body still did not end, the connection is closed
	 * after the answer instead of being swallowed by a server thread.
	 */
	public void finish(HttpServletRequest request) {
		finish(request, false);
	}

	/**
	 * As {@link #finish(HttpServletRequest)}; with {@code drain}, for an authenticated client that is
	 * still sending, the rest of the body is first read and discarded within {@code warden.limits.drain-time}
	 * (so that the client reads the answer instead of a reset connection).
	 */
	public void finish(HttpServletRequest request, boolean drain) {
		try {
			ServletInputStream in = request.getInputStream();
			if (drain && !in.isFinished()) {
				long deadline = System.nanoTime() + this.limits.drainTime().toNanos();
				byte[] buffer = new byte[BUFFER_SIZE];
				while (!in.isFinished() && System.nanoTime() - deadline < 0 && in.read(buffer) >= 0) {
					// discard
				}
			}
			int read = 0;
			byte[] buffer = null;
			while (!in.isFinished() && read < ABANDON_READ_LIMIT) {
				int available = in.available();
				if (available <= 0) {
					break;
				}
				if (buffer == null) {
					buffer = new byte[8192];
				}
				int n = in.read(buffer, 0, Math.min(buffer.length, available));
				if (n < 0) {
					break;
				}
				read += n;
			}
			if (in.isFinished()) {
				return;
			}
		}
		catch (IOException | RuntimeException ex) {
			// the client went away, or the stream is in a state that cannot be read: close either way
		}
		abandon(request);
	}

	/** Closes the connection after the answer, without reading the rest of the body. */
	public static void abandon(HttpServletRequest request) {
		request.setAttribute(ExchangeRecorder.ABANDON_BODY_ATTRIBUTE, Boolean.TRUE);
	}

}
