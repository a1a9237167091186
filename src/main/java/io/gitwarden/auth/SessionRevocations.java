package io.gitwarden.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Sessions revoked by an operator, enforced on every request. The rule, in full:
 * <ol>
 * <li>A revocation refuses every token of its session ({@code sub}) until
 * {@code revokedAt + max-token-lifetime + clock-skew}: no token that the verifier accepted before the
 * revocation can live longer, so a revocation is never forgotten while one of its tokens could still be
 * used.</li>
 * <li>At most {@code warden.revocations.max-entries} revocations are held. When one more arrives, the
 * oldest (by {@code revokedAt}) gives way, and the <em>watermark</em> moves up to its {@code revokedAt}:
 * from then on every token issued before {@code watermark + clock-skew} is refused, whatever its session
 * ({@code iat} decides; a token without {@code iat} counts as issued at {@code exp - max-token-lifetime},
 * the earliest it can have been). So the table never un-revokes a session; when it is full it fails closed,
 * at the cost of also refusing the older tokens of sessions that were never revoked. Those sessions need a
 * new token, which is issued after the watermark. A watermark stops mattering on its own once
 * {@code max-token-lifetime} has passed, since every token issued before it has expired by then.</li>
 * <li>Revocations are stored before they are enforced ({@link RevocationStore}): a local file, or the shared
 * database, so a restart keeps them, and with the database every instance learns them.</li>
 * </ol>
 * Lookups read a concurrent map and one volatile field; changes are serialized.
 */
public final class SessionRevocations implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(SessionRevocations.class);

	private static final Comparator<Revocation> OLDEST_FIRST = Comparator.comparing(Revocation::revokedAt)
		.thenComparing(Revocation::session);

	private final RevocationStore store;

	private final Clock clock;

	private final Duration keep;

	private final Duration clockSkew;

	private final Duration maxTokenLifetime;

	private final int maxEntries;

	private final Map<String, Revocation> bySession = new ConcurrentHashMap<>();

	private final TreeSet<Revocation> byAge = new TreeSet<>(OLDEST_FIRST);

	/** Tokens issued before this (plus the clock skew) are refused; {@code null} until the table overflows. */
	private volatile Instant watermark;

	public SessionRevocations(RevocationStore store, AuthProperties auth, int maxEntries, Clock clock) {
		this.store = store;
		this.clock = clock;
		this.clockSkew = auth.clockSkew();
		this.maxTokenLifetime = auth.maxTokenLifetime();
		this.keep = auth.maxTokenLifetime().plus(auth.clockSkew());
		this.maxEntries = maxEntries;
	}

	/** Loads the stored revocations and follows the store (call once, before serving). */
	public SessionRevocations start() {
		this.store.start(this);
		return this;
	}

	/**
	 * Revokes every token of {@code session}: stores the revocation, then enforces it.
	 * @throws RevocationStoreUnavailableException when it could not be stored (it is then not in force)
	 */
	public void revoke(String session) {
		Instant now = this.clock.instant();
		Revocation revocation = new Revocation(session, now, now.plus(this.keep));
		this.store.save(revocation);
		learned(revocation);
	}

	/** Whether this token must be refused as revoked (by its session, or by the watermark). */
	public boolean isRevoked(SessionToken token) {
		return isRevoked(token.session(), token.issuedAt(), token.expiresAt());
	}

	/**
	 * As {@link #isRevoked(SessionToken)}, for something that carries a session's id and times rather than
	 * its token (an LFS transfer URL): {@code issuedAt} may be {@code null}, then the earliest issue time
	 * that {@code expiresAt} allows is assumed.
	 */
	public boolean isRevoked(String session, Instant issuedAt, Instant expiresAt) {
		Revocation revocation = this.bySession.get(session);
		if (revocation != null && this.clock.instant().isBefore(revocation.keepUntil())) {
			return true;
		}
		Instant mark = this.watermark;
		Instant issued = (issuedAt != null) ? issuedAt : expiresAt.minus(this.maxTokenLifetime);
		return mark != null && issued.isBefore(mark.plus(this.clockSkew));
	}

	/**
	 * Enforces a revocation that is already stored (read back at start, or made on another instance).
	 * Never shortens one already known.
	 */
	public synchronized void learned(Revocation revocation) {
		Instant now = this.clock.instant();
		if (!now.isBefore(revocation.keepUntil())) {
			return;
		}
		Revocation known = this.bySession.get(revocation.session());
		Revocation merged = (known != null) ? known.merge(revocation) : revocation;
		if (known != null) {
			this.byAge.remove(known);
		}
		this.bySession.put(merged.session(), merged);
		this.byAge.add(merged);
		dropExpired(now);
		while (this.byAge.size() > this.maxEntries) {
			Revocation oldest = this.byAge.pollFirst();
			this.bySession.remove(oldest.session());
			raiseWatermark(oldest.revokedAt());
		}
	}

	/** Raises the watermark (never lowers it): tokens issued before {@code revokedBefore} are refused. */
	public synchronized void raiseWatermark(Instant revokedBefore) {
		if (this.watermark == null || revokedBefore.isAfter(this.watermark)) {
			if (this.watermark == null) {
				logger.warn("More than " + this.maxEntries + " sessions revoked (warden.revocations.max-entries): "
						+ "tokens issued before the oldest revocation dropped are refused from now on");
			}
			this.watermark = revokedBefore;
		}
	}

	private void dropExpired(Instant now) {
		while (!this.byAge.isEmpty() && !now.isBefore(this.byAge.first().keepUntil())) {
			this.bySession.remove(this.byAge.pollFirst().session());
		}
	}

	/** The revocations held now, oldest first, and the watermark (or {@code null}). */
	public synchronized Snapshot snapshot() {
		dropExpired(this.clock.instant());
		return new Snapshot(new ArrayList<>(this.byAge), this.watermark);
	}

	/** Most revocations held at once. */
	public int maxEntries() {
		return this.maxEntries;
	}

	/** How long a revocation is kept: {@code max-token-lifetime + clock-skew}. */
	public Duration keep() {
		return this.keep;
	}

	@Override
	public void close() {
		this.store.close();
	}

	/**
	 * What the table holds.
	 *
	 * @param revocations oldest first
	 * @param watermark tokens issued before it are refused, or {@code null}
	 */
	public record Snapshot(List<Revocation> revocations, Instant watermark) {

	}

}
