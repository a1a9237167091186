package io.gitwarden.lfs;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * Sends the LFS routes ({@link LfsRoute}) to the {@link LfsEndpoint}, ahead of the annotated controllers:
 * the git endpoint's {@code /**} mapping never sees them, and every other path (the git routes included)
 * is left to the mappings after this one, as before. A handler mapping rather than a path pattern because
 * a repository path has a variable number of segments before {@code /info/lfs/}, which Spring's path
 * patterns cannot express.
 */
final class LfsHandlerMapping extends AbstractHandlerMapping {

	private final LfsEndpoint endpoint;

	private final int maxPathDepth;

	LfsHandlerMapping(LfsEndpoint endpoint, int maxPathDepth) {
		this.endpoint = endpoint;
		this.maxPathDepth = maxPathDepth;
		// before RequestMappingHandlerMapping (0) and the router functions (-1)
		setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
	}

	@Override
	protected Object getHandlerInternal(HttpServletRequest request) {
		Optional<LfsRoute> route = LfsRoute.parse(request.getRequestURI(), this.maxPathDepth);
		if (route.isEmpty()) {
			return null;
		}
		request.setAttribute(LfsEndpoint.ROUTE_ATTRIBUTE, route.get());
		return this.endpoint;
	}

}
