package io.gitwarden.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.gitwarden.inspect.CommandInspection;
import io.gitwarden.inspect.ContentPolicyProperties;
import io.gitwarden.inspect.ContentRule;
import io.gitwarden.inspect.Finding;
import io.gitwarden.inspect.PushInspection;
import io.gitwarden.inspect.PushInspector;
import io.gitwarden.mirror.Mirror;
import io.gitwarden.mirror.MirrorException;
import io.gitwarden.mirror.MirrorUpdate;
import io.gitwarden.mirror.RepositoryMirrors;
import io.gitwarden.policy.PushDecision;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.DataSizes;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.web.RequestLimits;
import io.gitwarden.web.Spool;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;

import org.springframework.stereotype.Component;

/**
 * The inspection stage of a push: what the pushed pack carries is checked against the content rules
 * ({@code docs/policy.md}) before anything is forwarded, against the repository's mirror, without cloning.
 * <ol>
 * <li>a slot: at most {@code warden.limits.concurrent-inspections} pushes are inspected at once (the rest
 * wait, then are told git-warden is busy);</li>
 * <li>the mirror holds every object the push builds on (its {@code old} ids; fetched incrementally when
 * not, one fetch shared by concurrent pushes);</li>
 * <li>the pack is parsed into a quarantine and the rules run over the new commits; a thin-pack base the
 * mirror lacks makes it fetch once and inspect again;</li>
 * <li>whatever cannot be inspected is refused (fail closed).</li>
 * </ol>
 * After the upstream accepted the push, {@link Inspected#accepted} moves its objects into the mirror and
 * its refs along once the client has its answer, so the next push needs no fetch; a refused push's objects
 * never enter the mirror.
 */
@Component
class PushInspections {

	private static final Log logger = LogFactory.getLog(PushInspections.class);

	private final PushInspector inspector;

	private final RepositoryMirrors mirrors;

	private final ContentPolicyProperties policy;

	private final Semaphore slots;

	private final long queueTimeoutNanos;

	PushInspections(PushInspector inspector, RepositoryMirrors mirrors, ContentPolicyProperties policy,
			RequestLimits limits) {
		this.inspector = inspector;
		this.mirrors = mirrors;
		this.policy = policy;
		this.slots = new Semaphore(limits.concurrentInspections(), true);
		this.queueTimeoutNanos = limits.inspectionQueueTimeout().toNanos();
	}

	/**
	 * Inspects a push whose refs are allowed.
	 * @param repository the repository, as the grant spells it
	 * @param commands the push's commands
	 * @param spool the body; the pack starts at {@code packOffset}
	 * @return the inspected push: allowed or refused per ref; close it
	 * @throws Refusal {@link RefusalReason#SERVER_BUSY} when no slot frees up in time
	 */
	Inspected inspect(RepositoryId repository, List<ReceiveCommand> commands, Spool spool, long packOffset)
			throws IOException {
		acquire();
		Mirror mirror = null;
		try {
			mirror = this.mirrors.open(repository);
			MirrorUpdate update = mirror.ensureObjects(oldIds(commands));
			PushInspection inspection = run(mirror, commands, spool, packOffset);
			if (inspection.outcome() == PushInspection.Outcome.MISSING_OBJECTS) {
				List<ObjectId> missing = inspection.missingObjects();
				inspection.close();
				update = mirror.ensureObjects(missing);
				inspection = run(mirror, commands, spool, packOffset);
			}
			return new Inspected(this, mirror, inspection, update.outcome().label());
		}
		catch (MirrorException ex) {
			// fail closed: a push that cannot be checked is not forwarded
			logger.info("Push to " + repository + " not inspected, mirror " + ex.reason().code() + ": " + ex.getMessage());
			close(mirror);
			return Inspected.failed(this, commands, "the repository mirror is unavailable (" + ex.reason().code() + ")");
		}
		catch (IOException | RuntimeException | Error ex) {
			close(mirror);
			throw ex;
		}
		finally {
			// the slot bounds the work of inspecting (CPU, inflaters, JGit's caches), not the forward that
			// follows: an allowed push streaming to a slow upstream must not keep other pushes waiting
			this.slots.release();
		}
	}

	private PushInspection run(Mirror mirror, List<ReceiveCommand> commands, Spool spool, long packOffset)
			throws IOException {
		try (InputStream pack = spool.open(packOffset)) {
			return this.inspector.inspect(mirror.repository(), commands, pack);
		}
	}

