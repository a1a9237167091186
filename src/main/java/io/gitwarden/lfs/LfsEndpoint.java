package io.gitwarden.lfs;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.auth.SessionAuthenticator;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.web.BodyException;
import io.gitwarden.web.RequestBodies;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.HttpRequestHandler;

/**
 * The Git LFS endpoint, reached through {@link LfsHandlerMapping} for the routes of {@link LfsRoute}:
 * <pre>
 * route        LfsRoute.parse(request)                      the endpoint and repository
 * authenticate SessionAuthenticator (batch, locks)          a verified, unrevoked session
 *              TransferTokens (transfer URLs)               a URL git-warden signed for this object
 * authorize    Authorizer.authorize(session, repo, access)  the grant (fetch for downloads, push otherwise)
 * serve        BatchService / LockService / TransferService
 * record       Outcome, attached once at the end            lfs-batch, lfs-download, lfs-upload, lfs-lock
 * </pre>
 * Refusals are answered in LFS's JSON error format ({@link LfsResponses}), which git-lfs prints.
 */
final class LfsEndpoint implements HttpRequestHandler {

	private static final Log logger = LogFactory.getLog(LfsEndpoint.class);

	static final String ROUTE_ATTRIBUTE = LfsEndpoint.class.getName() + ".route";

	private final SessionAuthenticator authenticator;

	private final BatchService batches;

	private final LockService locks;

	private final TransferService transfers;

	private final RequestBodies bodies;

	LfsEndpoint(SessionAuthenticator authenticator, BatchService batches, LockService locks, TransferService transfers,
			RequestBodies bodies) {
		this.authenticator = authenticator;
		this.batches = batches;
		this.locks = locks;
		this.transfers = transfers;
		this.bodies = bodies;
	}

	@Override
	public void handleRequest(HttpServletRequest request, HttpServletResponse response) {
		LfsRoute route = (LfsRoute) request.getAttribute(ROUTE_ATTRIBUTE);
		String method = request.getMethod();
		LfsCall call = new LfsCall(route.operation(method), route.repository());
		Refusal refusal = null;
		boolean drain = false;
		try {
			if (!route.kind().accepts(method)) {
				throw new Refusal(RefusalReason.NOT_A_GIT_ENDPOINT);
			}
			switch (route.kind()) {
				case TRANSFER -> {
					if ("PUT".equals(method)) {
						this.transfers.upload(call, route, request, response);
					}
					else {
						this.transfers.download(call, route, request, response);
					}
				}
				case TRANSFER_VERIFY -> this.transfers.verify(call, route, request, response);
				default -> {
					SessionToken session = authenticate(call, request);
					drain = true;
					if (route.kind() == LfsRoute.Kind.BATCH) {
						this.batches.serve(call, session, request, response);
					}
					else {
						this.locks.serve(call, route, session, request, response);
					}
				}
			}
		}
		catch (Refusal ex) {
			refusal = ex;
			answer(request, response, ex, drain);
		}
		catch (BodyException ex) {
			refusal = ex.refusal();
			answer(request, response, refusal, drain);
		}
		catch (IOException ex) {
			// A stream broke mid-transfer (client or upstream went away): nothing more can be said to the client.
			refusal = new Refusal(RefusalReason.TRANSFER_FAILED);
			logger.info("LFS transfer aborted: " + ex.getClass().getSimpleName());
		}
		catch (RuntimeException ex) {
			// A bug. Exception messages could quote input, so the client only gets the request id.
			logger.error("LFS request failed", ex);
			refusal = new Refusal(RefusalReason.INTERNAL_ERROR, request.getAttribute(ExchangeRecorder.REQUEST_ID_ATTRIBUTE));
			answer(request, response, refusal, drain);
		}
		finally {
			// Batch and lock bodies of an authenticated client are small: drained so it reads the answer. An
			// object upload that was refused is not read on: its connection is closed after the answer.
			this.bodies.finish(request, drain);
			call.outcome(refusal).attachTo(request);
		}
	}

	private SessionToken authenticate(LfsCall call, HttpServletRequest request) {
		String token = SessionAuthenticator.extractToken(request.getHeader("Authorization"));
		SessionToken session;
		try {
			session = this.authenticator.verify(token);
		}
		catch (Refusal failed) {
			call.tokenSha256 = JwtTokenVerifier.sha256(token);
			throw failed;
		}
		call.session = session;
		call.tokenSha256 = session.tokenSha256();
		this.authenticator.requireActive(session);
		return session;
	}

	private static void answer(HttpServletRequest request, HttpServletResponse response, Refusal refusal,
			boolean drain) {
		try {
			if (!drain && !response.isCommitted() && !request.getInputStream().isFinished()) {
				// an object upload refused before its end: say that the connection closes after the answer
				response.setHeader("Connection", "close");
			}
			LfsResponses.refuse(request, response, refusal);
		}
		catch (IOException ex) {
			logger.debug("Client went away before the refusal was written");
		}
	}

}
