package io.gitwarden.inspect;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdOwnerMap;

/**
 * Scans the whole (non-delta) blobs of a pack for secrets while JGit's pack parser reads the stream,
 * so that their content is not read back from disk afterwards (which would cost a second inflation and
 * heap churn through JGit's window cache, about the size of the pack).
 * <p>
 * It follows the pack format over the bytes as they pass (object headers, delta bases, zlib streams)
 * with an inflater of its own, feeds the content of each whole blob to a scanner session, and hashes it
 * to learn the blob's id. A result is used only for the blob whose id it carries, so a tee that lost
 * track of the format (a malformed pack, which JGit refuses anyway) can at worst produce results for ids
 * that match no object: the blobs it did not cover are read back and scanned as usual. It gives up for
 * good on anything unexpected; it never changes what JGit reads.
 */
final class ScanningPackTee extends FilterInputStream {

	private enum State {

		PACK_HEADER, OBJECT_HEADER, OFFSET_BASE, REF_BASE, DATA, TRAILER, DONE, FAILED

	}

	/** A whole blob scanned completely as text: its matches (usually none). */
	static final class Scanned extends ObjectIdOwnerMap.Entry {

		final List<SecretScanner.Match> matches;

		Scanned(ObjectId id, List<SecretScanner.Match> matches) {
			super(id);
			this.matches = matches;
		}

	}

	private final SecretScanner.Session session;

	private final long maxBlobBytes;

	private final ObjectIdOwnerMap<Scanned> results = new ObjectIdOwnerMap<>();

	private final Inflater inflater = new Inflater();

	private final byte[] inflated = new byte[16 * 1024];

	private final MessageDigest digest;

	private State state = State.PACK_HEADER;

	private int headerBytes;

	private long objectsLeft;

	private int type;

	private long size;

	private int shift;

	private boolean firstHeaderByte;

	private int skip;

	/** The current object is a whole blob being scanned and hashed. */
	private boolean scanning;

	private long blobBytes;

	private boolean released;

