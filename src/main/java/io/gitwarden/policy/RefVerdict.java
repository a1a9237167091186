package io.gitwarden.policy;

import io.gitwarden.refusal.RefusalReason;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * The policy's answer for one command of a push.
 *
 * @param command the ref update as the client sent it
 * @param reason why it was refused, or {@code null} when allowed
 * @param message the one-line refusal message ({@code null} when allowed)
 * @param advice one line of advice ({@code null} when allowed)
 * @param pattern the grant pattern that allowed it, or {@code null}
 */
public record RefVerdict(ReceiveCommand command, RefusalReason reason, String message, String advice, String pattern) {

	static RefVerdict allowed(ReceiveCommand command, String pattern) {
		return new RefVerdict(command, null, null, null, pattern);
	}

	public static RefVerdict refused(ReceiveCommand command, RefusalReason reason, Object... args) {
		return new RefVerdict(command, reason, reason.message(args), reason.advice(args), null);
	}

	/** The same command refused for a reason found later (content policy), with its own message. */
	public static RefVerdict refusedWith(ReceiveCommand command, RefusalReason reason, String message, String advice) {
		return new RefVerdict(command, reason, message, advice, null);
	}

	public boolean isAllowed() {
		return this.reason == null;
	}

}
