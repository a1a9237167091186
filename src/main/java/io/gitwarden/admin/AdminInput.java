package io.gitwarden.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;

import io.gitwarden.auth.MintRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict reading of admin API input: what the API cannot honour is refused with a message that names it,
 * never ignored. Unknown query parameters and JSON fields, repeated parameters, duplicate JSON fields, a
 * body that is not {@code application/json}, values of the wrong type: each is a {@link Refused} with the
 * status and error code to answer.
 */
final class AdminInput {

	/** Largest JSON body read: 32 grants of 64 patterns each fit, with room to spare. */
	static final int MAX_BODY_BYTES = 1024 * 1024;

	/** The fields of a mint request, in the order the documentation lists them. */
	static final List<String> TOKEN_FIELDS = List.of("repo", "branch", "scope", "grants", "ttlSeconds", "session");

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private AdminInput() {
	}

	/**
	 * Refuses query parameters the endpoint does not know, and any given twice.
	 * @param known the parameters the endpoint reads (empty: none)
	 */
	static void requireQuery(HttpServletRequest request, List<String> known) {
		String query = request.getQueryString();
		if (query == null || query.isEmpty()) {
			return;
		}
		Set<String> seen = new HashSet<>();
		List<String> unknown = new ArrayList<>();
		for (String pair : query.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			String name = decode((equals >= 0) ? pair.substring(0, equals) : pair);
			if (!known.contains(name)) {
				unknown.add("'" + printable(name) + "'");
			}
			else if (!seen.add(name)) {
				throw Refused.badRequest("query parameter '" + name + "' is given more than once");
			}
		}
		if (!unknown.isEmpty()) {
			throw Refused.badRequest("unknown query parameter" + ((unknown.size() > 1) ? "s " : " ")
					+ String.join(", ", unknown) + ((known.isEmpty()) ? "; this endpoint takes none"
							: " (known: " + String.join(", ", known) + ")"));
		}
	}

	/** Reads the body as one JSON object, refusing another content type, an oversized body or bad JSON. */
	static JsonNode readJsonObject(HttpServletRequest request) throws IOException {
		String type = request.getContentType();
		if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals("application/json")) {
			throw new Refused(415, "unsupported_media_type", "send the request body as Content-Type: application/json"
					+ ((type != null) ? ", not " + printable(type) : ""));
		}
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes(MAX_BODY_BYTES + 1);
		}
		if (body.length > MAX_BODY_BYTES) {
			throw new Refused(413, "too_large", "the request body is larger than " + MAX_BODY_BYTES + " bytes");
		}
		JsonNode node;
		try {
			node = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			String duplicate = duplicateField(ex);
			throw Refused.badRequest((duplicate != null) ? "request is not valid JSON: field '" + duplicate
					+ "' is given more than once" : "request is not valid JSON");
		}
		if (node == null || !node.isObject()) {
			throw Refused.badRequest("request body must be a JSON object");
		}
		return node;
	}

	/** The fields of a mint request: only known ones, each of its type. */
	static MintRequest.Fields tokenFields(JsonNode body) {
		List<String> unknown = new ArrayList<>();
		for (String name : body.propertyNames()) {
			if (!TOKEN_FIELDS.contains(name)) {
				unknown.add("'" + printable(name) + "'");
			}
		}
		if (!unknown.isEmpty()) {
			throw Refused.badRequest("unknown field" + ((unknown.size() > 1) ? "s " : " ") + String.join(", ", unknown)
					+ " (known: " + String.join(", ", TOKEN_FIELDS) + ")");
		}
		JsonNode ttl = present(body, "ttlSeconds");
		if (ttl != null && !(ttl.isIntegralNumber() && ttl.canConvertToLong())) {
			throw Refused.badRequest("'ttlSeconds' must be a whole number of seconds");
		}
		JsonNode grants = present(body, "grants");
		return new MintRequest.Fields(string(body, "repo"), string(body, "branch"), string(body, "scope"),
				(grants != null) ? JSON.treeToValue(grants, Object.class) : null,
				(ttl != null) ? Duration.ofSeconds(ttl.longValue()) : null, string(body, "session"));
	}

	/** The field's value, or {@code null} when it is absent or JSON {@code null}. */
	private static JsonNode present(JsonNode body, String name) {
		JsonNode value = body.get(name);
		return (value == null || value.isNull()) ? null : value;
	}

	private static String string(JsonNode body, String name) {
		JsonNode value = present(body, name);
		if (value == null) {
			return null;
		}
		if (!value.isString()) {
			throw Refused.badRequest("'" + name + "' must be a string");
		}
		return value.asString();
	}

	/** The duplicated field of a strict-duplicate failure, or {@code null}. */
	private static String duplicateField(JacksonException ex) {
		String message = ex.getOriginalMessage();
		if (message != null && message.startsWith("Duplicate Object property \"")) {
			int end = message.indexOf('"', "Duplicate Object property \"".length());
			if (end > 0) {
				return printable(message.substring("Duplicate Object property \"".length(), end));
			}
		}
		return null;
	}

	private static String decode(String text) {
		try {
			return URLDecoder.decode(text, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return text;
		}
	}

	/** Caller text in a message: cut, printable ASCII only. */
	static String printable(String text) {
		String cut = (text.length() > 60) ? text.substring(0, 60) + "..." : text;
		return cut.chars()
			.mapToObj((c) -> (c >= 0x20 && c < 0x7f) ? String.valueOf((char) c) : "?")
			.collect(Collectors.joining());
	}

	/** Input the admin API refuses: the status, the {@code error} code and the message to answer. */
	static final class Refused extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final int status;

		private final String error;

		Refused(int status, String error, String message) {
			super(message, null, false, false);
			this.status = status;
			this.error = error;
		}

		static Refused badRequest(String message) {
			return new Refused(400, "bad_request", message);
		}

		int status() {
			return this.status;
		}

		String error() {
			return this.error;
		}

	}

}
