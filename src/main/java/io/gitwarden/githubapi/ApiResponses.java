package io.gitwarden.githubapi;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.web.RefusalStatus;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * git-warden's own answers on the GitHub API routes, in GitHub's error shape
 * ({@code {"message": ..., "documentation_url": ...}}), which {@code gh} prints after {@code gh: } or
 * {@code HTTP 403: }. The message is the refusal's one line followed by its advice, so that the agent
 * reads what it may do instead.
 */
final class ApiResponses {

	/** Where the allowlist is explained. */
	static final String DOCUMENTATION_URL = "https://github.com/git-warden/git-warden/blob/main/docs/github-api.md";

	private ApiResponses() {
	}

	/** Answers a refusal, unless the response has already started. */
	static void refuse(HttpServletResponse response, Refusal refusal) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		response.setStatus(RefusalStatus.of(refusal.reason()));
		byte[] body = JsonMapper.shared().writeValueAsBytes(body(refusal));
		response.setContentType("application/json;charset=utf-8");
		response.setHeader("Cache-Control", "no-cache");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

	static ObjectNode body(Refusal refusal) {
		ObjectNode body = JsonMapper.shared().createObjectNode();
		body.put("message", message(refusal));
		body.put("documentation_url", DOCUMENTATION_URL);
		return body;
	}

	/** {@code git-warden: <message>; <advice>}: one line, as gh prints it. */
	static String message(Refusal refusal) {
		return "git-warden: " + refusal.getMessage() + "; " + refusal.advice();
	}

}
