package io.gitwarden.mirror;

import java.util.Map;

import org.eclipse.jgit.lib.ObjectId;

/**
 * Refs an upstream advertised (name to object id, peeled tag lines left out), as collected by a
 * {@link RefAdvertisementTap} or built by the caller.
 *
 * @param refs the refs; a mirror looks only at {@code refs/heads/*} and {@code refs/tags/*}
 * @param complete true when the advertisement listed every ref of the upstream (a v0/v1
 * {@code info/refs}), so a mirrored ref that is not listed was deleted upstream; false for a protocol v2
 * {@code ls-refs} answer, which may have been narrowed by {@code ref-prefix} arguments
 * @param observedNanos when the upstream sent it ({@link System#nanoTime()}): a mirror never moves its refs
 * to an advertisement older than its last fetch or adoption
 */
public record AdvertisedRefs(Map<String, ObjectId> refs, boolean complete, long observedNanos) {

	public AdvertisedRefs {
		refs = Map.copyOf(refs);
	}

	/** Refs observed now. */
	public AdvertisedRefs(Map<String, ObjectId> refs, boolean complete) {
		this(refs, complete, System.nanoTime());
	}

	/** The same refs, declared complete (a v2 {@code ls-refs} asked without {@code ref-prefix}). */
	public AdvertisedRefs asComplete() {
		return new AdvertisedRefs(this.refs, true, this.observedNanos);
	}

}
