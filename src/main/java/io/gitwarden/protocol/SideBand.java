package io.gitwarden.protocol;

import org.eclipse.jgit.transport.SideBandOutputStream;

/** Side-band framing a client asked for; the report must be wrapped in channel 1 when it did. */
public enum SideBand {

	/** No side-band: the report is written as plain pkt-lines. */
	NONE(0),
	/** {@code side-band}: packets of at most 1000 bytes. */
	SMALL(SideBandOutputStream.SMALL_BUF),
	/** {@code side-band-64k}: packets of at most 65520 bytes. */
	LARGE(SideBandOutputStream.MAX_BUF);

	private final int packetSize;

	SideBand(int packetSize) {
		this.packetSize = packetSize;
	}

	/** The flavour named in a client's capability list; 64k wins when both are present. */
	public static SideBand requestedBy(java.util.Set<String> capabilities) {
		if (ReceivePackCommandParser.hasCapability(capabilities, ReceivePackRequest.SIDE_BAND_64K)) {
			return LARGE;
		}
		return ReceivePackCommandParser.hasCapability(capabilities, ReceivePackRequest.SIDE_BAND) ? SMALL : NONE;
	}

	int packetSize() {
		return this.packetSize;
	}

}
