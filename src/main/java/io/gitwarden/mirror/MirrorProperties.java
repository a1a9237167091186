package io.gitwarden.mirror;

import java.nio.file.Path;
import java.time.Duration;

import io.gitwarden.config.Settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The repository mirrors ({@code warden.mirror.*}): bare copies of upstream repositories that push
 * inspection reads and clones are served from. See {@code docs/mirror.md}.
 *
 * @param dir directory holding one bare repository per upstream repository,
 * {@code <dir>/<owner>/<name>.git} in lower case (default {@code ./data/mirrors}); deleting it between
 * requests loses nothing
 * @param maxSize disk use above which the least recently used mirrors are deleted whole (default
 * {@code 20GB}); mirrors in use are never deleted, so it can be exceeded for a while
 * @param fetchTimeout longest silence from the upstream during a mirror fetch, and longest wait for a
 * fetch slot (default {@code 5m})
 * @param maxConcurrentUpdates upstream fetches running at once, over all repositories (default 4)
 * @param gcPackThreshold number of packs in a mirror above which it is repacked (with reachability
 * bitmaps) in the background (default 10)
 * @param maxAdvertisedRefs most refs a ref advertisement tap collects before it gives up with "too many
 * refs" (default 100000)
 * @param warmUp run the code a first fetch needs once at start-up, in a background thread, on throwaway
 * repositories in the temporary directory (default true; see {@code MirrorWarmUp})
 */
@ConfigurationProperties("warden.mirror")
public record MirrorProperties(@DefaultValue("./data/mirrors") Path dir,
		@DefaultValue("20GB") DataSize maxSize, @DefaultValue("5m") Duration fetchTimeout,
		@DefaultValue("4") int maxConcurrentUpdates,
		@DefaultValue("10") int gcPackThreshold,
		@DefaultValue("100000") int maxAdvertisedRefs, @DefaultValue("true") boolean warmUp) {

	public MirrorProperties {
		Settings.between("warden.mirror.max-concurrent-updates", maxConcurrentUpdates, 1, 256);
		Settings.between("warden.mirror.gc-pack-threshold", gcPackThreshold, 2, 10_000);
		Settings.between("warden.mirror.max-advertised-refs", maxAdvertisedRefs, 1, 10_000_000);
		if (maxSize.toBytes() <= 0) {
			throw new IllegalArgumentException("warden.mirror.max-size must be positive");
		}
		if (fetchTimeout.isNegative() || fetchTimeout.toSeconds() < 1) {
			throw new IllegalArgumentException("warden.mirror.fetch-timeout must be at least 1s");
		}
	}

}
