package io.gitwarden.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * The upstream's answer, open until closed: status, headers and the body as a stream, for a stage to
 * check and the edge to relay. Closing releases the connection (back to the pool when the body was read
 * to its end).
 */
public final class UpstreamResponse implements Closeable {

	private final ClassicHttpResponse response;

	private final long startedNanos;

	UpstreamResponse(ClassicHttpResponse response, long startedNanos) {
		this.response = response;
		this.startedNanos = startedNanos;
	}

	public int status() {
		return this.response.getCode();
	}

	/** The first value of a header, or {@code null}. */
	public String header(String name) {
		Header header = this.response.getFirstHeader(name);
		return (header != null) ? header.getValue() : null;
	}

	/** The body; empty when there is none. */
	public InputStream body() throws IOException {
		HttpEntity entity = this.response.getEntity();
		return (entity != null) ? entity.getContent() : InputStream.nullInputStream();
	}

	/** Nanoseconds since the request was sent. */
	public long elapsedNanos() {
		return System.nanoTime() - this.startedNanos;
	}

	@Override
	public void close() throws IOException {
		this.response.close();
	}

}
