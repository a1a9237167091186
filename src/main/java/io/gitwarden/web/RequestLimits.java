package io.gitwarden.web;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How much of a request body git-warden reads, and how slowly it may arrive ({@code warden.limits.*}).
 * Every body git-warden reads is read under these limits, so memory, threads and time per request stay
 * bounded whatever a client sends.
 *
 * @param maxPushSize largest push body (command section and pack) read (default 2GB, GitHub's limit)
 * @param maxRequestSize largest other request body read, after decoding (fetch negotiation, LFS batch,
 * API calls; default 64MB)
 * @param maxInflateRatio largest ratio of decoded to encoded bytes for a {@code gzip} body, checked once
 * more than 1 MiB was decoded (default 100; git's own bodies compress far less)
 * @param minUploadRate slowest average rate a body may arrive at, checked after {@code uploadGrace}
 * (default 10KB per second)
 * @param uploadGrace time a body may take before the rate applies (default 20s)
 * @param drainTime longest time spent reading and discarding the rest of a refused push, so git prints
 * the reason instead of a broken pipe; past it the connection is closed (default 30s)
 * @param spoolDir where request bodies larger than 64 KiB are kept while they are inspected (default the
 * system temporary directory)
 * @param concurrentInspections pushes inspected at once (their forward to the upstream is not counted);
 * more wait up to {@code inspectionQueueTimeout} (default 8)
 * @param inspectionQueueTimeout longest wait for an inspection slot before answering busy (default 30s)
 */
@ConfigurationProperties("warden.limits")
public record RequestLimits(@DefaultValue("2GB") DataSize maxPushSize, @DefaultValue("64MB") DataSize maxRequestSize,
		@DefaultValue("100") int maxInflateRatio, @DefaultValue("10KB") DataSize minUploadRate,
		@DefaultValue("20s") Duration uploadGrace, @DefaultValue("30s") Duration drainTime, Path spoolDir,
		@DefaultValue("8") int concurrentInspections, @DefaultValue("30s") Duration inspectionQueueTimeout) {

	public RequestLimits {
		if (maxPushSize.toBytes() < 1024 || maxRequestSize.toBytes() < 1024) {
			throw new IllegalArgumentException("warden.limits.max-push-size and max-request-size must be at least 1KB");
		}
		if (maxInflateRatio < 2) {
			throw new IllegalArgumentException("warden.limits.max-inflate-ratio must be at least 2");
		}
		if (minUploadRate.toBytes() < 0 || uploadGrace.isNegative() || drainTime.isNegative()) {
			throw new IllegalArgumentException("warden.limits rates and times must not be negative");
		}
		if (spoolDir == null) {
			spoolDir = Path.of(System.getProperty("java.io.tmpdir"), "git-warden");
		}
		if (concurrentInspections < 1 || inspectionQueueTimeout.isNegative()) {
			throw new IllegalArgumentException("warden.limits.concurrent-inspections must be positive");
		}
	}

}
