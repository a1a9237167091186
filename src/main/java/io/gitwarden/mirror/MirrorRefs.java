package io.gitwarden.mirror;

import java.util.List;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.RefSpec;

/** Which refs a mirror copies from the upstream, and which are its own. */
final class MirrorRefs {

	/** git-warden's own refs: never fetched, never pruned, never advertised or served. */
	static final String WARDEN = "refs/warden/";

	/** Tips overwritten by force pushes or deleted by pushes through git-warden. */
	static final String OVERWRITTEN = WARDEN + "overwritten/";

	/** Branches and tags only: not GitHub's {@code refs/pull/*} nor any other namespace. */
	static final List<RefSpec> FETCH_SPECS = List.of(new RefSpec("+refs/heads/*:refs/heads/*"),
			new RefSpec("+refs/tags/*:refs/tags/*"));

	private MirrorRefs() {
	}

	/** True for the refs a mirror copies from the upstream ({@code refs/heads/*}, {@code refs/tags/*}). */
	static boolean isMirrored(String name) {
		return name.startsWith(Constants.R_HEADS) || name.startsWith(Constants.R_TAGS);
	}

	static boolean isHidden(String name) {
		return name.startsWith(WARDEN);
	}

}
