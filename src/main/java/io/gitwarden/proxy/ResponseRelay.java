package io.gitwarden.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Copies an upstream response body to the client with constant memory. Each write carries what the
 * upstream has already delivered, up to the buffer size, and is flushed at once: bulk transfers go out
 * in large writes (fewer system calls and chunks), while a lone progress or keep-alive packet still
 * reaches git without delay. A tap sees every byte (the push report reader, the advertisement reader).
 */
final class ResponseRelay {

	/**
	 * First copy buffer: most responses (ref advertisements, push reports) fit, so they do not allocate a
	 * large buffer each; the first read that fills it switches to the large one.
	 */
	static final int FIRST_BUFFER_SIZE = 8 * 1024;

	/** Copy buffer once the response has shown itself to be bulk. */
	static final int BUFFER_SIZE = 64 * 1024;

	private ResponseRelay() {
	}

	/**
	 * @param tap sees every byte after it was written to the client, or {@code null}; must not throw
	 * @return bytes copied
	 */
	static long copy(InputStream in, HttpServletResponse response, OutputStream tap) throws IOException {
		long total = 0;
		byte[] buffer = new byte[FIRST_BUFFER_SIZE];
		OutputStream out = response.getOutputStream();
		boolean ended = false;
		while (!ended) {
			int filled = in.read(buffer, 0, buffer.length);
			if (filled < 0) {
				break;
			}
			while (filled < buffer.length && in.available() > 0) {
				int n = in.read(buffer, filled, buffer.length - filled);
				if (n < 0) {
					ended = true;
					break;
				}
				filled += n;
			}
			if (filled == 0) {
				continue;
			}
			out.write(buffer, 0, filled);
			out.flush();
			if (tap != null) {
				tap.write(buffer, 0, filled);
			}
			total += filled;
			if (filled == buffer.length && buffer.length < BUFFER_SIZE) {
				buffer = new byte[BUFFER_SIZE];
			}
		}
		if (total == 0) {
			response.flushBuffer();
		}
		return total;
	}

	/**
	 * Ends a response whose body is complete: the last chunk goes to the client now, not after the filters
	 * and the dispatcher have unwound and the request metrics have been recorded, which happens before
	 * Tomcat would end it otherwise. Nothing may be written afterwards. A client that went away by now had
	 * every byte of the answer written already; that is not held against the exchange (as it was not when
	 * Tomcat ended the response).
	 */
	static void end(HttpServletResponse response) {
		try {
			response.getOutputStream().close();
		}
		catch (IOException ex) {
			// the client is gone; nothing is lost
		}
	}

}
