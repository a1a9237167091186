package io.gitwarden.proxy;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.auth.SessionAuthenticator;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.exchange.Outcome;
import io.gitwarden.policy.Authorizer;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.protocol.GitService;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamProperties;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.web.BodyException;
import io.gitwarden.web.RequestBodies;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The git smart-HTTP endpoint, as explicit stages that each return a value or throw a {@link Refusal}:
 * <pre>
 * route        GitRoute.parse(request)                     the endpoint and repository, or not git
 * authenticate SessionAuthenticator.verify, requireActive  a verified, unrevoked session
 * authorize    Authorizer.authorize(session, repo, access) the grant for the repository
 * serve        FetchService / PushService                  receive, decide, inspect, forward, report
 * record       Outcome, attached once at the end           read by the ExchangeRecorder after the response
 * </pre>
 * Refusals are put on the wire in one place ({@link GitResponses}); nothing of a refused request is ever
 * forwarded, and a body that was not read to its end is never swallowed by a server thread.
 */
@Controller
class GitEndpoint {

	private static final Log logger = LogFactory.getLog(GitEndpoint.class);

	private final SessionAuthenticator authenticator;

	private final FetchService fetches;

	private final PushService pushes;

	private final RequestBodies bodies;

	private final int maxPathDepth;

	GitEndpoint(SessionAuthenticator authenticator, FetchService fetches, PushService pushes, RequestBodies bodies,
			UpstreamProperties upstream) {
		this.authenticator = authenticator;
		this.fetches = fetches;
		this.pushes = pushes;
		this.bodies = bodies;
		this.maxPathDepth = upstream.maxPathDepth();
	}

	/**
	 * Everything no other controller claims and {@link GitRoutesFilter} did not serve: not a git endpoint,
	 * answered as such and recorded.
	 */
	@RequestMapping("/**")
	void handle(HttpServletRequest request, HttpServletResponse response) {
		handle(route(request).orElse(null), request, response);
	}

	/** The git endpoint a request is for, if any. */
	Optional<GitRoute> route(HttpServletRequest request) {
		return GitRoute.parse(request.getMethod(), request.getRequestURI(), request.getQueryString(), this.maxPathDepth);
	}

	/**
	 * Serves one request through the stages.
	 * @param route the endpoint from {@link #route}, or {@code null} when the request is for none
	 */
	void handle(GitRoute route, HttpServletRequest request, HttpServletResponse response) {
		String tokenSha256 = null;
		SessionToken session = null;
		ServiceResult result = null;
		Refusal refusal = null;
		try {
			if (route == null) {
				throw new Refusal(RefusalReason.NOT_A_GIT_ENDPOINT);
			}
			String token = SessionAuthenticator.extractToken(request.getHeader("Authorization"));
			try {
				session = this.authenticator.verify(token);
			}
			catch (Refusal failed) {
				// The audit's join key, for tokens that did not verify too; a verified one carries its own.
				tokenSha256 = JwtTokenVerifier.sha256(token);
				throw failed;
			}
			tokenSha256 = session.tokenSha256();
			this.authenticator.requireActive(session);
			Grant grant = Authorizer.authorize(session, route.repository(), access(route));
			GitRoute upstreamRoute = route.withRepository(grant.repository());
			if (route.endpoint() == GitRoute.Endpoint.ADVERTISEMENT) {
				result = this.fetches.advertise(upstreamRoute, request, response);
			}
			else if (route.service() == GitService.UPLOAD_PACK) {
				result = this.fetches.fetch(upstreamRoute, grant, request, response);
			}
			else {
				result = this.pushes.serve(upstreamRoute, grant, request, response);
			}
		}
		catch (Refusal ex) {
			refusal = ex;
			answer(response, ex);
		}
		catch (BodyException ex) {
			refusal = ex.refusal();
			answer(response, refusal);
		}
		catch (IOException ex) {
			// A stream broke mid-transfer (client or upstream went away): nothing more can be said to the client.
			refusal = new Refusal(RefusalReason.TRANSFER_FAILED);
			logger.info("Transfer aborted: " + ex.getClass().getSimpleName());
		}
		catch (RuntimeException ex) {
			// A bug. Exception messages could quote input, so the client only gets the request id.
			logger.error("Request failed", ex);
			refusal = new Refusal(RefusalReason.INTERNAL_ERROR, request.getAttribute(ExchangeRecorder.REQUEST_ID_ATTRIBUTE));
			answer(response, refusal);
		}
		catch (Error ex) {
			// Out of memory or worse: recorded as a failure all the same, then left to the container.
			refusal = new Refusal(RefusalReason.INTERNAL_ERROR, request.getAttribute(ExchangeRecorder.REQUEST_ID_ATTRIBUTE));
			throw ex;
		}
		finally {
			// An authenticated client still sending gets its body drained (bounded) so it reads the answer.
			this.bodies.finish(request, session != null);
			outcome(route, session, tokenSha256, result, refusal).attachTo(request);
		}
	}

	private static Permission access(GitRoute route) {
		return (route.service() == GitService.RECEIVE_PACK) ? Permission.PUSH : Permission.FETCH;
	}

	private static void answer(HttpServletResponse response, Refusal refusal) {
		try {
			GitResponses.refuse(response, refusal);
		}
		catch (IOException ex) {
			logger.debug("Client went away before the refusal was written");
		}
	}

	private static Outcome outcome(GitRoute route, SessionToken session, String tokenSha256, ServiceResult result,
			Refusal refusal) {
		String operation = (route != null) ? route.operation() : "rejected";
		RefusalReason reason = null;
		String message = null;
		int upstreamStatus = 0;
		long upstreamNanos = 0;
		List<ExchangeDetail> details = List.of();
		if (result != null) {
			reason = result.reason();
			message = result.reasonMessage();
			upstreamStatus = result.upstreamStatus();
			upstreamNanos = result.upstreamNanos();
			details = result.details();
		}
		if (refusal != null) {
			reason = refusal.reason();
			message = refusal.getMessage();
			if (refusal instanceof UpstreamRefusal upstream) {
				upstreamStatus = upstream.upstreamStatus();
				upstreamNanos = upstream.upstreamNanos();
			}
		}
		return new Outcome(operation, (route != null) ? route.repository() : null,
				(route != null) ? route.service().serviceName() : null, session, tokenSha256, reason, message,
				upstreamStatus, upstreamNanos, details);
	}

	/** Refuses an RPC body of another type before reading it. */
	static void requireContentType(HttpServletRequest request, GitService service) {
		String contentType = request.getContentType();
		if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(service.requestType())) {
			throw new Refusal(RefusalReason.WRONG_CONTENT_TYPE, service.requestType());
		}
	}

}
