package io.gitwarden.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;

import io.gitwarden.mirror.AdvertisedRefs;
import io.gitwarden.mirror.RefAdvertisementTap;

/**
 * Reads a ref advertisement ({@code info/refs}, or a protocol v2 {@code ls-refs} answer) as it is relayed
 * to the client, and hands the refs to the mirror once the relay is over. Write the relayed bytes (as the
 * upstream sent them, compressed or not) to {@link #stream()}; call {@link #relayed()} when the relay
 * ended, whether or not it succeeded (only a whole advertisement is used). Never throws, never blocks the
 * relay.
 */
public final class AdvertisementTap {

	/** A tap that reads nothing (the cache is off, or the advertisement is not upload-pack's). */
	public static final AdvertisementTap NONE = new AdvertisementTap(null, null, false, (refs) -> {
	});

	private final RefAdvertisementTap refs;

	private final OutputStream stream;

	private final boolean complete;

	private final Consumer<AdvertisedRefs> onRead;

	AdvertisementTap(RefAdvertisementTap refs, String contentEncoding, boolean complete,
			Consumer<AdvertisedRefs> onRead) {
		this.refs = refs;
		this.stream = (refs != null) ? RefAdvertisementTap.decoding(contentEncoding, refs) : null;
		this.complete = complete;
		this.onRead = onRead;
	}

	/** Where to copy the relayed bytes; {@code null} when nothing is read. */
	public OutputStream stream() {
		return this.stream;
	}

	/** Ends the tap; hands the refs to the mirror when the advertisement was read whole. */
	public void relayed() {
		if (this.refs == null) {
			return;
		}
		try {
			this.stream.close();
		}
		catch (IOException ex) {
			// the tap never throws; nothing to do
		}
		this.refs.refs().map((refs) -> this.complete ? refs.asComplete() : refs).ifPresent(this.onRead);
	}

	/** The state of the underlying reader (for tests). */
	RefAdvertisementTap.Status status() {
		return (this.refs != null) ? this.refs.status() : null;
	}

}