	ScanningPackTee(InputStream in, SecretScanner.Session session, long maxBlobBytes) {
		super(in);
		this.session = session;
		this.maxBlobBytes = maxBlobBytes;
		try {
			this.digest = MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The blobs scanned completely as text, by id (binary and oversized ones are not here). */
	ObjectIdOwnerMap<Scanned> results() {
		return this.results;
	}

	/** Whether the tee followed the pack to its end. */
	boolean complete() {
		return this.state == State.DONE;
	}

	@Override
	public int read() throws IOException {
		int b = super.read();
		if (b >= 0) {
			observe(new byte[] { (byte) b }, 0, 1);
		}
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n = super.read(buffer, offset, length);
		if (n > 0) {
			observe(buffer, offset, n);
		}
		return n;
	}

	@Override
	public long skip(long n) throws IOException {
		fail();
		return super.skip(n);
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	/** Frees the inflater; the stream itself belongs to the caller. */
	void release() {
		if (this.state != State.DONE) {
			fail();
		}
		this.released = true;
		this.inflater.end();
	}

	@Override
	public void close() {
		// the caller owns the stream
	}

	private void fail() {
		this.state = State.FAILED;
		this.scanning = false;
	}

	private void observe(byte[] bytes, int offset, int length) {
		if (this.released) {
			return;
		}
		try {
			while (length > 0 && this.state != State.DONE && this.state != State.FAILED) {
				int used = step(bytes, offset, length);
				offset += used;
				length -= used;
			}
		}
		catch (DataFormatException | RuntimeException ex) {
			fail();
		}
	}

	/** Consumes bytes for the current state; returns how many. */
	private int step(byte[] bytes, int offset, int length) throws DataFormatException {
		switch (this.state) {
			case PACK_HEADER -> {
				int n = Math.min(length, 12 - this.headerBytes);
				for (int i = 0; i < n; i++) {
					int at = this.headerBytes + i;
					if (at >= 8) {
						this.objectsLeft = (this.objectsLeft << 8) | (bytes[offset + i] & 0xff);
					}
				}
				this.headerBytes += n;
				if (this.headerBytes == 12) {
					startObject();
				}
				return n;
			}
			case OBJECT_HEADER -> {
				int c = bytes[offset] & 0xff;
				if (this.firstHeaderByte) {
					this.firstHeaderByte = false;
					this.type = (c >> 4) & 7;
					this.size = c & 15;
					this.shift = 4;
				}
				else {
					if (this.shift > 56) {
						fail();
						return 1;
					}
					this.size += ((long) (c & 0x7f)) << this.shift;
					this.shift += 7;
				}
				if ((c & 0x80) == 0) {
					headerDone();
				}
				return 1;
			}
			case OFFSET_BASE -> {
				if ((bytes[offset] & 0x80) == 0) {
					startData();
				}
				return 1;
			}
			case REF_BASE, TRAILER -> {
				int n = Math.min(length, this.skip);
				this.skip -= n;
				if (this.skip == 0) {
					if (this.state == State.TRAILER) {
						this.state = State.DONE;
					}
					else {
						startData();
					}
				}
				return n;
			}
			case DATA -> {
				return inflate(bytes, offset, length);
			}
			default -> {
				return length;
			}
		}
	}

	private void startObject() {
		if (this.objectsLeft == 0) {
			this.state = State.TRAILER;
			this.skip = Constants.OBJECT_ID_LENGTH;
			return;
		}
		this.state = State.OBJECT_HEADER;
		this.firstHeaderByte = true;
	}

	private void headerDone() {
		switch (this.type) {
			case Constants.OBJ_COMMIT, Constants.OBJ_TREE, Constants.OBJ_TAG -> startData();
			case Constants.OBJ_BLOB -> {
				this.scanning = this.size <= this.maxBlobBytes;
				if (this.scanning) {
					this.digest.reset();
					this.digest.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
					this.digest.update((" " + this.size).getBytes(StandardCharsets.US_ASCII));
					this.digest.update((byte) 0);
					this.session.begin(this.size);
					this.blobBytes = 0;
				}
				startData();
			}
			case Constants.OBJ_OFS_DELTA -> this.state = State.OFFSET_BASE;
			case Constants.OBJ_REF_DELTA -> {
				this.state = State.REF_BASE;
				this.skip = Constants.OBJECT_ID_LENGTH;
			}
			default -> fail();
		}
	}

	private void startData() {
		this.state = State.DATA;
		this.inflater.reset();
	}

	private int inflate(byte[] bytes, int offset, int length) throws DataFormatException {
		this.inflater.setInput(bytes, offset, length);
		while (true) {
			int n = this.inflater.inflate(this.inflated);
			if (n > 0 && this.scanning) {
				this.blobBytes += n;
				this.digest.update(this.inflated, 0, n);
				if (!this.session.feed(this.inflated, 0, n)) {
					this.scanning = false; // binary, or more than announced: read back later if needed
				}
			}
			if (this.inflater.finished()) {
				int used = length - this.inflater.getRemaining();
				endObject();
				return used;
			}
			if (this.inflater.needsDictionary()) {
				fail();
				return length;
			}
			if (n == 0) {
				if (!this.inflater.needsInput()) {
					fail(); // no progress without more input: not what zlib does
				}
				return length;
			}
		}
	}

	private void endObject() {
		if (this.scanning && this.blobBytes == this.size) {
			SecretScanner.Scan scan = this.session.finish();
			if (!scan.binary() && !scan.truncated()) {
				ObjectId id = ObjectId.fromRaw(this.digest.digest());
				if (this.results.get(id) == null) {
					this.results.add(new Scanned(id, scan.matches().isEmpty() ? List.of() : scan.matches()));
				}
			}
		}
		this.scanning = false;
		this.objectsLeft--;
		startObject();
	}

}
