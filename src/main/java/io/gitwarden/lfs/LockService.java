package io.gitwarden.lfs;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.Authorizer;
import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.web.RequestBodies;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The locks API ({@code .../info/lfs/locks}): list ({@code GET}), create ({@code POST}), verify
 * ({@code POST locks/verify}) and delete ({@code POST locks/{id}/unlock}), each with the {@code push}
 * scope. Requests are rebuilt from the fields the API defines; {@code force: true} is refused, so a
 * session cannot delete another user's lock. The upstream's answer is passed on as JSON (a conflict's
 * {@code 409} with the existing lock too); the upstream's error messages are cut to one printable line.
 */
final class LockService {

	static final int MAX_PATH = 4096;

	static final List<String> LIST_PARAMETERS = List.of("path", "id", "cursor", "limit", "refspec");

	private final RequestBodies bodies;

	private final LfsUpstream upstream;

	LockService(RequestBodies bodies, LfsUpstream upstream) {
		this.bodies = bodies;
		this.upstream = upstream;
	}

	void serve(LfsCall call, LfsRoute route, SessionToken session, HttpServletRequest request,
			HttpServletResponse response) throws IOException {
		String method = request.getMethod();
		// Lock bodies are small and the session authenticated: read before answering (see BatchService).
		JsonNode sent = "POST".equals(method) ? read(request) : null;
		Grant grant = Authorizer.authorize(session, route.repository(), Permission.PUSH);
		call.repository = grant.repository();
		switch (route.kind()) {
			case LOCKS -> {
				if ("GET".equals(method)) {
					call.detail = LfsDetail.lock("list", null, null);
					relay(call, response, this.upstream.api(call.repository, Permission.PUSH, "GET", "locks" + query(request), null));
				}
				else {
					String path = sent.path("path").asString("");
					if (path.isEmpty() || path.length() > MAX_PATH) {
						throw new Refusal(RefusalReason.MALFORMED_REQUEST, "a lock needs a path");
					}
					ObjectNode body = LfsResponses.JSON.createObjectNode();
					body.put("path", path);
					ref(sent, body);
					call.detail = LfsDetail.lock("create", path, null);
					JsonNode answer = relay(call, response,
							this.upstream.api(call.repository, Permission.PUSH, "POST", "locks", bytes(body)));
					String id = (answer != null) ? answer.path("lock").path("id").asString(null) : null;
					call.detail = LfsDetail.lock("create", path, id);
				}
			}
			case LOCKS_VERIFY -> {
				ObjectNode body = LfsResponses.JSON.createObjectNode();
				ref(sent, body);
				if (sent.path("cursor").isString()) {
					body.put("cursor", sent.get("cursor").asString());
				}
				if (sent.path("limit").canConvertToInt()) {
					body.put("limit", sent.get("limit").asInt());
				}
				call.detail = LfsDetail.lock("verify", null, null);
				relay(call, response, this.upstream.api(call.repository, Permission.PUSH, "POST", "locks/verify", bytes(body)));
			}
			case UNLOCK -> {
				call.detail = LfsDetail.lock("unlock", null, route.argument());
				if (sent.path("force").asBoolean(false)) {
					throw new Refusal(RefusalReason.LFS_LOCK_FORCE);
				}
				ObjectNode body = LfsResponses.JSON.createObjectNode();
				ref(sent, body);
				JsonNode answer = relay(call, response, this.upstream.api(call.repository, Permission.PUSH, "POST",
						"locks/" + route.argument() + "/unlock", bytes(body)));
				String path = (answer != null) ? answer.path("lock").path("path").asString(null) : null;
				call.detail = LfsDetail.lock("unlock", path, route.argument());
			}
			default -> throw new IllegalStateException("not a lock route: " + route.kind());
		}
	}

	private JsonNode read(HttpServletRequest request) throws IOException {
		BatchService.requireJson(request);
		return BatchService.readJson(this.bodies, request);
	}

	private static void ref(JsonNode sent, ObjectNode body) {
		JsonNode ref = sent.get("ref");
		if (ref != null && ref.path("name").isString()) {
			body.putObject("ref").put("name", ref.get("name").asString());
		}
	}

	private static byte[] bytes(ObjectNode body) {
		return LfsResponses.JSON.writeValueAsBytes(body);
	}

	/** The list parameters the API defines, re-encoded; nothing else passes. */
	private static String query(HttpServletRequest request) {
		StringBuilder query = new StringBuilder();
		for (String name : LIST_PARAMETERS) {
			String value = request.getParameter(name);
			if (value != null && value.length() <= MAX_PATH) {
				query.append((query.length() == 0) ? '?' : '&')
					.append(name)
					.append('=')
					.append(URLEncoder.encode(value, StandardCharsets.UTF_8));
			}
		}
		return query.toString();
	}

	/**
	 * Passes the upstream's JSON answer on: a success, or a refusal of the lock operation itself (409 for a
	 * path locked already, 403, 404 for an unknown lock or no locking support, 422) with its message cut to
	 * one printable line. Anything else becomes git-warden's own refusal.
	 * @return the answer relayed, or {@code null} when it carried no JSON body
	 */
	private static JsonNode relay(LfsCall call, HttpServletResponse response, UpstreamResponse answer)
			throws IOException {
		call.upstream(answer);
		try (answer) {
			int status = answer.status();
			boolean success = status == 200 || status == 201;
			boolean lockError = status == 403 || status == 404 || status == 409 || status == 422;
			if (!(success || (lockError && LfsUpstream.isJson(answer)))) {
				LfsUpstream.check(call.repository, answer, 200, 201);
			}
			if (!LfsUpstream.isJson(answer)) {
				throw new UpstreamRefusal(status, answer.elapsedNanos(), RefusalReason.UPSTREAM_ERROR,
						status + " that is not LFS JSON");
			}
			JsonNode body;
			try {
				body = LfsResponses.JSON.readTree(LfsUpstream.readBounded(answer, BatchService.MAX_JSON));
			}
			catch (JacksonException ex) {
				body = null;
			}
			if (body == null || !body.isObject()) {
				throw new UpstreamRefusal(status, answer.elapsedNanos(), RefusalReason.UPSTREAM_ERROR,
						status + " that is not LFS JSON");
			}
			ObjectNode out = (ObjectNode) body;
			if (!success) {
				out = LfsResponses.JSON.createObjectNode();
				out.put("message", LfsResponses.printable(body.path("message").asString(""), BatchService.MAX_MESSAGE));
				if (body.path("lock").isObject()) {
					out.set("lock", body.get("lock"));
				}
				call.failure = new UpstreamRefusal(status, answer.elapsedNanos(), RefusalReason.UPSTREAM_ERROR, status);
			}
			LfsResponses.json(response, status, out);
			return body;
		}
	}

}
