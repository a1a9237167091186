package io.gitwarden.cache;

import java.time.Duration;

import io.gitwarden.config.Settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The fetch cache ({@code warden.cache.*}): clones and fetches served from the repository mirrors, with
 * the upstream's ref advertisement as the gate. See {@code docs/cache.md}.
 *
 * @param enabled serve fetches from the mirrors (default {@code true}); off, every fetch goes to the
 * upstream as it did before the cache
 * @param maxConcurrentServes fetches served from the mirrors at once (default 32); each holds about
 * 200 KiB of heap while it writes its pack (JGit's side-band and copy buffers) plus its object list, so
 * this bounds the heap the cache can take whatever the number of clients. Requests beyond it wait
 * @param serveWait longest wait for a serving slot (default {@code 30s}); a fetch that waited this long
 * is forwarded to the upstream instead
 * @param windowCacheSize heap JGit keeps for pack file windows, shared by every reader of every mirror
 * (JGit's {@code core.packedGitLimit}, default {@code 16MB})
 * @param windowSize the unit in which JGit reads pack files into that cache (JGit's
 * {@code core.packedGitWindowSize}, a power of 2, default {@code 64KB}; JGit's own 8 KiB costs a served
 * 200 MiB clone almost twice the CPU)
 * @param deltaBaseCacheSize heap each reader may keep for delta bases (JGit's
 * {@code core.deltaBaseCacheLimit}, default {@code 2MB}); a reader is one request or one GC
 * @param streamFileThreshold objects larger than this are streamed rather than loaded whole (JGit's
 * {@code core.streamFileThreshold}, default {@code 8MB})
 */
@ConfigurationProperties("warden.cache")
public record CacheProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("32") int maxConcurrentServes,
		@DefaultValue("30s") Duration serveWait, @DefaultValue("16MB") DataSize windowCacheSize,
		@DefaultValue("64KB") DataSize windowSize, @DefaultValue("2MB") DataSize deltaBaseCacheSize,
		@DefaultValue("8MB") DataSize streamFileThreshold) {

	public CacheProperties {
		Settings.between("warden.cache.max-concurrent-serves", maxConcurrentServes, 1, 100_000);
		if (serveWait.isNegative()) {
			throw new IllegalArgumentException("warden.cache.serve-wait must not be negative");
		}
		if (windowCacheSize.toBytes() < 256 * 1024) {
			throw new IllegalArgumentException("warden.cache.window-cache-size must be at least 256KB");
		}
		long window = windowSize.toBytes();
		if (window < 4096 || window > 16 * 1024 * 1024 || Long.bitCount(window) != 1) {
			throw new IllegalArgumentException("warden.cache.window-size must be a power of 2 between 4KB and 16MB");
		}
		if (window * 4 > windowCacheSize.toBytes()) {
			throw new IllegalArgumentException("warden.cache.window-cache-size must hold at least 4 windows");
		}
		if (deltaBaseCacheSize.toBytes() < 0 || deltaBaseCacheSize.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("warden.cache.delta-base-cache-size must be between 0 and 2GB");
		}
		if (streamFileThreshold.toBytes() < 64 * 1024 || streamFileThreshold.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("warden.cache.stream-file-threshold must be between 64KB and 2GB");
		}
	}

}
