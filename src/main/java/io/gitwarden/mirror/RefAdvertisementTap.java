package io.gitwarden.mirror;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * Reads a ref advertisement as its bytes are relayed to the client, and collects the refs it lists
 * (name to id). Write the response body to it as it passes (a tee); it never throws and never blocks, so
 * it cannot disturb the relay, and it holds at most one pkt-line (64 KiB) and the refs it collects.
 *
 * <p>Two shapes are understood:
 * <ul>
 * <li>{@link #forInfoRefs} — a {@code GET info/refs?service=git-upload-pack|git-receive-pack} answer:
 * the {@code # service=} preamble and its flush (optional), an optional {@code version 1} line, then
 * {@code <id> SP <name>} lines (capabilities after a NUL on the first, {@code ^{}} peeled lines and
 * {@code shallow} lines skipped) up to a flush. A protocol v2 answer ({@code version 2} and capabilities)
 * lists no refs: the status is then {@link Status#CAPABILITIES_ONLY} and the refs come from the
 * {@code ls-refs} command, tapped with {@link #forLsRefs}.</li>
 * <li>{@link #forLsRefs} — the answer to a protocol v2 {@code command=ls-refs}: {@code <id> SP <name>}
 * lines with optional attributes ({@code symref-target:}, {@code peeled:}), {@code unborn} ids skipped,
 * up to a flush.</li>
 * </ul>
 * Only refs accepted by the predicate are kept (by default branches and tags, which is all a mirror
 * needs; GitHub lists every pull request ref as well); past {@code maxRefs} kept refs the tap gives up
 * with {@link Status#TOO_MANY_REFS}, so the caller falls back to a plain fetch.
 */
public final class RefAdvertisementTap extends OutputStream {

	/** Where the tap stands. Every status but {@link #READING} is final. */
	public enum Status {

		/** Still reading (or the stream ended early, when read after {@link #close()}: see {@link #TRUNCATED}). */
		READING,

		/** The whole advertisement was read: {@link #refs()} holds it. */
		COMPLETE,

		/** A protocol v2 capability advertisement: no refs in it. */
		CAPABILITIES_ONLY,

		/** More refs than the limit. */
		TOO_MANY_REFS,

		/** The server sent {@code ERR <message>}. */
		ERROR,

		/** Not a ref advertisement, or a content encoding that cannot be read. */
		MALFORMED,

		/** The stream was closed before the end of the advertisement. */
		TRUNCATED

	}

	private static final int MAX_PACKET = 65520;

	private static final int ID_LENGTH = 40;

	private static final String SERVICE_PREFIX = "# service=";

	private static final String ERR_PREFIX = "ERR ";

	private static final String PEELED_SUFFIX = "^{}";

	private enum Phase {

		/** First packet of an info/refs answer: a preamble, a version line, or the first ref. */
		START,

		/** After {@code # service=...}: its flush. */
		PREAMBLE_FLUSH,

		/** After the preamble: a version line, the first ref, or a flush for an empty repository. */
		AFTER_PREAMBLE,

		/** Ref lines up to the flush. */
		REFS

	}

	private final boolean lsRefs;

	private final int maxRefs;

	private final Predicate<String> keep;

	private final byte[] lengthDigits = new byte[4];

	private int lengthFill;

	private byte[] payload = new byte[256];

	private int payloadLength = -1;

	private int payloadFill;

	private Phase phase;

	private Map<String, ObjectId> refs = new HashMap<>();

	private int listed;

	private volatile Status status = Status.READING;

	/** When the answer started: the upstream's state is at least this recent. */
	private final long startedNanos = System.nanoTime();

	private String errorMessage;

	private RefAdvertisementTap(boolean lsRefs, int maxRefs, Predicate<String> keep) {
		if (maxRefs < 1) {
			throw new IllegalArgumentException("maxRefs must be positive");
		}
		this.lsRefs = lsRefs;
		this.maxRefs = maxRefs;
		this.keep = keep;
		this.phase = lsRefs ? Phase.REFS : Phase.START;
	}

	/** A tap for an {@code info/refs} answer (upload-pack or receive-pack), keeping branches and tags. */
	public static RefAdvertisementTap forInfoRefs(int maxRefs) {
		return forInfoRefs(maxRefs, MirrorRefs::isMirrored);
	}

	/** A tap for an {@code info/refs} answer, keeping the refs {@code keep} accepts. */
	public static RefAdvertisementTap forInfoRefs(int maxRefs, Predicate<String> keep) {
		return new RefAdvertisementTap(false, maxRefs, keep);
	}

	/** A tap for a protocol v2 {@code ls-refs} answer, keeping branches and tags. */
	public static RefAdvertisementTap forLsRefs(int maxRefs) {
		return forLsRefs(maxRefs, MirrorRefs::isMirrored);
	}

	/** A tap for a protocol v2 {@code ls-refs} answer, keeping the refs {@code keep} accepts. */
	public static RefAdvertisementTap forLsRefs(int maxRefs, Predicate<String> keep) {
		return new RefAdvertisementTap(true, maxRefs, keep);
	}

	/**
	 * The stream to write a response body to when it carries {@code Content-Encoding}: {@code gzip} and
	 * {@code deflate} are decoded on the fly into {@code tap}; {@code null}, empty or {@code identity} is
	 * the tap itself; anything else makes the tap {@link Status#MALFORMED}.
	 */
	public static OutputStream decoding(String contentEncoding, RefAdvertisementTap tap) {
		String encoding = (contentEncoding != null) ? contentEncoding.trim().toLowerCase(Locale.ROOT) : "";
		return switch (encoding) {
			case "", "identity" -> tap;
			case "gzip", "x-gzip" -> new Decoder(tap, true);
			case "deflate" -> new Decoder(tap, false);
			default -> {
				tap.fail(Status.MALFORMED, "content encoding " + encoding + " is not supported");
				yield tap;
			}
		};
	}

	/** Where the tap stands; {@link Status#COMPLETE} once the advertisement was read whole. */
	public Status status() {
		return this.status;
	}

	/** The server's {@code ERR} message, or why the tap gave up; {@code null} otherwise. */
	public String errorMessage() {
		return this.errorMessage;
	}

	/** Refs listed in the advertisement (kept or not), so far. */
	public int listedRefs() {
		return this.listed;
	}

	/**
	 * The refs kept, when the advertisement was read whole; complete (every ref of the upstream) for an
	 * {@code info/refs} answer, not for {@code ls-refs} (see {@link AdvertisedRefs#complete()}).
	 */
	public Optional<AdvertisedRefs> refs() {
		if (this.status != Status.COMPLETE) {
			return Optional.empty();
		}
		return Optional.of(new AdvertisedRefs(this.refs, !this.lsRefs, this.startedNanos));
	}

	@Override
	public void write(int b) {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) {
		int position = offset;
		int end = offset + length;
		while (position < end && this.status == Status.READING) {
			if (this.payloadLength < 0) {
				this.lengthDigits[this.lengthFill++] = bytes[position++];
				if (this.lengthFill == 4) {
					this.lengthFill = 0;
					startPacket();
				}
			}
			else {
				int n = Math.min(end - position, this.payloadLength - this.payloadFill);
				System.arraycopy(bytes, position, this.payload, this.payloadFill, n);
				this.payloadFill += n;
				position += n;
				if (this.payloadFill == this.payloadLength) {
					this.payloadLength = -1;
					packet(this.payload, this.payloadFill);
				}
			}
		}
	}

	/** Marks an advertisement that ended before its final flush. */
	@Override
	public void close() {
		if (this.status == Status.READING) {
			fail(Status.TRUNCATED, "the advertisement ended early");
		}
	}

	private void startPacket() {
		int length = 0;
		for (byte digit : this.lengthDigits) {
			int value = Character.digit(digit, 16);
			if (value < 0) {
				fail(Status.MALFORMED, "not a pkt-line length");
				return;
			}
			length = length * 16 + value;
		}
		if (length < 4) {
			control(length);
			return;
		}
		if (length > MAX_PACKET) {
			fail(Status.MALFORMED, "pkt-line too long");
			return;
		}
		int size = length - 4;
		if (this.payload.length < size) {
			this.payload = new byte[Math.max(size, Math.min(MAX_PACKET, this.payload.length * 2))];
		}
		this.payloadFill = 0;
		this.payloadLength = size;
		if (size == 0) {
			this.payloadLength = -1;
			packet(this.payload, 0);
		}
	}

	/** {@code 0000} flush, {@code 0001} delimiter, {@code 0002} response end. */
	private void control(int code) {
		if (code != 0) {
			fail(Status.MALFORMED, "unexpected pkt-line " + code);
			return;
		}
		switch (this.phase) {
			case PREAMBLE_FLUSH -> this.phase = Phase.AFTER_PREAMBLE;
			case AFTER_PREAMBLE, REFS -> finish(Status.COMPLETE);
			default -> fail(Status.MALFORMED, "flush before the advertisement");
		}
	}

	private void packet(byte[] bytes, int length) {
		int end = length;
		if (end > 0 && bytes[end - 1] == '\n') {
			end--;
		}
		if (startsWith(bytes, end, ERR_PREFIX)) {
			this.errorMessage = new String(bytes, ERR_PREFIX.length(), end - ERR_PREFIX.length(),
					StandardCharsets.UTF_8);
			finish(Status.ERROR);
			return;
		}
		switch (this.phase) {
			case START -> {
				if (startsWith(bytes, end, SERVICE_PREFIX)) {
					this.phase = Phase.PREAMBLE_FLUSH;
				}
				else {
					this.phase = Phase.AFTER_PREAMBLE;
					packet(bytes, length);
				}
			}
			case PREAMBLE_FLUSH -> fail(Status.MALFORMED, "no flush after the service line");
			case AFTER_PREAMBLE -> {
				if (equalsText(bytes, end, "version 2")) {
					finish(Status.CAPABILITIES_ONLY);
				}
				else if (!equalsText(bytes, end, "version 1")) {
					this.phase = Phase.REFS;
					refLine(bytes, end);
				}
			}
			case REFS -> refLine(bytes, end);
		}
	}

	private void refLine(byte[] bytes, int length) {
		int end = length;
		for (int i = 0; i < length; i++) {
			if (bytes[i] == 0) {
				end = i;
				break;
			}
		}
		if (!this.lsRefs && startsWith(bytes, end, "shallow ")) {
			return;
		}
		int space = indexOf(bytes, ' ', 0, end);
		if (space < 0) {
			fail(Status.MALFORMED, "not a ref line");
			return;
		}
		int nameEnd = this.lsRefs ? indexOf(bytes, ' ', space + 1, end) : -1;
		String name = new String(bytes, space + 1, ((nameEnd < 0) ? end : nameEnd) - space - 1, StandardCharsets.UTF_8);
		if (this.lsRefs && equalsText(bytes, space, "unborn")) {
			this.listed++;
			return;
		}
		if (space != ID_LENGTH || !isHex(bytes, ID_LENGTH)) {
			fail(Status.MALFORMED, "not an object id in a ref line");
			return;
		}
		if (name.endsWith(PEELED_SUFFIX)) {
			return;
		}
		this.listed++;
		if (!this.keep.test(name) || !Repository.isValidRefName(name)) {
			return;
		}
		if (this.refs.size() >= this.maxRefs && !this.refs.containsKey(name)) {
			fail(Status.TOO_MANY_REFS, "more than " + this.maxRefs + " refs");
			return;
		}
		this.refs.put(name, ObjectId.fromString(bytes, 0));
	}

	private void finish(Status result) {
		this.status = result;
		this.payload = null;
		if (result != Status.COMPLETE) {
			this.refs = Map.of();
		}
	}

	void fail(Status result, String message) {
		if (this.status == Status.READING) {
			this.errorMessage = message;
			finish(result);
		}
	}

	boolean isReading() {
		return this.status == Status.READING;
	}

	private static boolean isHex(byte[] bytes, int length) {
		for (int i = 0; i < length; i++) {
			byte b = bytes[i];
			if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'))) {
				return false;
			}
		}
		return true;
	}

	private static int indexOf(byte[] bytes, char c, int from, int end) {
		for (int i = from; i < end; i++) {
			if (bytes[i] == c) {
				return i;
			}
		}
		return -1;
	}

	private static boolean startsWith(byte[] bytes, int length, String prefix) {
		if (length < prefix.length()) {
			return false;
		}
		for (int i = 0; i < prefix.length(); i++) {
			if (bytes[i] != prefix.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static boolean equalsText(byte[] bytes, int length, String text) {
		return length == text.length() && startsWith(bytes, length, text);
	}

	/**
	 * Inflates a {@code gzip} (header skipped, trailer ignored) or {@code deflate} (zlib) body into the
	 * tap as it passes; stops working as soon as the tap is done, and never throws.
	 */
	private static final class Decoder extends OutputStream {

		private static final int FEXTRA = 4;

		private static final int FNAME = 8;

		private static final int FCOMMENT = 16;

		private static final int FHCRC = 2;

		private final RefAdvertisementTap tap;

		private final Inflater inflater;

		private final byte[] out = new byte[8192];

		/** Gzip header bytes still to skip, field by field; 0 when in the deflate stream. */
		private int headerState;

		private int headerPosition;

		private int flags;

		private int extraLength;

		Decoder(RefAdvertisementTap tap, boolean gzip) {
			this.tap = tap;
			this.inflater = new Inflater(gzip);
			this.headerState = gzip ? 1 : 0;
		}

		@Override
		public void write(int b) {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) {
			if (!this.tap.isReading()) {
				release();
				return;
			}
			int position = offset;
			int end = offset + length;
			while (position < end && this.headerState != 0) {
				position = header(bytes, position, end);
				if (!this.tap.isReading()) {
					release();
					return;
				}
			}
			if (position == end || this.inflater.finished()) {
				return;
			}
			this.inflater.setInput(bytes, position, end - position);
			try {
				while (!this.inflater.needsInput() && !this.inflater.finished() && this.tap.isReading()) {
					int n = this.inflater.inflate(this.out);
					if (n > 0) {
						this.tap.write(this.out, 0, n);
					}
					else if (this.inflater.needsDictionary()) {
						this.tap.fail(Status.MALFORMED, "compressed body needs a dictionary");
					}
				}
			}
			catch (DataFormatException ex) {
				this.tap.fail(Status.MALFORMED, "compressed body is corrupt");
			}
			if (!this.tap.isReading()) {
				release();
			}
		}

		/** Skips one gzip header field; returns the new position. */
		private int header(byte[] bytes, int position, int end) {
			int b = bytes[position] & 0xff;
			switch (this.headerState) {
				case 1 -> {
					// fixed part: ID1 ID2 CM FLG MTIME(4) XFL OS
					if ((this.headerPosition == 0 && b != 0x1f) || (this.headerPosition == 1 && b != 0x8b)
							|| (this.headerPosition == 2 && b != 8)) {
						this.tap.fail(Status.MALFORMED, "not a gzip body");
						return end;
					}
					if (this.headerPosition == 3) {
						this.flags = b;
					}
					if (++this.headerPosition == 10) {
						this.headerPosition = 0;
						this.headerState = 2;
						nextField();
					}
				}
				case 2 -> {
					// FEXTRA length, then that many bytes
					if (this.headerPosition < 2) {
						this.extraLength |= b << (8 * this.headerPosition);
						this.headerPosition++;
					}
					else {
						this.extraLength--;
						this.headerPosition++;
					}
					if (this.headerPosition >= 2 && this.extraLength == 0) {
						this.flags &= ~FEXTRA;
						nextField();
					}
				}
				case 3 -> {
					// zero-terminated FNAME or FCOMMENT
					if (b == 0) {
						this.flags &= ((this.flags & FNAME) != 0) ? ~FNAME : ~FCOMMENT;
						nextField();
					}
				}
				case 4 -> {
					// FHCRC, two bytes
					if (++this.headerPosition == 2) {
						this.flags &= ~FHCRC;
						nextField();
					}
				}
				default -> throw new IllegalStateException();
			}
			return position + 1;
		}

		private void nextField() {
			this.headerPosition = 0;
			if ((this.flags & FEXTRA) != 0) {
				this.headerState = 2;
				this.extraLength = 0;
				this.headerPosition = 0;
			}
			else if ((this.flags & (FNAME | FCOMMENT)) != 0) {
				this.headerState = 3;
			}
			else if ((this.flags & FHCRC) != 0) {
				this.headerState = 4;
			}
			else {
				this.headerState = 0;
			}
		}

		private void release() {
			this.inflater.end();
		}

		@Override
		public void close() {
			this.tap.close();
			release();
		}

	}

}
