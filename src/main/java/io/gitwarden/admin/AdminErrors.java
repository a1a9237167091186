package io.gitwarden.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

/** Admin API errors, always {@code {"error": "<code>", "message": "<text>"}}. */
final class AdminErrors {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private AdminErrors() {
	}

	static Map<String, String> body(String error, String message) {
		return Map.of("error", error, "message", message);
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
