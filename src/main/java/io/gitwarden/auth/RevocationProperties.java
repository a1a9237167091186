package io.gitwarden.auth;

import java.nio.file.Path;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where revocations are kept ({@code warden.revocations.*}); see {@link SessionRevocations} for the rule.
 *
 * @param file the local file revocations are appended to, and read back from at start (default
 * {@code ./data/revocations.jsonl}); unused when {@code warden.store.url} is set (the database keeps them)
 * @param maxEntries most revocations held in memory (default 100000); past it the oldest gives way to the
 * "revoked before" watermark described in {@link SessionRevocations}
 */
@Validated
@ConfigurationProperties("warden.revocations")
public record RevocationProperties(@DefaultValue("./data/revocations.jsonl") @NotNull Path file,
		@DefaultValue("100000") @Min(1) @Max(10_000_000) int maxEntries) {

}
