package io.gitwarden.mirror;

import java.util.List;
import java.util.Set;

import org.eclipse.jgit.lib.ObjectId;

/**
 * What an upload-pack request ({@code POST git-upload-pack}) asks for, as far as the mirror needs to
 * know before serving it.
 *
 * @param protocolV2 true for a protocol v2 request (a {@code command=} line)
 * @param command the v2 command ({@code fetch}, {@code ls-refs}, {@code object-info}, ...); {@code fetch}
 * for protocol v0/v1, whose upload-pack requests are all fetches
 * @param wants the object ids of the {@code want} lines
 * @param wantRefs the ref names of v2 {@code want-ref} lines
 * @param refPrefixes the {@code ref-prefix} arguments of a v2 {@code ls-refs}
 * @param shallow true when the client is shallow or asks to deepen ({@code shallow}, {@code deepen*})
 * @param filter the {@code filter} spec of a partial clone, or {@code null}
 * @param unsupportedArguments v2 {@code fetch} arguments JGit's upload-pack would refuse (a capability the
 * upstream advertised and the mirror's JGit does not know), cut at 64 characters
 */
public record UploadPackRequest(boolean protocolV2, String command, Set<ObjectId> wants, List<String> wantRefs,
		List<String> refPrefixes, boolean shallow, String filter, List<String> unsupportedArguments) {

	public static final String FETCH = "fetch";

	public static final String LS_REFS = "ls-refs";

	public UploadPackRequest {
		wants = Set.copyOf(wants);
		wantRefs = List.copyOf(wantRefs);
		refPrefixes = List.copyOf(refPrefixes);
		unsupportedArguments = List.copyOf(unsupportedArguments);
	}

	/** True for a fetch (v0/v1, or v2 {@code command=fetch}). */
	public boolean isFetch() {
		return FETCH.equals(this.command);
	}

	/**
	 * True for a fetch a mirror can serve: a fetch by object id, with arguments JGit understands. A
	 * {@code want-ref} would be resolved against the mirror's refs, which may lag the upstream's: forward
	 * those to the upstream.
	 */
	public boolean servableFromMirror() {
		return isFetch() && this.wantRefs.isEmpty() && this.unsupportedArguments.isEmpty();
	}

}
