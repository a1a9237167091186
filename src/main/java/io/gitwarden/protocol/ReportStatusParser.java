package io.gitwarden.protocol;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the upstream's receive-pack report-status while the response is relayed to the client, so the
 * audit log records what the upstream itself said about each ref ({@code ok <ref>} or
 * {@code ng <ref> <reason>}), not what git-warden hoped it would say.
 *
 * <p>It is an {@link OutputStream} to be used as the forwarder's tap: it sees the response bytes in
 * whatever pieces they arrive (a pkt-line may be split at any byte), demultiplexes side-band channel 1
 * when the client asked for side-band, and decodes the report's pkt-lines incrementally. Memory is
 * bounded: nothing is buffered but the current report line, itself cut at {@link #MAX_LINE_BYTES}, and
 * at most {@code maxResults} results are reported.
 *
 * <p>It is an observer of a relay it must never break: it never throws. Bytes it does not understand
 * (an invalid pkt-line header, a packet longer than git allows) stop the parsing for the rest of the
 * response, and {@link #isMalformed()} says so.
 */
public final class ReportStatusParser extends OutputStream {

	/** Longest report line kept; longer lines (absurd ref names or reasons) are cut. */
	static final int MAX_LINE_BYTES = 4096;

	/** Longest pkt-line git allows, header included. */
	private static final int MAX_PACKET = 65520;

	private static final int CHANNEL_DATA = 1;

	/** Told about each ref as its status line is decoded. Implementations should not throw. */
	@FunctionalInterface
	public interface Listener {

		/**
		 * @param ref the ref name as the upstream wrote it
		 * @param ok {@code true} for an {@code ok} line
		 * @param reason the upstream's reason for an {@code ng} line, otherwise {@code null}
		 */
		void refStatus(String ref, boolean ok, String reason);

	}

	private final Listener listener;

	private final int maxResults;

	private final PacketDecoder outer;

	private final PacketDecoder report;

	private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

	private int results;

	private boolean reportEnded;

	private boolean malformed;

	private String unpackStatus;

	private final byte[] single = new byte[1];

	/**
	 * @param sideBand the side-band the client asked for: the upstream wraps its report in channel 1 then
	 * @param maxResults most ref results reported
	 * @param listener told about every ref result
	 */
	public ReportStatusParser(SideBand sideBand, int maxResults, Listener listener) {
		this.listener = listener;
		this.maxResults = maxResults;
		this.report = new PacketDecoder(new ReportLines());
		this.outer = (sideBand == SideBand.NONE) ? this.report : new PacketDecoder(new Channels(this.report));
	}

	@Override
	public void write(int b) {
		this.single[0] = (byte) b;
		write(this.single, 0, 1);
	}

	@Override
	public void write(byte[] buffer) {
		write(buffer, 0, buffer.length);
	}

	@Override
	public void write(byte[] buffer, int offset, int length) {
		if (this.malformed || this.reportEnded) {
			return;
		}
		try {
			this.outer.write(buffer, offset, length);
		}
		catch (RuntimeException ex) {
			// Never let the observer break the relay.
			this.malformed = true;
		}
	}

	/** True once bytes were seen that are not a valid report (parsing stopped there). */
	public boolean isMalformed() {
		return this.malformed;
	}

	/** True once the report's closing flush was decoded. */
	public boolean isComplete() {
		return this.reportEnded;
	}

	/** {@code ok} or the upstream's unpack error, or {@code null} before the {@code unpack} line. */
	public String unpackStatus() {
		return this.unpackStatus;
	}

	private void reportLine(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.UTF_8);
		if (text.endsWith("\n")) {
			text = text.substring(0, text.length() - 1);
		}
		if (text.startsWith("unpack ")) {
			this.unpackStatus = text.substring("unpack ".length());
			return;
		}
		boolean ok = text.startsWith("ok ");
		if (!ok && !text.startsWith("ng ")) {
			return; // report-status-v2 "option ..." lines, or anything newer
		}
		if (this.results >= this.maxResults) {
			return;
		}
		String rest = text.substring(3);
		String ref = rest;
		String reason = null;
		if (!ok) {
			int space = rest.indexOf(' ');
			ref = (space < 0) ? rest : rest.substring(0, space);
			reason = (space < 0) ? "" : rest.substring(space + 1);
		}
		if (ref.isEmpty()) {
			return;
		}
		this.results++;
		try {
			this.listener.refStatus(ref, ok, reason);
		}
		catch (RuntimeException ex) {
			// the listener's problem; keep relaying and parsing
		}
	}

	/** What a decoder tells about the packets it decodes. */
	private interface PacketHandler {

		void start(int payloadLength);

		void payload(byte[] buffer, int offset, int length);

		void end();

		void flush();

	}

	/** Incremental pkt-line decoder: a 4-hex-digit length, then the payload; bytes arrive in any pieces. */
	private final class PacketDecoder {

		private final PacketHandler handler;

		private final byte[] header = new byte[4];

		private int headerRead;

		private int remaining = -1;

		PacketDecoder(PacketHandler handler) {
			this.handler = handler;
		}

		void write(byte[] buffer, int offset, int length) {
			int position = offset;
			int end = offset + length;
			while (position < end && !ReportStatusParser.this.malformed && !ReportStatusParser.this.reportEnded) {
				if (this.remaining < 0) {
					this.header[this.headerRead++] = buffer[position++];
					if (this.headerRead == 4) {
						this.headerRead = 0;
						startPacket();
					}
					continue;
				}
				int n = Math.min(this.remaining, end - position);
				this.handler.payload(buffer, position, n);
				position += n;
				this.remaining -= n;
				if (this.remaining == 0) {
					this.remaining = -1;
					this.handler.end();
				}
			}
		}

		private void startPacket() {
			int length = 0;
			for (byte b : this.header) {
				int digit = Character.digit(b, 16);
				if (digit < 0) {
					ReportStatusParser.this.malformed = true;
					return;
				}
				length = length * 16 + digit;
			}
			if (length == 0) {
				this.handler.flush();
				return;
			}
			if (length < 4) {
				return; // delimiter (0001) or response-end (0002): no payload
			}
			if (length > MAX_PACKET) {
				ReportStatusParser.this.malformed = true;
				return;
			}
			this.handler.start(length - 4);
			if (length == 4) {
				this.handler.end();
				return;
			}
			this.remaining = length - 4;
		}

	}

	/** Side-band: the first payload byte names the channel; channel 1 carries the report's pkt-lines. */
	private final class Channels implements PacketHandler {

		private final PacketDecoder data;

		private int channel;

		Channels(PacketDecoder data) {
			this.data = data;
		}

		@Override
		public void start(int payloadLength) {
			this.channel = -1;
		}

		@Override
		public void payload(byte[] buffer, int offset, int length) {
			int position = offset;
			int n = length;
			if (this.channel < 0) {
				this.channel = buffer[position] & 0xff;
				position++;
				n--;
			}
			if (this.channel == CHANNEL_DATA && n > 0) {
				this.data.write(buffer, position, n);
			}
		}

		@Override
		public void end() {
			this.channel = -1;
		}

		@Override
		public void flush() {
			// the end of the side-band stream; the report itself ends with its own flush
		}

	}

	/** The report's own pkt-lines: {@code unpack}, then {@code ok}/{@code ng} per ref, then a flush. */
	private final class ReportLines implements PacketHandler {

		@Override
		public void start(int payloadLength) {
			ReportStatusParser.this.line.reset();
		}

		@Override
		public void payload(byte[] buffer, int offset, int length) {
			ByteArrayOutputStream current = ReportStatusParser.this.line;
			int room = MAX_LINE_BYTES - current.size();
			if (room > 0) {
				current.write(buffer, offset, Math.min(room, length));
			}
		}

		@Override
		public void end() {
			reportLine(ReportStatusParser.this.line.toByteArray());
			ReportStatusParser.this.line.reset();
		}

		@Override
		public void flush() {
			ReportStatusParser.this.reportEnded = true;
		}

	}

}
