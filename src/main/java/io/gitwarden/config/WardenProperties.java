package io.gitwarden.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Top-level settings ({@code warden.*}); the mode is decided by {@link DeploymentMode} before any bean
 * exists, this record gives the property its metadata and refuses unknown values.
 *
 * @param mode {@code demo} (the embedded upstream with a random signing secret, refusing any configured
 * upstream or key) or {@code relay} (a real upstream, {@code warden.upstream.url} required); unset chooses
 * the demo only when no {@code warden.upstream.*}, {@code warden.auth.*}, {@code warden.issuer.*} or
 * {@code warden.admin.*} setting is given
 */
@ConfigurationProperties("warden")
public record WardenProperties(Mode mode) {

	/** The two ways git-warden runs. */
	public enum Mode {

		/** The embedded demo upstream, for trying git-warden out. */
		DEMO,

		/** Relaying to {@code warden.upstream.url}. */
		RELAY

	}

}
