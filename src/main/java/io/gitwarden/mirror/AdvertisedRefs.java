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
 */
public record AdvertisedRefs(Map<String, ObjectId> refs, boolean complete) {

	public AdvertisedRefs {
		refs = Map.copyOf(refs);
	}

	/** The same refs, declared complete (a v2 {@code ls-refs} asked without {@code ref-prefix}). */
	public AdvertisedRefs asComplete() {
		return new AdvertisedRefs(this.refs, true);
	}

}
