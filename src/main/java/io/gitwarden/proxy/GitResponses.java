package io.gitwarden.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.policy.PushDecision;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.protocol.GitService;
import io.gitwarden.protocol.ReceivePackReport;
import io.gitwarden.protocol.SideBand;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.web.RefusalStatus;

/**
 * The git wire format of git-warden's own answers, chosen here and nowhere else: whole-request refusals
 * as a status with a {@code text/plain} body (git prints it after {@code remote: } for {@code info/refs}),
 * a 401 with a Basic challenge so git asks its credential helper; push refusals as a {@code 200}
 * report-status with an {@code ng} line per ref and {@code remote:} lines with the reason and advice; and
 * a push that cannot get per-ref lines as a side-band error (or {@code ERR} packet), which git prints.
 */
final class GitResponses {

	static final String REALM = "Basic realm=\"git-warden\"";

	static final String PREFIX = "git-warden: ";

	/** Most findings listed as {@code remote:} lines; the rest are counted. */
	static final int MAX_LISTED = 10;

	private GitResponses() {
	}

	/** Answers a whole-request refusal, unless the response has already started. */
	static void refuse(HttpServletResponse response, Refusal refusal) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		int status = RefusalStatus.of(refusal.reason());
		response.setStatus(status);
		if (status == HttpServletResponse.SC_UNAUTHORIZED) {
			response.setHeader("WWW-Authenticate", REALM);
		}
		byte[] body = (PREFIX + refusal.getMessage() + "\n" + PREFIX + refusal.advice() + "\n")
			.getBytes(StandardCharsets.UTF_8);
		response.setContentType("text/plain;charset=utf-8");
		response.setHeader("Cache-Control", "no-cache");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

	/**
	 * Answers a push refused per ref: {@code remote:} lines with the primary reason, its advice and any
	 * further lines (findings), then an {@code ng} line for every command.
	 */
	static void refusePush(HttpServletResponse response, SideBand sideBand, PushDecision decision,
			List<String> details) throws IOException {
		startResult(response);
		ReceivePackReport report = new ReceivePackReport(sideBand);
		decision.primaryRefusal().ifPresent((refusal) -> {
			report.message(PREFIX + refusal.message());
			for (String line : details) {
				report.message(PREFIX + "  " + line);
			}
			report.message(PREFIX + refusal.advice());
		});
		for (RefVerdict verdict : decision.verdicts()) {
			report.rejected(verdict.command().getRefName(), PREFIX + verdict.message());
		}
		report.writeTo(response.getOutputStream());
	}

	/**
	 * Answers a push that could not be read: malformed input (which git never sends) with a 400; limits and
	 * unsupported features, which a real git client can hit, in git's own format so it prints the reason
	 * (side-band channel 3, or an {@code ERR} packet).
	 */
	static void protocolError(HttpServletResponse response, Refusal refusal, SideBand sideBand) throws IOException {
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

}