	private void acquire() {
		try {
			if (!this.slots.tryAcquire(this.queueTimeoutNanos, TimeUnit.NANOSECONDS)) {
				throw new Refusal(RefusalReason.SERVER_BUSY, "every push inspection slot is taken");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new Refusal(RefusalReason.SERVER_BUSY, "interrupted while waiting for an inspection slot");
		}
	}

	private static Set<ObjectId> oldIds(List<ReceiveCommand> commands) {
		Set<ObjectId> ids = new LinkedHashSet<>();
		for (ReceiveCommand command : commands) {
			if (!command.getOldId().equals(ObjectId.zeroId())) {
				ids.add(command.getOldId().copy());
			}
		}
		return ids;
	}

	private static void close(Mirror mirror) {
		if (mirror != null) {
			mirror.close();
		}
	}

	static RefusalReason reason(ContentRule rule) {
		return switch (rule) {
			case PROTECTED_PATH -> RefusalReason.PROTECTED_PATH;
			case SECRET_DETECTED -> RefusalReason.SECRET_DETECTED;
			case FILE_TOO_LARGE -> RefusalReason.FILE_TOO_LARGE;
			case NON_FAST_FORWARD -> RefusalReason.NON_FAST_FORWARD;
			case UNREFERENCED_OBJECTS -> RefusalReason.UNREFERENCED_OBJECTS;
			case COMMIT_EMAIL -> RefusalReason.COMMIT_EMAIL;
		};
	}

	/** An inspected push: its decision, and what to do once the upstream has answered. Holds the mirror open. */
	static final class Inspected implements AutoCloseable {

		private final PushInspections owner;

		private final Mirror mirror;

		private final PushInspection inspection;

		private final String mirrorOutcome;

		private final List<ReceiveCommand> commands;

		private final String failure;

		private boolean closed;

		private Inspected(PushInspections owner, Mirror mirror, PushInspection inspection, String mirrorOutcome) {
			this.owner = owner;
			this.mirror = mirror;
			this.inspection = inspection;
			this.mirrorOutcome = mirrorOutcome;
			this.commands = null;
			this.failure = (inspection.outcome() == PushInspection.Outcome.CANNOT_INSPECT
					|| inspection.outcome() == PushInspection.Outcome.MISSING_OBJECTS)
							? inspection.reason().orElse("the pack could not be read") : null;
		}

		private Inspected(PushInspections owner, List<ReceiveCommand> commands, String failure) {
			this.owner = owner;
			this.mirror = null;
			this.inspection = null;
			this.mirrorOutcome = "failed";
			this.commands = commands;
			this.failure = failure;
		}

		static Inspected failed(PushInspections owner, List<ReceiveCommand> commands, String failure) {
			return new Inspected(owner, commands, failure);
		}

		boolean isAllowed() {
			return this.failure == null && this.inspection.isAllowed();
		}

		/**
		 * The per-ref decision for a refused push: a ref a finding names gets that finding's reason; the
		 * others get the first finding's reason (the push is refused whole).
		 */
		PushDecision decision(PushDecision refs) {
			List<RefVerdict> verdicts = new ArrayList<>(refs.verdicts().size());
			for (RefVerdict verdict : refs.verdicts()) {
				verdicts.add(verdict(verdict.command()));
			}
			return PushDecision.wholeOrNothing(verdicts);
		}

		private RefVerdict verdict(ReceiveCommand command) {
			if (this.failure != null) {
				return RefVerdict.refused(command, RefusalReason.INSPECTION_FAILED, this.failure);
			}
			Finding first = null;
			for (Finding finding : this.inspection.findings()) {
				if (command.getRefName().equals(finding.ref())) {
					return refused(command, finding);
				}
				if (first == null && finding.ref() == null) {
					first = finding;
				}
			}
			return (first != null) ? refused(command, first)
					: RefVerdict.refused(command, RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED);
		}

		private RefVerdict refused(ReceiveCommand command, Finding finding) {
			RefusalReason reason = reason(finding.rule());
			ContentPolicyProperties policy = this.owner.policy;
			Object[] args = switch (reason) {
				case PROTECTED_PATH -> new Object[] { String.join(", ", policy.protectedPaths()) };
				case FILE_TOO_LARGE -> new Object[] { DataSizes.format(policy.maxFileSize()) };
				case NON_FAST_FORWARD -> new Object[] { command.getRefName() };
				default -> new Object[0];
			};
			return RefVerdict.refused(command, reason, args);
		}

		/** {@code remote:} lines for a refused push: up to ten findings, then a count. */
		List<String> details() {
			if (this.failure != null || this.inspection == null) {
				return List.of();
			}
			List<String> lines = new ArrayList<>();
			List<Finding> findings = this.inspection.findings();
			for (int i = 0; i < findings.size() && i < GitResponses.MAX_LISTED; i++) {
				lines.add(findings.get(i).describe());
			}
			int more = this.inspection.findingCount() - lines.size();
			if (more > 0) {
				lines.add("... and " + more + " more");
			}
			return lines;
		}

		/** Allowed non-fast-forward updates: ref name to the overwritten id. */
		Map<String, String> forced() {
			Map<String, String> forced = new LinkedHashMap<>();
			if (this.inspection != null) {
				for (CommandInspection command : this.inspection.commands()) {
					if (command.forced() && command.overwritten() != null) {
						forced.put(command.refName(), command.overwritten().name());
					}
				}
			}
			return forced;
		}

		/** The record of the inspection. */
		InspectionDetail detail() {
			return new InspectionDetail(this.mirrorOutcome, (this.inspection != null) ? this.inspection.stats() : null,
					(this.inspection != null) ? this.inspection.findings() : List.of(),
					(this.inspection != null) ? this.inspection.findingCount() : 0, this.failure);
		}

		/**
		 * The upstream accepted these commands: returns the step that moves their objects into the mirror
		 * and its refs along (keeping overwritten tips), to run once the client has its answer. Until that
		 * step is done, a request about to fetch into this mirror waits for it instead, so the client's next
		 * push finds its commits there. The step never fails the push: a mirror left behind is repaired by the
		 * next fetch.
		 */
		Runnable accepted(List<ReceiveCommand> accepted) {
			if (this.inspection == null || !this.inspection.isAllowed() || accepted.isEmpty()) {
				return () -> {
				};
			}
			Mirror.PendingAdoption pending = this.mirror.announceAdoption();
			return () -> {
				try (pending) {
					this.inspection.promote();
					this.mirror.adopt(null, null, accepted);
				}
				catch (IOException | MirrorException | RuntimeException ex) {
					logger.info("Mirror of " + this.mirror.repositoryId() + " not updated after a push: " + ex.getMessage());
				}
			};
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			try {
				if (this.inspection != null) {
					this.inspection.close();
				}
			}
			finally {
				PushInspections.close(this.mirror);
			}
		}

	}

}
