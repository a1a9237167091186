package io.gitwarden.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * A request body streamed once from the client to the upstream with a fixed buffer, so memory does not
 * grow with the push. A body shorter than its declared length fails instead of leaving the upstream
 * waiting for bytes that will never come.
 */
final class StreamingEntity extends AbstractHttpEntity {

	private final InputStream body;

	private final long length;

	private final int bufferSize;

	private long bytesSent;

	StreamingEntity(InputStream body, long length, String contentType, String contentEncoding, int bufferSize) {
		super((contentType != null) ? ContentType.parseLenient(contentType) : null, contentEncoding, length < 0);
		this.body = body;
		this.length = length;
		this.bufferSize = bufferSize;
	}

	@Override
	public void writeTo(OutputStream out) throws IOException {
		byte[] buffer = new byte[this.bufferSize];
		long remaining = this.length;
		while (remaining != 0) {
			int wanted = (remaining < 0) ? buffer.length : (int) Math.min(buffer.length, remaining);
			int n;
			try {
				n = this.body.read(buffer, 0, wanted);
			}
			catch (IOException ex) {
				throw new ClientBodyException("reading the request body failed", ex);
			}
			if (n < 0) {
				if (remaining > 0) {
					throw new ClientBodyException("request body ended before its Content-Length", null);
				}
				break;
			}
			out.write(buffer, 0, n);
			this.bytesSent += n;
			if (remaining > 0) {
				remaining -= n;
			}
		}
		out.flush();
	}

	long bytesSent() {
		return this.bytesSent;
	}

	@Override
	public InputStream getContent() {
		throw new UnsupportedOperationException("a streamed request body is written, not read");
	}

	@Override
	public boolean isRepeatable() {
		return false;
	}

	@Override
	public boolean isStreaming() {
		return true;
	}

	@Override
	public long getContentLength() {
		return this.length;
	}

	@Override
	public void close() {
		// the servlet container owns the client's stream
	}

}
