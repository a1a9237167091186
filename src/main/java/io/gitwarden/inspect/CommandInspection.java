package io.gitwarden.inspect;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * What the inspection learned about one command of the push.
 *
 * @param command the command as given (never modified)
 * @param forced the update is not a fast-forward (it was allowed, or refused with a
 * {@link ContentRule#NON_FAST_FORWARD} finding)
 * @param overwritten for a forced update, the tip it overwrites (keep it reachable, audit it); else
 * {@code null}
 */
public record CommandInspection(ReceiveCommand command, boolean forced, ObjectId overwritten) {

	/** The ref the command updates. */
	public String refName() {
		return this.command.getRefName();
	}

}
