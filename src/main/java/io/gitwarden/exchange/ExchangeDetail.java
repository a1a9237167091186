package io.gitwarden.exchange;

import tools.jackson.databind.node.ObjectNode;

/**
 * What a feature adds to the record of a request (a push's ref updates and findings, a fetch served
 * from the cache, a GitHub API call, LFS objects). Immutable, like the {@link Exchange} that holds it.
 */
public interface ExchangeDetail {

	/**
	 * Adds this detail's fields to the audit event of the request. Must not throw; long values are cut
	 * by the audit trail itself, so write what was seen.
	 */
	void writeTo(ObjectNode event);

}
