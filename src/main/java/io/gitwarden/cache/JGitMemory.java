package io.gitwarden.cache;

import org.eclipse.jgit.storage.file.WindowCacheConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Installs JGit's process-wide memory limits once, at start: the pack window cache (shared by every
 * reader of every mirror) and the unit it reads in, the delta base cache of each reader, and the size
 * above which objects are streamed instead of loaded whole. JGit's defaults (10 MiB, 10 MiB per reader, 50 MiB) assume a larger
 * heap than git-warden runs with: hundreds of concurrent readers at 10 MiB of delta bases each would not
 * fit in {@code -Xmx128m}. Windows are held by soft references, so the heap can reclaim them under
 * pressure.
 */
@Component
final class JGitMemory {

	private static final Logger logger = LoggerFactory.getLogger(JGitMemory.class);

	JGitMemory(CacheProperties properties) {
		WindowCacheConfig config = new WindowCacheConfig();
		config.setPackedGitLimit(properties.windowCacheSize().toBytes());
		config.setPackedGitWindowSize((int) properties.windowSize().toBytes());
		config.setDeltaBaseCacheLimit((int) properties.deltaBaseCacheSize().toBytes());
		config.setStreamFileThreshold((int) properties.streamFileThreshold().toBytes());
		// no MBean: several application contexts in one JVM (tests) would register it again and again
		config.setExposeStatsViaJmx(false);
		config.install();
		logger.debug("JGit window cache {} bytes in {} byte windows, delta base cache {} bytes per reader, stream "
				+ "threshold {} bytes", config.getPackedGitLimit(), config.getPackedGitWindowSize(),
				config.getDeltaBaseCacheLimit(), config.getStreamFileThreshold());
	}

}
