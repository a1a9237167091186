package io.gitwarden.auth;

import java.security.Key;

import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.UnsupportedJwtException;

/**
 * Verifies the tokens git-warden mints with its issuer key (picked by their {@code kid}) next to the
 * configured verification source, if any: an orchestrator's tokens and git-warden's admin API tokens
 * can then be used side by side.
 */
final class IssuerVerificationKeys implements VerificationKeys, AutoCloseable {

	private final IssuerKey issuerKey;

	private final VerificationKeys others;

	/**
	 * @param issuerKey git-warden's own key
	 * @param others the configured source for every other token, or {@code null}
	 */
	IssuerVerificationKeys(IssuerKey issuerKey, VerificationKeys others) {
		this.issuerKey = issuerKey;
		this.others = others;
	}

	@Override
	public Key keyFor(JwsHeader header) {
		if (this.issuerKey.keyId().equals(header.getKeyId()) || this.others == null) {
			if (!this.issuerKey.algorithm().equals(header.getAlgorithm())) {
				throw new UnsupportedJwtException("algorithm not accepted");
			}
			return this.issuerKey.publicKey();
		}
		return this.others.keyFor(header);
	}

	@Override
	public void close() throws Exception {
		if (this.others instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

}
