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

	void protocolError(HttpServletResponse response, ProtocolException error) throws IOException {
		switch (error.kind()) {
			case MALFORMED -> refuse(response,
					new Refusal(RefusalReason.MALFORMED_REQUEST, error.getMessage()));
			case TOO_LARGE, UNSUPPORTED -> {
				// A real git client can hit these: answer in git's own format so it prints the reason.
				startResult(response);
				ReceivePackReport.writeFatal(error.sideBand(), PREFIX + error.getMessage(), response.getOutputStream());
			}
		}
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
