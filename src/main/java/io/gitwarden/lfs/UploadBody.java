package io.gitwarden.lfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.ForwardRequest;

/**
 * An LFS upload streamed from the client to the upstream and checked on the way: sent with the object's
 * size as its length, hashed as it passes, and its last byte withheld until the client's body has ended
 * with exactly that many bytes and the SHA-256 of the object id. On a mismatch (or a client that goes
 * away) the upstream request is aborted one byte short of its declared length, so the upstream never
 * receives a complete body and stores nothing. Memory: one buffer.
 */
final class UploadBody implements ForwardRequest.Body {

	static final int BUFFER_SIZE = 64 * 1024;

	private final InputStream client;

	private final String oid;

	private final long size;

	private long received;

	private boolean complete;

	UploadBody(InputStream client, String oid, long size) {
		this.client = client;
		this.oid = oid;
		this.size = size;
	}

	@Override
	public long length() {
		return this.size;
	}

	/** Bytes read from the client so far. */
	long received() {
		return this.received;
	}

	/** Whether the whole object was checked and written. */
	boolean complete() {
		return this.complete;
	}

	@Override
	public void writeTo(OutputStream out) throws IOException {
		MessageDigest sha256 = sha256();
		byte[] buffer = new byte[BUFFER_SIZE];
		// Everything but the last byte may go out as it arrives; the last waits for the digest.
		long forwardable = Math.max(0, this.size - 1);
		long forwarded = 0;
		int withheld = -1;
		while (true) {
			int n;
			try {
				n = this.client.read(buffer);
			}
			catch (IOException ex) {
				throw refused(RefusalReason.REQUEST_BODY_INCOMPLETE, "the client stopped sending");
			}
			if (n < 0) {
				break;
			}
			if (this.received + n > this.size) {
				throw refused(RefusalReason.LFS_OBJECT_MISMATCH,
						"the body is larger than the object's size (" + this.size + " bytes)");
			}
			this.received += n;
			sha256.update(buffer, 0, n);
			int now = (int) Math.min(n, forwardable - forwarded);
			if (now > 0) {
				out.write(buffer, 0, now);
				forwarded += now;
			}
			if (now < n) {
				// only the object's last byte can be left over: the body is never larger than the size
				withheld = buffer[n - 1] & 0xff;
			}
		}
		if (this.received != this.size) {
			throw refused(RefusalReason.LFS_OBJECT_MISMATCH,
					"the body has " + this.received + " bytes, the object " + this.size);
		}
		if (!HexFormat.of().formatHex(sha256.digest()).equals(this.oid)) {
			throw refused(RefusalReason.LFS_OBJECT_MISMATCH, "the content's SHA-256 is not the object id");
		}
		if (withheld >= 0) {
			out.write(withheld);
		}
		out.flush();
		this.complete = true;
	}

	private static ForwardRequest.BodyRefusedException refused(RefusalReason reason, String detail) {
		return new ForwardRequest.BodyRefusedException(new Refusal(reason, detail));
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 unavailable", ex);
		}
	}

}
