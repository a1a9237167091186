package io.gitwarden.cache;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.mirror.Mirror;
import io.gitwarden.mirror.ServeException;
import io.gitwarden.protocol.GitService;
import io.gitwarden.web.Spool;

/**
 * One upload-pack request as the fetch cache decided it ({@link FetchCache#prepare}): served from the
 * mirror ({@link #fromMirror()} true: the mirror is leased, holds every want, and a serving slot is
 * held), or forwarded to the upstream. Close it when the request is done: it releases the lease and the
 * slot, and counts the request.
 */
public final class CachedFetch implements AutoCloseable {

	/** How serving from the mirror went. */
	public enum Served {

		/** The whole answer was written. */
		SERVED,

		/** Nothing reached the client: forward the request to the upstream instead. */
		FORWARD,

		/** Serving broke after part of the answer was written (the client sees a failed fetch). */
		BROKEN

	}

	private final CacheMetrics metrics;

	private final Mirror mirror;

	private final Spool body;

	private final Runnable releaseSlot;

	private final long waitNanos;

	private final Function<String, AdvertisementTap> lsRefsTap;

	private final boolean counted;

	private CacheResult result;

	private String bypass;

	private AdvertisementTap advertisement = AdvertisementTap.NONE;

	private boolean closed;

	private boolean released;

	private CachedFetch(CacheMetrics metrics, Mirror mirror, Spool body, Runnable releaseSlot, CacheResult result,
			String bypass, long waitNanos, Function<String, AdvertisementTap> lsRefsTap, boolean counted) {
		this.metrics = metrics;
		this.mirror = mirror;
		this.body = body;
		this.releaseSlot = releaseSlot;
		this.result = result;
		this.bypass = bypass;
		this.waitNanos = waitNanos;
		this.lsRefsTap = lsRefsTap;
		this.counted = counted;
	}

	static CachedFetch disabled(CacheMetrics metrics) {
		return new CachedFetch(metrics, null, null, null, CacheResult.BYPASS, "disabled", 0, null, false);
	}

	static CachedFetch bypass(CacheMetrics metrics, String why) {
		return new CachedFetch(metrics, null, null, null, CacheResult.BYPASS, why, 0, null, true);
	}

	static CachedFetch lsRefs(CacheMetrics metrics, Function<String, AdvertisementTap> tap) {
		return new CachedFetch(metrics, null, null, null, CacheResult.BYPASS, "ls-refs", 0, tap, false);
	}

	static CachedFetch fromMirror(CacheMetrics metrics, Mirror mirror, Spool body, CacheResult result,
			long waitNanos, Runnable releaseSlot) {
		return new CachedFetch(metrics, mirror, body, releaseSlot, result, null, waitNanos, null, true);
	}

	/** True when the request is to be served from the mirror with {@link #serve}. */
	public boolean fromMirror() {
		return this.mirror != null && this.result != CacheResult.BYPASS;
	}

	/**
	 * Serves the request from the mirror with JGit's upload-pack: status 200, the upload-pack result
	 * type, {@code Cache-Control: no-cache}, then the answer. When serving fails before anything was
	 * written, the response is reset and {@link Served#FORWARD} returned: forward the request to the
	 * upstream then (as a bypass).
	 * @param gitProtocol the request's {@code Git-Protocol} header, or {@code null}
	 */
	public Served serve(HttpServletResponse response, String gitProtocol) throws IOException {
		if (!fromMirror()) {
			throw new IllegalStateException("not served from the mirror");
		}
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(GitService.UPLOAD_PACK.resultType());
		response.setHeader("Cache-Control", "no-cache");
		try (InputStream request = this.body.open(0)) {
			long written = this.mirror.uploadPack(request, response.getOutputStream(), gitProtocol);
			this.metrics.servedFromMirror(written);
			return Served.SERVED;
		}
		catch (ServeException ex) {
			this.metrics.servedFromMirror(ex.bytesWritten());
			if (!ex.responseStarted() && !response.isCommitted()) {
				response.reset();
				this.result = CacheResult.BYPASS;
				this.bypass = "serve-failed";
				release();
				return Served.FORWARD;
			}
			return Served.BROKEN;
		}
	}

	/**
	 * The stream to copy the upstream's answer to as it is relayed, when the request is forwarded: it
	 * counts the bytes and, for an {@code ls-refs}, reads the refs. Call {@link #relayed()} after the relay.
	 * @param contentEncoding the upstream answer's {@code Content-Encoding}, or {@code null}
	 */
	public OutputStream upstreamTap(String contentEncoding) {
		if (this.lsRefsTap != null) {
			this.advertisement = this.lsRefsTap.apply(contentEncoding);
		}
		OutputStream refs = this.advertisement.stream();
		if (!this.counted) {
			return refs;
		}
		return new FilterOutputStream((refs != null) ? refs : OutputStream.nullOutputStream()) {

			@Override
			public void write(byte[] bytes, int offset, int length) throws IOException {
				CachedFetch.this.metrics.relayedFromUpstream(length);
				this.out.write(bytes, offset, length);
			}

			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

		};
	}

	/** The forwarded answer was relayed (whole or not): an {@code ls-refs} answer goes to the mirror. */
	public void relayed() {
		this.advertisement.relayed();
	}

	/**
	 * What to record: {@code cache} and the bypass reason or the wait; {@code null} when the cache is
	 * off or for an {@code ls-refs} (part of the advertisement, not a fetch).
	 */
	public ExchangeDetail detail() {
		if (!this.counted) {
			return null;
		}
		return switch (this.result) {
			case HIT -> CacheDetail.hit(this.waitNanos);
			case MISS -> CacheDetail.miss(this.waitNanos);
			case BYPASS -> CacheDetail.bypass(this.bypass);
		};
	}

	private void release() {
		if (this.mirror != null && !this.released) {
			this.released = true;
			this.releaseSlot.run();
			this.mirror.close();
		}
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (this.counted) {
			this.metrics.request(this.result);
		}
		release();
	}

}
