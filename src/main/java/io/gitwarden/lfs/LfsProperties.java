package io.gitwarden.lfs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Git LFS through git-warden ({@code warden.lfs.*}).
 *
 * @param maxObjectSize largest LFS object git-warden uploads or downloads (default 2GB, GitHub's limit)
 * @param maxUploadBytesPerSession most bytes of LFS objects one session may upload, counted in memory by
 * each replica (default unset: no limit)
 * @param signingKey key of git-warden's transfer URLs (HMAC-SHA256 signature, AES-GCM for the upstream's
 * URL and headers inside them), at least 32 bytes; unset generates a random one per process, so with
 * several replicas it must be set, to the same value on each (from the Secret)
 * @param transferTtl longest life of a transfer URL git-warden hands out (default 5m); the upstream's
 * expiry and the session token's expiry shorten it
 */
@ConfigurationProperties("warden.lfs")
public record LfsProperties(@DefaultValue("2GB") DataSize maxObjectSize, DataSize maxUploadBytesPerSession,
		String signingKey, @DefaultValue("5m") Duration transferTtl) {

	/** Shortest signing key, in bytes (UTF-8). */
	static final int MIN_KEY_BYTES = 32;

	public LfsProperties {
		if (maxObjectSize.toBytes() < 1) {
			throw new IllegalArgumentException("warden.lfs.max-object-size must be positive");
		}
		if (maxUploadBytesPerSession != null && maxUploadBytesPerSession.toBytes() < 1) {
			throw new IllegalArgumentException("warden.lfs.max-upload-bytes-per-session must be positive");
		}
		if (signingKey != null && signingKey.isEmpty()) {
			signingKey = null;
		}
		if (signingKey != null && signingKey.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
			throw new IllegalArgumentException("warden.lfs.signing-key must be at least " + MIN_KEY_BYTES + " bytes");
		}
		if (transferTtl.isNegative() || transferTtl.isZero() || transferTtl.compareTo(Duration.ofHours(1)) > 0) {
			throw new IllegalArgumentException("warden.lfs.transfer-ttl must be positive and at most 1h");
		}
	}

	@Override
	public String toString() {
		return "LfsProperties[maxObjectSize=" + this.maxObjectSize + ", maxUploadBytesPerSession="
				+ this.maxUploadBytesPerSession + ", signingKey=" + ((this.signingKey != null) ? "<set>" : "<unset>")
				+ ", transferTtl=" + this.transferTtl + "]";
	}

}
