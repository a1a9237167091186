package io.gitwarden.proxy;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
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
 * body cannot make git-warden or the upstream inflate gigabytes), then forwarded decoded, with its length.
 */
@Component
class FetchService {

	private final RequestBodies bodies;

	private final GitUpstream upstream;

	FetchService(RequestBodies bodies, GitUpstream upstream) {
		this.bodies = bodies;
		this.upstream = upstream;
	}

	ServiceResult advertise(GitRoute route, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		Permission access = (route.service() == GitService.RECEIVE_PACK) ? Permission.PUSH : Permission.FETCH;
		return relay(route, access, request, response, this.upstream.open(route, access, request, null, false));
	}

	ServiceResult fetch(GitRoute route, Grant grant, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		GitEndpoint.requireContentType(request, GitService.UPLOAD_PACK);
		try (Spool body = this.bodies.spool(this.bodies.open(request, RequestBodies.Kind.REQUEST))) {
			UpstreamResponse upstream = this.upstream.open(route, Permission.FETCH, request, PushService.body(body),
					false);
			return relay(route, Permission.FETCH, request, response, upstream);
		}
	}

	private ServiceResult relay(GitRoute route, Permission access, HttpServletRequest request,
			HttpServletResponse response, UpstreamResponse upstream) throws IOException {
		try (upstream) {
			this.upstream.startResponse(route, upstream, response);
			try {
				ResponseRelay.copy(upstream.body(), response, null);
			}
			catch (IOException ex) {
				return new ServiceResult(upstream.status(), upstream.elapsedNanos(), RefusalReason.TRANSFER_FAILED,
						RefusalReason.TRANSFER_FAILED.message(), java.util.List.of());
			}
			return ServiceResult.relayed(upstream.status(), upstream.elapsedNanos());
		}
	}

}
