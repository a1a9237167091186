package io.gitwarden.cache;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.gitwarden.mirror.Mirror;
import io.gitwarden.mirror.MirrorException;
import io.gitwarden.mirror.MirrorProperties;
import io.gitwarden.mirror.MirrorUpdate;
import io.gitwarden.mirror.RefAdvertisementTap;
import io.gitwarden.mirror.RepositoryMirrors;
import io.gitwarden.mirror.UploadPackRequest;
import io.gitwarden.mirror.UploadPackRequestParser;
import io.gitwarden.mirror.UploadPackRequestParser.InvalidRequestException;
import io.gitwarden.protocol.GitService;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.web.Spool;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jgit.lib.Constants;

import org.springframework.stereotype.Component;

/**
 * The fetch cache: serves {@code POST git-upload-pack} fetches from the repository's mirror, with the
 * upstream as the gate. See {@code docs/cache.md}.
 * <ul>
 * <li>The ref advertisement always comes from the upstream ({@code info/refs}, and protocol v2
 * {@code ls-refs}); {@link #tapAdvertisement} and {@link CachedFetch#upstreamTap} read it on its way to
 * the client, and the mirror is brought to it afterwards ({@link MirrorRefresher}).</li>
 * <li>A fetch by object id (protocol v0/v1, v2 {@code fetch}; shallow and filtered included) is served
 * from the mirror when it has every {@code want}, after one fetch from the upstream (shared by every
 * request that needs it) when it has not. Anything else, and anything the mirror cannot serve, goes to
 * the upstream as without the cache.</li>
 * <li>Only the mirror of the repository the caller names is read: the caller passes the repository of
 * the authorized grant, and mirrors share no objects.</li>
 * </ul>
 */
@Component
public class FetchCache {

	private final CacheProperties properties;

	private final RepositoryMirrors mirrors;

	private final MirrorRefresher refresher;

	private final CacheMetrics metrics;

	private final UploadPackRequestParser parser;

	private final int maxAdvertisedRefs;

	private final Semaphore serves;

	FetchCache(CacheProperties properties, MirrorProperties mirrorProperties, RepositoryMirrors mirrors,
			MirrorRefresher refresher, CacheMetrics metrics, MeterRegistry registry, JGitMemory memory) {
		this.properties = properties;
		this.mirrors = mirrors;
		this.refresher = refresher;
		this.metrics = metrics;
		this.maxAdvertisedRefs = mirrorProperties.maxAdvertisedRefs();
		// the want lines of one request: as many as the refs a mirror follows
		this.parser = new UploadPackRequestParser(mirrorProperties.maxAdvertisedRefs());
		this.serves = new Semaphore(properties.maxConcurrentServes(), true);
		Gauge.builder("warden.cache.serves.active", this.serves,
				(slots) -> properties.maxConcurrentServes() - slots.availablePermits())
			.description("Fetches being served from the mirrors now")
			.register(registry);
	}

	/** True when fetches are served from the mirrors ({@code warden.cache.enabled}). */
	public boolean enabled() {
		return this.properties.enabled();
	}

	/**
	 * A tap for the {@code info/refs} answer of {@code service} on {@code repository}: for upload-pack,
	 * the advertised branches and tags are handed to the mirror once relayed; {@link AdvertisementTap#NONE}
	 * for receive-pack or when the cache is off.
	 * @param contentEncoding the upstream answer's {@code Content-Encoding}, or {@code null}
	 */
	public AdvertisementTap tapAdvertisement(GitService service, RepositoryId repository, String contentEncoding) {
		if (!enabled() || service != GitService.UPLOAD_PACK) {
			return AdvertisementTap.NONE;
		}
		return new AdvertisementTap(RefAdvertisementTap.forInfoRefs(this.maxAdvertisedRefs), contentEncoding, false,
				(refs) -> this.refresher.submit(repository, refs));
	}

	/**
	 * Looks at an upload-pack request and decides where it is served: from the mirror (which is then
	 * ready: leased, holding every want, with a serving slot) or from the upstream. Close the result.
	 * @param repository the repository of the authorized grant
	 * @param body the decoded request body, read again to serve or forward it
	 */
	public CachedFetch prepare(RepositoryId repository, Spool body) throws IOException {
		if (!enabled()) {
			return CachedFetch.disabled(this.metrics);
		}
		UploadPackRequest request;
		try (InputStream in = body.open(0)) {
			request = this.parser.parse(in);
		}
		catch (InvalidRequestException ex) {
			// the upstream judges it and answers the client as it would without the cache
			return CachedFetch.bypass(this.metrics, "unreadable");
		}
		if (UploadPackRequest.LS_REFS.equals(request.command())) {
			return CachedFetch.lsRefs(this.metrics, (contentEncoding) -> new AdvertisementTap(
					RefAdvertisementTap.forLsRefs(this.maxAdvertisedRefs), contentEncoding,
					listsEveryMirroredRef(request.refPrefixes()), (refs) -> this.refresher.submit(repository, refs)));
		}
		if (!request.isFetch()) {
			return CachedFetch.bypass(this.metrics, "command");
		}
		if (!request.wantRefs().isEmpty()) {
			return CachedFetch.bypass(this.metrics, "want-ref");
		}
		if (!request.servableFromMirror()) {
			// an argument for a capability the upstream advertised that JGit does not know
			return CachedFetch.bypass(this.metrics, "argument");
		}
		if (request.wants().isEmpty()) {
			return CachedFetch.bypass(this.metrics, "no-wants");
		}
		return fromMirror(repository, request, body);
	}

	private CachedFetch fromMirror(RepositoryId repository, UploadPackRequest request, Spool body) {
		long start = System.nanoTime();
		// the refs this session was just shown, deletions included, before its wants are checked
		this.refresher.await(repository);
		// The slot first: checking that the wants are reachable walks JGit's bitmap index, which costs heap
		// per request as serving does; hundreds of clones at once must wait for a slot, not all check at once.
		if (!acquireServeSlot()) {
			return CachedFetch.bypass(this.metrics, "busy");
		}
		Mirror mirror = null;
		CachedFetch served = null;
		try {
			mirror = this.mirrors.open(repository);
			MirrorUpdate update = mirror.ensureServable(request.wants());
			CacheResult result = (update.outcome() == MirrorUpdate.Outcome.HIT) ? CacheResult.HIT : CacheResult.MISS;
			served = CachedFetch.fromMirror(this.metrics, mirror, body, result, System.nanoTime() - start,
					this.serves::release);
			return served;
		}
		catch (MirrorException ex) {
			return CachedFetch.bypass(this.metrics, ex.reason().code());
		}
		finally {
			// handed over to the CachedFetch, which releases both when it is closed; otherwise here, whatever failed
			if (served == null) {
				this.serves.release();
				if (mirror != null) {
					mirror.close();
				}
			}
		}
	}

	private boolean acquireServeSlot() {
		try {
			return this.serves.tryAcquire(this.properties.serveWait().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * True when an {@code ls-refs} with these {@code ref-prefix} arguments lists every branch and tag
	 * (none, or prefixes of {@code refs/heads/} and of {@code refs/tags/}, as {@code git clone} and
	 * {@code git fetch} send): then a branch or tag it does not list was deleted upstream.
	 */
	static boolean listsEveryMirroredRef(List<String> refPrefixes) {
		if (refPrefixes.isEmpty()) {
			return true;
		}
		return covers(refPrefixes, Constants.R_HEADS) && covers(refPrefixes, Constants.R_TAGS);
	}

	private static boolean covers(List<String> refPrefixes, String namespace) {
		for (String prefix : refPrefixes) {
			if (namespace.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

}
