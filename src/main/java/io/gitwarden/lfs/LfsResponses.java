package io.gitwarden.lfs;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.web.RefusalStatus;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;


/**
 * LFS's wire format of git-warden's own answers: a refusal of a whole request is the status of its reason
 * with LFS's JSON error, {@code {"message": ..., "documentation_url": ..., "request_id": ...}}, which
 * git-lfs prints; a 401 carries a Basic challenge (also as {@code LFS-Authenticate}), so git-lfs asks its
 * credential helper. Refusals of single objects are {@code error: {code, message}} in the batch answer.
 */
final class LfsResponses {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final String PREFIX = "git-warden: ";

	static final String DOCUMENTATION_URL = "https://github.com/git-warden/git-warden/blob/main/docs/lfs.md";

	static final String REALM = "Basic realm=\"git-warden\"";

	private LfsResponses() {
	}

	/** The one line git-lfs prints: the reason, then the advice. */
	static String message(Refusal refusal) {
		return PREFIX + refusal.getMessage() + "; " + refusal.advice();
	}

	/** Answers a whole-request refusal, unless the response has already started. */
	static void refuse(HttpServletRequest request, HttpServletResponse response, Refusal refusal) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		int status = RefusalStatus.of(refusal.reason());
		response.setStatus(status);
		if (status == HttpServletResponse.SC_UNAUTHORIZED) {
			response.setHeader("WWW-Authenticate", REALM);
			response.setHeader("LFS-Authenticate", REALM);
		}
		ObjectNode body = JSON.createObjectNode();
		body.put("message", message(refusal));
		body.put("documentation_url", DOCUMENTATION_URL);
		Object requestId = request.getAttribute(ExchangeRecorder.REQUEST_ID_ATTRIBUTE);
		if (requestId != null) {
			body.put("request_id", requestId.toString());
		}
		json(response, status, body);
	}

	/** Writes a JSON answer with LFS's media type. */
	static void json(HttpServletResponse response, int status, ObjectNode body) throws IOException {
		byte[] bytes = JSON.writeValueAsBytes(body);
		response.setStatus(status);
		response.setContentType(LfsUpstream.MEDIA_TYPE);
		response.setHeader("Cache-Control", "no-store");
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
		response.flushBuffer();
	}

	/** Text from the upstream, cut and reduced to printable ASCII, for a message git-lfs prints. */
	static String printable(String text, int max) {
		if (text == null) {
			return "";
		}
		String cut = (text.length() > max) ? text.substring(0, max) : text;
		return cut.replaceAll("[^\\x20-\\x7e]", "?");
	}

}
