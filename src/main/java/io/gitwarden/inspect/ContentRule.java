package io.gitwarden.inspect;

/**
 * The content rules of a push, each with the stable refusal code used in messages, audit events and
 * metrics.
 */
public enum ContentRule {

	/** A pushed commit adds, changes, deletes, renames or changes the mode of a protected path. */
	PROTECTED_PATH("protected-path"),

	/** A new blob contains something that looks like a credential. */
	SECRET_DETECTED("secret-detected"),

	/** A new blob is larger than {@code warden.policy.max-file-size}. */
	FILE_TOO_LARGE("file-too-large"),

	/** An update that is not a fast-forward while {@code warden.policy.force-push=deny}. */
	NON_FAST_FORWARD("non-fast-forward"),

	/** The pack carries objects that the pushed ref tips do not reach. */
	UNREFERENCED_OBJECTS("unreferenced-objects"),

	/** An author or committer email does not match {@code warden.policy.commit-email}. */
	COMMIT_EMAIL("commit-email");

	private final String code;

	ContentRule(String code) {
		this.code = code;
	}

	/** The refusal code, e.g. {@code secret-detected}. */
	public String code() {
		return this.code;
	}

	@Override
	public String toString() {
		return this.code;
	}

}
