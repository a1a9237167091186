package io.gitwarden.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.auth.SessionAuthenticator;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.Permission;
import io.gitwarden.policy.PushDecision;
import io.gitwarden.policy.PushPolicy;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.policy.Refusal;
import io.gitwarden.policy.RefusalReason;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.protocol.GitService;
import io.gitwarden.protocol.ProtocolException;
import io.gitwarden.protocol.ReceivePackCommandParser;
import io.gitwarden.protocol.ReceivePackRequest;
import io.gitwarden.protocol.ReportStatusParser;
import io.gitwarden.proxy.GitExchange.RefResult;
import io.gitwarden.upstream.ClientBodyException;
import io.gitwarden.upstream.GitForwarder;
import io.gitwarden.upstream.UpstreamRefusal;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.slf4j.MDC;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The git endpoint: route, authenticate, authorize, police the push, forward. Every request that is not
 * a smart-HTTP request for the token's repository with the right scope is refused here, and nothing of
 * a refused request is ever forwarded.
 */
@Controller
class GitProxyController {

	private static final Log logger = LogFactory.getLog(GitProxyController.class);

	private static final String GZIP = "gzip";

	/** MDC key of the request id in log lines. */
	static final String REQUEST_ID = "requestId";

	private static final int BUFFER_SIZE = 32 * 1024;

	private final SessionAuthenticator authenticator;

	private final PushPolicy policy;

	private final ReceivePackCommandParser parser;

	private final GitForwarder forwarder;

	private final GitResponses responses;

	private final List<GitExchangeListener> listeners;

	GitProxyController(SessionAuthenticator authenticator, PushPolicy policy, ReceivePackCommandParser parser,
			GitForwarder forwarder, GitResponses responses, List<GitExchangeListener> listeners) {
		this.listeners = List.copyOf(listeners);
		this.authenticator = authenticator;
		this.policy = policy;
		this.parser = parser;
		this.forwarder = forwarder;
		this.responses = responses;
	}

	@RequestMapping("/**")
	void handle(HttpServletRequest servletRequest, HttpServletResponse servletResponse) throws IOException {
		ExchangeRecorder exchange = new ExchangeRecorder(servletRequest, servletResponse);
		HttpServletResponse response = exchange.response();
		// Every log line written while serving this request carries its id (structured logs, audit join).
		MDC.put(REQUEST_ID, exchange.requestId());
		notifyStarted();
		try {
			serve(exchange, exchange.request(), response);
		}
		catch (Refusal refusal) {
			answer(exchange, response, refusal);
		}
		catch (ClientBodyException ex) {
			logger.info("Request " + exchange.requestId() + ": client request body failed: " + ex.getMessage());
			answer(exchange, response, new Refusal(RefusalReason.REQUEST_BODY_INCOMPLETE));
		}
		catch (IOException ex) {
			// A stream broke mid-transfer (client or upstream went away): nothing more can be said to the client.
			exchange.refused(RefusalReason.TRANSFER_FAILED, RefusalReason.TRANSFER_FAILED.message());
			logger.info("Request " + exchange.requestId() + ": transfer aborted: " + ex.getClass().getSimpleName());
		}
		catch (RuntimeException ex) {
			// A bug. Exception messages could quote input, so the client only gets the request id.
			logger.error("Request " + exchange.requestId() + " failed", ex);
			answer(exchange, response, new Refusal(RefusalReason.INTERNAL_ERROR, exchange.requestId()));
		}
		finally {
			notifyCompleted(exchange.complete());
			MDC.remove(REQUEST_ID);
		}
	}

	/** Records the refusal and answers it, unless the response has already started. */
	private void answer(ExchangeRecorder exchange, HttpServletResponse response, Refusal refusal) throws IOException {
		if (refusal instanceof UpstreamRefusal upstream) {
			exchange.forwarded(upstream.upstream());
		}
		exchange.refused(refusal.reason(), refusal.getMessage());
		if (response.isCommitted()) {
			logger.info("Request " + exchange.requestId() + ": refusal after the response started: "
					+ refusal.reason().code());
			return;
		}
		this.responses.refuse(response, refusal);
	}

	private void notifyStarted() {
		for (GitExchangeListener listener : this.listeners) {
			try {
				listener.exchangeStarted();
			}
			catch (RuntimeException ex) {
				logger.error("Exchange listener " + listener.getClass().getName() + " failed", ex);
			}
		}
	}

	private void notifyCompleted(GitExchange completed) {
		for (GitExchangeListener listener : this.listeners) {
			try {
				listener.exchangeCompleted(completed);
			}
			catch (RuntimeException ex) {
				logger.error("Exchange listener " + listener.getClass().getName() + " failed", ex);
			}
		}
	}

