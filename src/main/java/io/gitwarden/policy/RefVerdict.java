package io.gitwarden.policy;

import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * The policy's answer for one command of a push.
 *
 * @param command the ref update as the client sent it
 * @param reason why it was refused, or {@code null} when allowed
 * @param message the one-line refusal message ({@code null} when allowed)
 * @param advice one line of advice ({@code null} when allowed)
 */
public record RefVerdict(ReceiveCommand command, RefusalReason reason, String message, String advice) {

	static RefVerdict allowed(ReceiveCommand command) {
		return new RefVerdict(command, null, null, null);
	}

	static RefVerdict refused(ReceiveCommand command, RefusalReason reason, Object... args) {
		return new RefVerdict(command, reason, reason.message(args), reason.advice(args));
	}

	public boolean isAllowed() {
		return this.reason == null;
	}

}
