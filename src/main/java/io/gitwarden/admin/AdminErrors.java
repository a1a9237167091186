package io.gitwarden.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Admin API errors, always {@code {"error": "<code>", "message": "<text>"}} as {@code application/json}, for
 * every status: 400 {@code bad_request}, 401 {@code unauthorized}, 404 {@code not_found}, 405
 * {@code method_not_allowed}, 409 {@code no_signing_key}, 413 {@code too_large}, 415
 * {@code unsupported_media_type}, 500 {@code internal_error}, 501 {@code audit_not_readable}, 503
 * {@code store_unavailable}.
 */
final class AdminErrors {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private AdminErrors() {
	}

	static Map<String, String> body(String error, String message) {
		return Map.of("error", error, "message", message);
	}

	/**
	 * An error answer from a handler: JSON whatever the request's {@code Accept} says (the content type is
	 * set, so no negotiation happens), never cached.
	 */
	static ResponseEntity<Map<String, String>> response(int status, String error, String message) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Cache-Control", "no-store")
			.body(body(error, message));
	}

	/** Writes an error outside a handler (the authentication interceptor). */
	static void write(HttpServletResponse response, int status, String error, String message) throws IOException {
		byte[] body = JSON.writeValueAsBytes(body(error, message));
		response.setStatus(status);
		response.setContentType("application/json");
		response.setHeader("Cache-Control", "no-store");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

}
