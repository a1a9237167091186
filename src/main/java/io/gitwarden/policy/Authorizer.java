package io.gitwarden.policy;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

/**
 * The authorization stage: which grant of a session covers a request, for one repository and one kind of
 * access. Deny by default: no grant for the repository, or a grant without the scope, refuses the whole
 * request before anything is read or forwarded.
 */
public final class Authorizer {

	private Authorizer() {
	}

	/**
	 * @return the grant for {@code repository}
	 * @throws Refusal {@link RefusalReason#REPOSITORY_NOT_IN_SCOPE}, {@link RefusalReason#SCOPE_MISSING}, or
	 * {@link RefusalReason#BRANCH_MISSING} for a push grant that names nothing to push to
	 */
	public static Grant authorize(SessionToken session, RepositoryId repository, Permission access) {
		Grant grant = session.grantFor(repository)
			.orElseThrow(() -> new Refusal(RefusalReason.REPOSITORY_NOT_IN_SCOPE, repository, session.repositories()));
		if (!grant.has(access)) {
			throw new Refusal(RefusalReason.SCOPE_MISSING, access.scopeName(), grant.repository());
		}
		if (access == Permission.PUSH && !grant.hasPushTargets()) {
			throw new Refusal(RefusalReason.BRANCH_MISSING);
		}
		return grant;
	}

}
