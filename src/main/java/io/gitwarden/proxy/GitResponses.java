package io.gitwarden.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.policy.PushDecision;
import io.gitwarden.policy.Refusal;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.policy.RefusalReason;
import io.gitwarden.protocol.GitService;
import io.gitwarden.protocol.ProtocolException;
import io.gitwarden.protocol.ReceivePackReport;
import io.gitwarden.protocol.ReceivePackRequest;
import io.gitwarden.protocol.SideBand;

import org.springframework.stereotype.Component;

/**
 * Writes git-warden's own answers in the form git shows best: whole-request refusals as a status with a
 * {@code text/plain} body (git prints it after {@code remote: } for {@code info/refs}), and push
 * refusals as a {@code 200} report-status with an {@code ng} line per ref.
 */
@Component
class GitResponses {

	static final String REALM = "Basic realm=\"git-warden\"";

	static final String PREFIX = "git-warden: ";

	void refuse(HttpServletResponse response, Refusal refusal) throws IOException {
		response.resetBuffer();
		response.setStatus(refusal.reason().httpStatus());
		if (refusal.reason().httpStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
			response.setHeader("WWW-Authenticate", REALM);
		}
		writeText(response, PREFIX + refusal.getMessage() + "\n" + PREFIX + refusal.advice() + "\n");
	}

	void refusePush(HttpServletResponse response, ReceivePackRequest push, PushDecision decision) throws IOException {
		startResult(response);
		ReceivePackReport report = new ReceivePackReport(push.sideBand());
		decision.primaryRefusal().ifPresent((refusal) -> {
			report.message(PREFIX + refusal.message());
			report.message(PREFIX + refusal.advice());
		});
		for (RefVerdict verdict : decision.verdicts()) {
			report.rejected(verdict.command().getRefName(), PREFIX + verdict.message());
		}
		report.writeTo(response.getOutputStream());
	}

	/** The catalogue entry for a push that could not be read. */
	static Refusal refusalFor(ProtocolException error) {
		RefusalReason reason = switch (error.kind()) {
			case MALFORMED -> RefusalReason.MALFORMED_REQUEST;
			case TOO_LARGE -> RefusalReason.REQUEST_TOO_LARGE;
			case UNSUPPORTED -> RefusalReason.UNSUPPORTED_FEATURE;
		};
		return new Refusal(reason, error.getMessage());
	}

	/**
	 * Answers a push that could not be read: malformed input (which git never sends) with a 400; limits
	 * and unsupported features, which a real git client can hit, in git's own format so it prints the
	 * reason (side-band channel 3, or an {@code ERR} packet).
	 */
	void protocolError(HttpServletResponse response, Refusal refusal, SideBand sideBand) throws IOException {
		if (refusal.reason() == RefusalReason.MALFORMED_REQUEST) {
			refuse(response, refusal);
			return;
		}
		startResult(response);
		ReceivePackReport.writeFatal(sideBand, PREFIX + refusal.getMessage(), response.getOutputStream());
	}

	private static void startResult(HttpServletResponse response) {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(GitService.RECEIVE_PACK.resultType());
		response.setHeader("Cache-Control", "no-cache");
	}

	private static void writeText(HttpServletResponse response, String text) throws IOException {
		byte[] body = text.getBytes(StandardCharsets.UTF_8);
		response.setContentType("text/plain;charset=utf-8");
		response.setHeader("Cache-Control", "no-cache");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

}
