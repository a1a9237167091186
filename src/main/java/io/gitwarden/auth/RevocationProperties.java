package io.gitwarden.auth;

import java.nio.file.Path;

import io.gitwarden.config.Settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where revocations are kept ({@code warden.revocations.*}); see {@link SessionRevocations} for the rule.
 *
 * @param file the local file revocations are appended to, and read back from at start (default
 * {@code ./data/revocations.jsonl}); unused when {@code warden.store.url} is set (the database keeps them)
 * @param maxEntries most revocations held in memory (default 100000); past it the oldest gives way to the
 * "revoked before" watermark described in {@link SessionRevocations}
 */
@ConfigurationProperties("warden.revocations")
public record RevocationProperties(@DefaultValue("./data/revocations.jsonl") Path file,
		@DefaultValue("100000") int maxEntries) {

	public RevocationProperties {
		Settings.between("warden.revocations.max-entries", maxEntries, 1, 10_000_000);
	}

}
