package io.gitwarden.inspect;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * The result of {@link PushInspector#inspect}: an {@link Outcome}, the findings, what was learned per
 * command, statistics, and, when a pack was received, its quarantine. Always close it (try-with-resources):
 * closing discards the quarantine unless {@link #promote()} moved its pack into the mirror.
 * <pre>{@code
 * try (PushInspection inspection = inspector.inspect(mirror, commands, spooledPack)) {
 *     switch (inspection.outcome()) {
 *         case ALLOWED -> { forward upstream; if the upstream accepted: inspection.promote(); }
 *         case REFUSED -> refuse, listing inspection.findings() (describe() each)
 *         case MISSING_OBJECTS -> update the mirror, inspect again from the spooled bytes (once)
 *         case CANNOT_INSPECT -> refuse with inspection.reason()
 *     }
 * }
 * }</pre>
 * Not thread-safe.
 */
public final class PushInspection implements AutoCloseable {

	/** What the caller should do. */
	public enum Outcome {

		/** Every rule passed: forward the push. */
		ALLOWED,

		/** At least one rule failed: refuse the push, listing {@link #findings()}. */
		REFUSED,

		/**
		 * An object the push builds on (a thin-pack delta base, a parent, the old tip) is in neither the
		 * mirror nor the pack: the mirror is behind the upstream. Update the mirror and inspect again; if it
		 * is still missing, refuse.
		 */
		MISSING_OBJECTS,

		/** The push could not be checked (corrupt pack, a limit, an I/O error): refuse it (fail closed). */
		CANNOT_INSPECT

	}

	private final Outcome outcome;

	private final List<Finding> findings;

	private final int findingCount;

	private final List<CommandInspection> commands;

	private final InspectionStats stats;

	private final String reason;

	private final List<ObjectId> missingObjects;

	private final Repository mirror;

	private final Quarantine quarantine;

	private final ObjectId probe;

	private boolean promoted;

	private boolean closed;

	PushInspection(Outcome outcome, List<Finding> findings, int findingCount, List<CommandInspection> commands,
			InspectionStats stats, String reason, List<ObjectId> missingObjects, Repository mirror,
			Quarantine quarantine, ObjectId probe) {
		this.outcome = outcome;
		this.findings = List.copyOf(findings);
		this.findingCount = findingCount;
		this.commands = List.copyOf(commands);
		this.stats = stats;
		this.reason = reason;
		this.missingObjects = List.copyOf(missingObjects);
		this.mirror = mirror;
		this.quarantine = quarantine;
		this.probe = probe;
	}

	public Outcome outcome() {
		return this.outcome;
	}

	/** Whether the push may be forwarded ({@link Outcome#ALLOWED}). */
	public boolean isAllowed() {
		return this.outcome == Outcome.ALLOWED;
	}

	/** The findings (at most {@link InspectionLimits#maxFindings()}), in the order they were found. */
	public List<Finding> findings() {
		return this.findings;
	}

	/** All findings, including those not kept in {@link #findings()}. */
	public int findingCount() {
		return this.findingCount;
	}

	/** Per command, in the order given: whether it is forced and what it overwrites. */
	public List<CommandInspection> commands() {
		return this.commands;
	}

	public InspectionStats stats() {
		return this.stats;
	}

	/**
	 * Why the push could not be inspected ({@link Outcome#CANNOT_INSPECT}) or which object is missing
	 * ({@link Outcome#MISSING_OBJECTS}); one line, safe to show to the client (no server paths, no
	 * secrets).
	 */
	public Optional<String> reason() {
		return Optional.ofNullable(this.reason);
	}

	/** The objects found missing ({@link Outcome#MISSING_OBJECTS}); empty otherwise. */
	public List<ObjectId> missingObjects() {
		return this.missingObjects;
	}

	/**
	 * Moves the objects of the push into the mirror, once the upstream has accepted it. Only for an
	 * {@link Outcome#ALLOWED} inspection; a push without a pack has nothing to move. After this, the
	 * mirror holds the objects but its refs are unchanged (the mirror's next update fetches them).
	 * @throws IOException when the pack could not be moved (the mirror stays as it was or gains a
	 * complete pack; it never sees an index without its pack)
	 * @throws IllegalStateException when the inspection did not allow the push, or is closed
	 */
	public void promote() throws IOException {
		if (this.outcome != Outcome.ALLOWED) {
			throw new IllegalStateException("only an allowed push may enter the mirror (was " + this.outcome + ")");
		}
		if (this.closed || this.promoted) {
			throw new IllegalStateException("the inspection is closed or already promoted");
		}
		this.promoted = true;
		if (this.quarantine != null) {
			this.quarantine.promote(this.probe, this.mirror);
		}
	}

	/** Deletes the quarantine without promoting (idempotent; {@link #close()} does it too). */
	public void discard() {
		this.closed = true;
		if (this.quarantine != null) {
			this.quarantine.close();
		}
	}

	@Override
	public void close() {
		discard();
	}

	@Override
	public String toString() {
		return "PushInspection[" + this.outcome + ", findings=" + this.findingCount + ", " + this.stats
				+ ((this.reason != null) ? ", reason=" + this.reason : "") + "]";
	}

}
