package io.gitwarden.proxy;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.protocol.GitRoute;

import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Serves git's smart-HTTP routes ({@code info/refs}, {@code git-upload-pack}, {@code git-receive-pack}) as the
 * last filter, like JGit's {@code GitServlet}: every filter in front of it has run (Spring Security's firewall
 * and security headers, the {@code http.server.requests} observation), but not Spring MVC's dispatch, whose
 * handler lookup, argument resolution and response wrappers were a third of the time git-warden spent on a
 * request before forwarding it (issue 19). Anything else (LFS, the GitHub API, the admin API, the console,
 * paths that are no git endpoint) goes on to the dispatcher.
 * <p>
 * Paths under the admin API, the console and the GitHub API prefixes belong to those controllers and their
 * security chains whatever they end with, as they did when the dispatcher chose.
 */
final class GitRoutesFilter extends HttpFilter {

	private static final List<String> OTHER_ROUTES = List.of("/admin/", "/console/", "/api/");

	private final GitEndpoint endpoint;

	GitRoutesFilter(GitEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		Optional<GitRoute> route = ownedByOthers(request.getRequestURI()) ? Optional.empty() : this.endpoint.route(request);
		if (route.isEmpty()) {
			chain.doFilter(request, response);
			return;
		}
		ServerHttpObservationFilter.findObservationContext(request)
			.ifPresent((context) -> context.setPathPattern(pathPattern(route.get())));
		this.endpoint.handle(route.get(), request, response);
	}

	private static boolean ownedByOthers(String path) {
		for (String prefix : OTHER_ROUTES) {
			if (path.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/** The {@code uri} of {@code http.server.requests}: one value per git endpoint, never a repository. */
	static String pathPattern(GitRoute route) {
		return (route.endpoint() == GitRoute.Endpoint.ADVERTISEMENT) ? "/{repository}/info/refs"
				: "/{repository}/" + route.service().serviceName();
	}

}
