package io.gitwarden.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
import io.gitwarden.cache.AdvertisementTap;
import io.gitwarden.cache.CachedFetch;
import io.gitwarden.cache.FetchCache;
import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.protocol.GitService;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.web.RequestBodies;
import io.gitwarden.web.Spool;

import org.springframework.stereotype.Component;

/**
 * Serves the read side: the ref advertisement ({@code GET info/refs}, both services) and fetches
 * ({@code POST git-upload-pack}, protocol v0, v1 and v2). A fetch request body is read whole under the
 * request limits and decoded ({@code gzip} bodies are inflated with a bound on size and ratio, so a small
 * body cannot make git-warden or the upstream inflate gigabytes), then served from the repository's mirror
 * or forwarded decoded, with its length, as the {@link FetchCache} decides; the advertisement always comes
 * from the upstream, and the cache reads it on its way to the client.
 */
@Component
class FetchService {

	private final RequestBodies bodies;

	private final GitUpstream upstream;

	private final FetchCache cache;

	FetchService(RequestBodies bodies, GitUpstream upstream, FetchCache cache) {
		this.bodies = bodies;
		this.upstream = upstream;
		this.cache = cache;
	}

	ServiceResult advertise(GitRoute route, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		Permission access = (route.service() == GitService.RECEIVE_PACK) ? Permission.PUSH : Permission.FETCH;
		UpstreamResponse upstream = this.upstream.open(route, access, request, null, false);
		AdvertisementTap tap = this.cache.tapAdvertisement(route.service(), route.repository(),
				upstream.header("Content-Encoding"));
		ServiceResult result;
		try {
			result = relay(route, request, response, upstream, tap.stream());
		}
		finally {
			tap.relayed();
		}
		return ended(result, response);
	}

	/**
	 * @param route the endpoint on the repository of the authorized grant: the only mirror read
	 */
	ServiceResult fetch(GitRoute route, Grant grant, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		GitEndpoint.requireContentType(request, GitService.UPLOAD_PACK);
		try (Spool body = this.bodies.spool(this.bodies.open(request, RequestBodies.Kind.REQUEST));
				CachedFetch cached = this.cache.prepare(route.repository(), body)) {
			if (cached.fromMirror()) {
				CachedFetch.Served served = cached.serve(response, request.getHeader("Git-Protocol"));
				if (served == CachedFetch.Served.SERVED) {
					ResponseRelay.end(response);
				}
				if (served != CachedFetch.Served.FORWARD) {
					RefusalReason failed = (served == CachedFetch.Served.BROKEN) ? RefusalReason.TRANSFER_FAILED : null;
					return new ServiceResult(0, 0, failed, (failed != null) ? failed.message() : null,
							details(cached));
				}
			}
			UpstreamResponse upstream = this.upstream.open(route, Permission.FETCH, request, PushService.body(body),
					false);
			ServiceResult result;
			try {
				result = relay(route, request, response, upstream, cached.upstreamTap(upstream.header("Content-Encoding")));
			}
			finally {
				cached.relayed();
			}
			ended(result, response);
			return new ServiceResult(result.upstreamStatus(), result.upstreamNanos(), result.reason(),
					result.reasonMessage(), details(cached));
		}
	}

	/** Ends a response relayed whole, once what the relay fed (the mirror's view of the refs) has taken it. */
	private static ServiceResult ended(ServiceResult result, HttpServletResponse response) {
		if (result.reason() == null) {
			ResponseRelay.end(response);
		}
		return result;
	}

	private static List<ExchangeDetail> details(CachedFetch cached) {
		ExchangeDetail detail = cached.detail();
		return (detail != null) ? List.of(detail) : List.of();
	}

	/**
	 * @param tap sees every byte relayed (a ref advertisement reader, a byte counter), or {@code null}
	 */
	private ServiceResult relay(GitRoute route, HttpServletRequest request, HttpServletResponse response,
			UpstreamResponse upstream, OutputStream tap) throws IOException {
		try (upstream) {
			this.upstream.startResponse(route, upstream, response);
			try {
				ResponseRelay.copy(upstream.body(), response, tap);
			}
			catch (IOException ex) {
				return new ServiceResult(upstream.status(), upstream.elapsedNanos(), RefusalReason.TRANSFER_FAILED,
						RefusalReason.TRANSFER_FAILED.message(), List.of());
			}
			return ServiceResult.relayed(upstream.status(), upstream.elapsedNanos());
		}
	}

}