	private void serve(ExchangeRecorder exchange, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		GitRoute route = GitRoute.parse(request.getMethod(), request.getRequestURI(), request.getQueryString())
			.orElseThrow(() -> new Refusal(RefusalReason.NOT_A_GIT_ENDPOINT));
		exchange.route(route);
		String token = SessionAuthenticator.extractToken(request.getHeader("Authorization"));
		SessionToken session;
		try {
			session = this.authenticator.verify(token);
		}
		catch (Refusal refusal) {
			// The audit's join key, for tokens that did not verify too; a verified one carries its own.
			exchange.tokenSha256(JwtTokenVerifier.sha256(token));
			throw refusal;
		}
		exchange.tokenSha256(session.tokenSha256());
		exchange.session(session);
		this.authenticator.requireActive(session);
		Permission access = (route.service() == GitService.RECEIVE_PACK) ? Permission.PUSH : Permission.FETCH;
		authorize(session, route, access);
		GitRoute upstreamRoute = route.withRepository(session.repository());
		if (route.endpoint() == GitRoute.Endpoint.ADVERTISEMENT) {
			exchange.allowed();
			exchange.forwarded(this.forwarder.forward(upstreamRoute, access, request, null, -1, null, response, null));
			return;
		}
		String contentType = request.getContentType();
		if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(route.service().requestType())) {
			throw new Refusal(RefusalReason.WRONG_CONTENT_TYPE, route.service().requestType());
		}
		if (route.service() == GitService.UPLOAD_PACK) {
			// Fetches are read-only and repository-scoped: the body passes through untouched (gzip included).
			exchange.allowed();
			exchange.forwarded(this.forwarder.forward(upstreamRoute, access, request, request.getInputStream(),
					request.getContentLengthLong(), request.getHeader("Content-Encoding"), response, null));
			return;
		}
		push(exchange, session, upstreamRoute, request, response);
	}

	private static void authorize(SessionToken session, GitRoute route, Permission access) {
		if (!session.repository().matches(route.repository())) {
			throw new Refusal(RefusalReason.REPOSITORY_NOT_IN_SCOPE, route.repository());
		}
		if (!session.has(access)) {
			throw new Refusal(RefusalReason.SCOPE_MISSING, access.scopeName());
		}
		if (access == Permission.PUSH && session.branch() == null) {
			throw new Refusal(RefusalReason.BRANCH_MISSING);
		}
	}

	private void push(ExchangeRecorder exchange, SessionToken session, GitRoute upstreamRoute,
			HttpServletRequest request, HttpServletResponse response) throws IOException {
		InputStream body = request.getInputStream();
		long length = request.getContentLengthLong();
		String encoding = request.getHeader("Content-Encoding");
		if (encoding != null) {
			if (!encoding.equalsIgnoreCase(GZIP) && !encoding.equalsIgnoreCase("x-gzip")) {
				throw new Refusal(RefusalReason.UNSUPPORTED_FEATURE, "request Content-Encoding " + encoding);
			}
			// The commands must be read to be policed; the decoded stream is forwarded instead.
			body = new GZIPInputStream(body, BUFFER_SIZE);
			length = -1;
		}
		ReceivePackRequest push;
		try {
			push = this.parser.parse(body);
		}
		catch (ProtocolException ex) {
			drain(body);
			Refusal refusal = GitResponses.refusalFor(ex);
			exchange.refused(refusal.reason(), refusal.getMessage());
			this.responses.protocolError(response, refusal, ex.sideBand());
			return;
		}
		if (push.isProbe()) {
			// git's 4-byte probe before a chunked push: forward the lone flush, which updates nothing.
			drain(body);
			exchange.allowed();
			exchange.forwarded(this.forwarder.forward(upstreamRoute, Permission.PUSH, request,
					new ByteArrayInputStream(push.consumed()), push.consumed().length, null, response, null));
			return;
		}
		PushDecision decision = this.policy.decide(session.branch(), push.commands());
		exchange.refs(decision.verdicts());
		if (!decision.isAllowed()) {
			// Read the rest of the push first: replying early makes git print a broken pipe, not the reason.
			drain(body);
			RefVerdict first = decision.primaryRefusal().orElseThrow();
			exchange.refused(first.reason(), first.message());
			this.responses.refusePush(response, push, decision);
			return;
		}
		exchange.allowed();
		InputStream exactBody = new SequenceInputStream(new ByteArrayInputStream(push.consumed()), body);
		// Reads the upstream's own per-ref report as it streams past, for the audit log.
		ReportStatusParser upstreamReport = new ReportStatusParser(push.sideBand(), push.commands().size(),
				(ref, ok, reason) -> exchange.upstreamResult(new RefResult(ref, ok, reason)));
		exchange.forwarded(this.forwarder.forward(upstreamRoute, Permission.PUSH, request, exactBody, length, null,
				response, upstreamReport));
	}

	/** Reads and discards the rest of the body; a client that goes away meanwhile is not an error. */
	private static void drain(InputStream body) {
		byte[] buffer = new byte[BUFFER_SIZE];
		try {
			while (body.read(buffer) >= 0) {
				// discard
			}
		}
		catch (IOException ex) {
			logger.debug("Client went away while its request body was drained");
		}
	}

}
