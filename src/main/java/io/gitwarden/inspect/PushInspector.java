package io.gitwarden.inspect;

import java.io.InputStream;
import java.util.List;
import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * Inspects what a push carries, against the repository mirror, before it is forwarded: the content rules
 * of {@code warden.policy.*} ({@link ContentPolicyProperties}, documented in {@code docs/policy.md}).
 * <ol>
 * <li>The pack is parsed by JGit's {@link org.eclipse.jgit.transport.PackParser} into a quarantine, a
 * temporary object directory inside the mirror whose alternate is the mirror's object directory: thin-pack
 * deltas resolve against the mirror, JGit writes the pack to disk as it streams (memory stays flat), every
 * object is checked ({@link org.eclipse.jgit.lib.ObjectChecker}, collision check), and nothing enters the
 * mirror before {@link PushInspection#promote()}.</li>
 * <li>The new commits are those the pushed tips reach and no ref of the mirror (nor an old tip of the
 * push) reaches. Each is compared with its parents: a path counts as changed when its entry differs from
 * that entry in every parent; root commits add everything.</li>
 * <li>Rules: protected paths, commit emails, non-fast-forward updates, objects the tips do not reach, size
 * and secrets of every new blob (all blobs added or modified by new commits and not in the mirror, so a
 * secret added and removed again within the push is found).</li>
 * </ol>
 * Thread-safe and immutable: one instance serves every push.
 */
public final class PushInspector {

	private static final Log logger = LogFactory.getLog(PushInspector.class);

	private final CompiledPolicy policy;

	private final InspectionLimits limits;

	/** With the default {@link InspectionLimits}. */
	public PushInspector(ContentPolicyProperties policy) {
		this(policy, InspectionLimits.defaults());
	}

	public PushInspector(ContentPolicyProperties policy, InspectionLimits limits) {
		this.policy = CompiledPolicy.of(Objects.requireNonNull(policy, "policy"));
		this.limits = Objects.requireNonNull(limits, "limits");
		long heap = Runtime.getRuntime().maxMemory();
		if (heap != Long.MAX_VALUE && this.policy.maxFileSize() > heap / 3) {
			logger.warn("warden.policy.max-file-size (" + Finding.size(this.policy.maxFileSize())
					+ ") is more than a third of the heap (" + Finding.size(heap) + "): JGit resolves deltas in memory, "
					+ "so a push with a large deltified file can exhaust the heap; lower max-file-size or raise -Xmx");
		}
	}

	/**
	 * Inspects one push. Never throws for a bad push: a corrupt pack, a limit, an I/O error give
	 * {@link PushInspection.Outcome#CANNOT_INSPECT}; a missing base, parent or old tip gives
	 * {@link PushInspection.Outcome#MISSING_OBJECTS}, after which the caller updates the mirror and calls
	 * this again with a fresh stream over the same bytes.
	 * @param mirror the mirror of the upstream repository: a bare repository on disk with every object the
	 * upstream's advertised refs reach
	 * @param commands the push's commands, already authorized by ref; they are not modified
	 * @param pack the request body from the first byte of the pack ({@code PACK...}); {@code null} or an
	 * empty stream when the push carries no pack (deletions only). Read to the end, not closed.
	 * @return the result; close it (it may hold a quarantine)
	 */
	public PushInspection inspect(Repository mirror, List<ReceiveCommand> commands, InputStream pack) {
		Objects.requireNonNull(mirror, "mirror");
		Objects.requireNonNull(commands, "commands");
		if (mirror.getDirectory() == null) {
			throw new IllegalArgumentException("the mirror must be a repository on disk");
		}
		return new InspectionRun(this.policy, this.limits, mirror, commands).run(pack);
	}

}
