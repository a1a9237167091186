package io.gitwarden.proxy;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.ForwardRequest;
import io.gitwarden.upstream.UpstreamClient;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.upstream.UpstreamTarget;

import org.springframework.stereotype.Component;

/**
 * The git side of the upstream: builds the request for a route (the token's spelling of the repository,
 * an allow-list of the client's headers, the upstream credential instead of the session token) and
 * judges the answer before anything of it reaches the client: only a {@code 200} with the smart-HTTP
 * content type of the endpoint is relayed; anything else (an error status, a redirect, a login page, a
 * dumb server) becomes a refusal that names what the upstream did.
 *
 * <p>Towards the upstream only {@code Git-Protocol}, {@code Accept}, {@code Accept-Encoding} (not when
 * git-warden reads the response itself: it reads the bytes as they are, so they must not be compressed)
 * and {@code User-Agent} pass, plus the {@code Content-Type} of a body. Back to the client only the
 * content and caching headers pass. Redirects are never followed.
 */
@Component
class GitUpstream {

	private static final List<String> REQUEST_HEADERS = List.of("Git-Protocol", "Accept", "User-Agent");

	private static final List<String> RESPONSE_HEADERS = List.of("Content-Encoding", "Cache-Control", "Expires",
			"Pragma");

	private final UpstreamTarget target;

	private final UpstreamClient client;

	GitUpstream(UpstreamTarget target, UpstreamClient client) {
		this.target = target;
		this.client = client;
	}

	/**
	 * Sends the request and checks the answer.
	 * @param route the endpoint, on the repository as the grant spells it
	 * @param access the access used, for narrowing the upstream credential
	 * @param request the client's request, for its headers
	 * @param body the body to send, or {@code null} for the advertisement
	 * @param readByWarden whether git-warden reads the response itself (then it is asked uncompressed)
	 * @return the open response, a {@code 200} of the endpoint's content type
	 * @throws io.gitwarden.refusal.Refusal when the upstream cannot be reached or answers something else
	 */
	UpstreamResponse open(GitRoute route, Permission access, HttpServletRequest request, ForwardRequest.Body body,
			boolean readByWarden) {
		Map<String, String> headers = new LinkedHashMap<>();
		for (String name : REQUEST_HEADERS) {
			String value = request.getHeader(name);
			if (value != null) {
				headers.put(name, value);
			}
		}
		String acceptEncoding = request.getHeader("Accept-Encoding");
		if (acceptEncoding != null && !readByWarden) {
			headers.put("Accept-Encoding", acceptEncoding);
		}
		if (body != null) {
			headers.put("Content-Type", route.service().requestType());
		}
		headers.put("Authorization", this.target.credentials().authorization(route.repository(), access));
		ForwardRequest forward = new ForwardRequest((body != null) ? "POST" : "GET", this.target.uriFor(route), headers,
				body);
		UpstreamResponse response = this.client.exchange(forward);
		try {
			check(route, response);
		}
		catch (RuntimeException ex) {
			closeQuietly(response);
			throw ex;
		}
		return response;
	}

	private static void check(GitRoute route, UpstreamResponse response) {
		int status = response.status();
		long nanos = response.elapsedNanos();
		if (status == 401 || status == 403) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_CREDENTIALS_REJECTED, status);
		}
		if (status == 404) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_NOT_FOUND, route.repository());
		}
		String type = response.header("Content-Type");
		String expected = expectedContentType(route);
		if (status == 200 && (type == null || !type.toLowerCase(Locale.ROOT).startsWith(expected))) {
			// A dumb server, an HTML page: never relay it, git would fall back to dumb HTTP.
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_NOT_GIT, status,
					(type != null) ? cut(type) : "no Content-Type");
		}
		if (status != 200) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_ERROR, status);
		}
	}

	/** Starts the client's response from a checked upstream answer. */
	void startResponse(GitRoute route, UpstreamResponse upstream, HttpServletResponse response) {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(expectedContentType(route));
		for (String name : RESPONSE_HEADERS) {
			String value = upstream.header(name);
			if (value != null) {
				response.setHeader(name, value);
			}
		}
	}

	static String expectedContentType(GitRoute route) {
		return (route.endpoint() == GitRoute.Endpoint.ADVERTISEMENT) ? route.service().advertisementType()
				: route.service().resultType();
	}

	private static String cut(String text) {
		String cut = (text.length() > 60) ? text.substring(0, 60) : text;
		return cut.replaceAll("[^\\x20-\\x7e]", "?");
	}

	static void closeQuietly(UpstreamResponse response) {
		try {
			response.close();
		}
		catch (IOException ignored) {
			// the connection is discarded
		}
	}

}
