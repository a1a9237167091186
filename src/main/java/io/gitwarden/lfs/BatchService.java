package io.gitwarden.lfs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.Authorizer;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.DataSizes;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.web.RequestBodies;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The batch API ({@code POST .../info/lfs/objects/batch}): {@code download} needs the {@code fetch} scope,
 * {@code upload} {@code push}. The request is read under the request limits, checked, and rebuilt from
 * what it may carry (operation, the basic transfer, object ids and sizes, the ref) for the upstream's
 * batch endpoint. Objects above {@code warden.lfs.max-object-size}, and uploads past the session's upload
 * limit, are refused one by one with an {@code error}. In the upstream's answer every action's
 * {@code href} becomes one of git-warden's transfer URLs, no upstream {@code header} is passed on, and
 * the expiry is that of git-warden's URL.
 */
final class BatchService {

	/** Largest batch request or answer read, in bytes (git-lfs sends 100 objects, a few KiB). */
	static final int MAX_JSON = 4 * 1024 * 1024;

	/** Most objects in one batch request (git-lfs sends at most 100). */
	static final int MAX_OBJECTS = 1000;

	/** Longest upstream error message passed on per object. */
	static final int MAX_MESSAGE = 200;

	/** Per-object error code for objects git-warden refuses (LFS's validation error). */
	static final int REFUSED_CODE = 422;

	private final RequestBodies bodies;

	private final LfsUpstream upstream;

	private final TransferTokens tokens;

	private final SessionUploads uploads;

	private final LfsProperties properties;

	BatchService(RequestBodies bodies, LfsUpstream upstream, TransferTokens tokens, SessionUploads uploads,
			LfsProperties properties) {
		this.bodies = bodies;
		this.upstream = upstream;
		this.tokens = tokens;
		this.uploads = uploads;
		this.properties = properties;
	}

	private record Requested(String oid, long size) {

	}

	void serve(LfsCall call, SessionToken session, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		// The body is small and the session authenticated: read it whole before answering, so that no
		// client is answered while it is still sending.
		requireJson(request);
		JsonNode batch = readJson(this.bodies, request);
		String operation = text(batch, "operation");
		Permission access = switch (operation) {
			case "download" -> Permission.FETCH;
			case "upload" -> Permission.PUSH;
			default -> throw new Refusal(RefusalReason.MALFORMED_REQUEST, "operation must be download or upload");
		};
		Grant grant = Authorizer.authorize(session, call.repository, access);
		call.repository = grant.repository();
		JsonNode transfers = batch.get("transfers");
		if (transfers != null && !contains(transfers, "basic")) {
			throw new Refusal(RefusalReason.UNSUPPORTED_FEATURE, "git-warden serves only the basic LFS transfer");
		}
		JsonNode hashAlgo = batch.get("hash_algo");
		if (hashAlgo != null && !"sha256".equals(hashAlgo.asString())) {
			throw new Refusal(RefusalReason.UNSUPPORTED_FEATURE, "git-warden serves only sha256 LFS objects");
		}
		List<Requested> requested = objects(batch);
		List<LfsDetail.ObjectResult> results = new ArrayList<>();
		List<LfsDetail.ObjectResult> named = new ArrayList<>();
		requested.forEach((object) -> named.add(new LfsDetail.ObjectResult(object.oid(), object.size(), null, 0)));
		call.detail = new LfsDetail(operation, named, requested.size(), -1, null, null);

		// Refused here, one by one: nothing of them reaches the upstream.
		Map<String, ObjectNode> refused = new HashMap<>();
		ArrayNode forwarded = LfsResponses.JSON.createArrayNode();
		for (Requested object : requested) {
			if (object.size() > this.properties.maxObjectSize().toBytes()) {
				Refusal refusal = new Refusal(RefusalReason.LFS_OBJECT_TOO_LARGE, shortOid(object.oid()),
						DataSizes.format(this.properties.maxObjectSize()));
				refused.put(object.oid(), errorObject(object, REFUSED_CODE, LfsResponses.message(refusal)));
			}
			else {
				ObjectNode node = forwarded.addObject();
				node.put("oid", object.oid());
				node.put("size", object.size());
			}
		}
		Map<String, JsonNode> answered = new HashMap<>();
		if (!forwarded.isEmpty()) {
			ObjectNode upstreamBatch = LfsResponses.JSON.createObjectNode();
			upstreamBatch.put("operation", operation);
			upstreamBatch.putArray("transfers").add("basic");
			JsonNode ref = batch.get("ref");
			if (ref != null && ref.isObject() && ref.path("name").isString()) {
				upstreamBatch.putObject("ref").put("name", ref.get("name").asString());
			}
			upstreamBatch.set("objects", forwarded);
			upstreamBatch.put("hash_algo", "sha256");
			UpstreamResponse answer = this.upstream.api(call.repository, access, "POST", "objects/batch",
					LfsResponses.JSON.writeValueAsBytes(upstreamBatch));
			call.upstream(answer);
			JsonNode objects;
			try (answer) {
				LfsUpstream.check(call.repository, answer, 200);
				if (!LfsUpstream.isJson(answer)) {
					throw new UpstreamRefusal(answer.status(), answer.elapsedNanos(), RefusalReason.UPSTREAM_ERROR,
							"200 that is not LFS JSON");
				}
				objects = parseUpstream(answer).get("objects");
			}
			if (objects == null || !objects.isArray()) {
				throw new UpstreamRefusal(200, call.upstreamNanos, RefusalReason.UPSTREAM_ERROR, "200 without objects");
			}
			for (JsonNode object : objects) {
				String oid = object.path("oid").asString("");
				answered.putIfAbsent(oid, object);
			}
		}

		Instant now = this.tokens.clock().instant();
		String base = baseUrl(request) + "/" + call.repository.path() + ".git/info/lfs/transfer/";
		ObjectNode body = LfsResponses.JSON.createObjectNode();
		body.put("transfer", "basic");
		ArrayNode out = body.putArray("objects");
		long plannedUploads = 0;
		for (Requested object : requested) {
			ObjectNode refusal = refused.get(object.oid());
			if (refusal != null) {
				out.add(refusal);
				results.add(new LfsDetail.ObjectResult(object.oid(), object.size(), "refused", REFUSED_CODE));
				continue;
			}
			JsonNode answer = answered.get(object.oid());
			if (answer == null) {
				continue;
			}
			JsonNode error = answer.get("error");
			if (error != null && error.isObject()) {
				int code = error.path("code").asInt(500);
				out.add(errorObject(object, code, LfsResponses.printable(error.path("message").asString(""), MAX_MESSAGE)));
				results.add(new LfsDetail.ObjectResult(object.oid(), object.size(), "error", code));
				continue;
			}
			JsonNode actions = answer.get("actions");
			if (actions == null || !actions.isObject() || actions.isEmpty()) {
				ObjectNode present = out.addObject();
				present.put("oid", object.oid());
				present.put("size", object.size());
				results.add(new LfsDetail.ObjectResult(object.oid(), object.size(), "present", 0));
				continue;
			}
			if (actions.has("upload")) {
				if (!this.uploads.fits(session.session(), plannedUploads, object.size())) {
					Refusal quota = new Refusal(RefusalReason.LFS_UPLOAD_QUOTA,
							DataSizes.format(this.uploads.limit()));
					out.add(errorObject(object, REFUSED_CODE, LfsResponses.message(quota)));
					results.add(new LfsDetail.ObjectResult(object.oid(), object.size(), "refused", REFUSED_CODE));
					continue;
				}
				plannedUploads += object.size();
			}
			ObjectNode rewritten = rewrite(object, actions, operation, call.repository, base, session, now);
			out.add(rewritten);
			boolean unusable = rewritten.has("error");
			results.add(new LfsDetail.ObjectResult(object.oid(), object.size(), unusable ? "error" : operation,
					unusable ? 502 : 0));
		}
		body.put("hash_algo", "sha256");
		call.detail = new LfsDetail(operation, results, requested.size(), -1, null, null);
		LfsResponses.json(response, HttpServletResponse.SC_OK, body);
	}

	/** The object with git-warden's actions: a transfer URL for each of the upstream's. */
	private ObjectNode rewrite(Requested object, JsonNode actions, String operation, RepositoryId repository,
			String base, SessionToken session, Instant now) {
		ObjectNode rewritten = LfsResponses.JSON.createObjectNode();
		rewritten.put("oid", object.oid());
		rewritten.put("size", object.size());
		// git-warden's URLs authorize themselves: git-lfs need not look for credentials for them
		rewritten.put("authenticated", true);
		ObjectNode ours = rewritten.putObject("actions");
		List<String> names = operation.equals("download") ? List.of("download") : List.of("upload", "verify");
		for (String name : names) {
			JsonNode action = actions.get(name);
			if (action == null) {
				continue;
			}
			TransferTokens.Upstream target = upstreamTarget(action);
			Instant expiresAt = expiry(action, session, now);
			String token = null;
			if (target != null) {
				TransferTokens.Operation op = TransferTokens.Operation.fromWord(name);
				token = this.tokens.issue(new TransferTokens.Claims(this.tokens.newId(), op, object.oid(), object.size(),
						repository, session.session(), session.tokenSha256(), expiresAt), target);
			}
			if (token == null) {
				return errorObject(object, 502, LfsResponses.PREFIX
						+ "the upstream answered with a transfer URL git-warden cannot use; try again later");
			}
			ObjectNode mine = ours.putObject(name);
			mine.put("href", base + object.oid() + (name.equals("verify") ? "/verify" : "") + "?token=" + token);
			mine.put("expires_in", Math.max(0, Duration.between(now, expiresAt).toSeconds()));
			mine.put("expires_at", expiresAt.toString());
		}
		return rewritten;
	}

	/** The upstream's href and headers of an action, or {@code null} when they are not usable. */
	private static TransferTokens.Upstream upstreamTarget(JsonNode action) {
		String href = action.path("href").asString("");
		URI uri;
		try {
			uri = new URI(href);
		}
		catch (java.net.URISyntaxException ex) {
			return null;
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null) {
			return null;
		}
		Map<String, String> headers = new LinkedHashMap<>();
		JsonNode header = action.get("header");
		if (header != null && header.isObject()) {
			for (Map.Entry<String, JsonNode> entry : header.properties()) {
				String name = entry.getKey();
				String value = entry.getValue().asString("");
				if (!name.matches("[A-Za-z0-9-]{1,64}") || !value.chars().allMatch((c) -> c >= 0x20 && c < 0x7f)
						|| name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Content-Length")
						|| name.equalsIgnoreCase("Transfer-Encoding") || name.equalsIgnoreCase("Connection")) {
					continue;
				}
				headers.put(name, value);
			}
		}
		return new TransferTokens.Upstream(uri, headers);
	}

	/** The earliest of git-warden's TTL, the session token's expiry and the upstream's expiry. */
	private Instant expiry(JsonNode action, SessionToken session, Instant now) {
		Instant expiry = now.plus(this.properties.transferTtl());
		if (session.expiresAt() != null && session.expiresAt().isBefore(expiry)) {
			expiry = session.expiresAt();
		}
		JsonNode expiresIn = action.get("expires_in");
		if (expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0) {
			Instant upstream = now.plusSeconds(expiresIn.asLong());
			if (upstream.isBefore(expiry)) {
				expiry = upstream;
			}
		}
		JsonNode expiresAt = action.get("expires_at");
		if (expiresAt != null && expiresAt.isString()) {
			try {
				Instant upstream = OffsetDateTime.parse(expiresAt.asString()).toInstant();
				if (upstream.isBefore(expiry)) {
					expiry = upstream;
				}
			}
			catch (DateTimeParseException ex) {
				// an expiry that cannot be read does not extend anything
			}
		}
		return expiry;
	}

	private static ObjectNode errorObject(Requested object, int code, String message) {
		ObjectNode node = LfsResponses.JSON.createObjectNode();
		node.put("oid", object.oid());
		node.put("size", object.size());
		ObjectNode error = node.putObject("error");
		error.put("code", code);
		error.put("message", message);
		return node;
	}

	private static List<Requested> objects(JsonNode batch) {
		JsonNode objects = batch.get("objects");
		if (objects == null || !objects.isArray() || objects.isEmpty()) {
			throw new Refusal(RefusalReason.MALFORMED_REQUEST, "a batch request names its objects");
		}
		if (objects.size() > MAX_OBJECTS) {
			throw new Refusal(RefusalReason.REQUEST_TOO_LARGE,
					"more than " + MAX_OBJECTS + " objects in one LFS batch request");
		}
		List<Requested> requested = new ArrayList<>(objects.size());
		for (JsonNode object : objects) {
			String oid = object.path("oid").asString("");
			JsonNode size = object.get("size");
			if (!LfsRoute.OID.matcher(oid).matches() || size == null || !size.canConvertToLong() || !size.isIntegralNumber()
					|| size.asLong() < 0) {
				throw new Refusal(RefusalReason.MALFORMED_REQUEST, "objects need a SHA-256 oid and a size");
			}
			requested.add(new Requested(oid, size.asLong()));
		}
		return requested;
	}

	private static boolean contains(JsonNode array, String word) {
		if (!array.isArray()) {
			return false;
		}
		for (JsonNode element : array) {
			if (word.equals(element.asString(""))) {
				return true;
			}
		}
		return false;
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.asString() : "";
	}

	static String shortOid(String oid) {
		return oid.substring(0, 12);
	}

	/** Refuses a body that is not JSON before reading it. */
	static void requireJson(HttpServletRequest request) {
		String type = request.getContentType();
		String lower = (type != null) ? type.toLowerCase(Locale.ROOT) : "";
		if (!lower.startsWith(LfsUpstream.MEDIA_TYPE) && !lower.startsWith("application/json")) {
			throw new Refusal(RefusalReason.WRONG_CONTENT_TYPE, LfsUpstream.MEDIA_TYPE);
		}
	}

	/** Reads a JSON request body under the request limits and {@value #MAX_JSON} bytes. */
	static JsonNode readJson(RequestBodies bodies, HttpServletRequest request) throws IOException {
		byte[] bytes;
		try (InputStream in = bodies.open(request, RequestBodies.Kind.REQUEST)) {
			bytes = in.readNBytes(MAX_JSON + 1);
		}
		if (bytes.length > MAX_JSON) {
			throw new Refusal(RefusalReason.REQUEST_TOO_LARGE, "LFS request body larger than " + MAX_JSON + " bytes");
		}
		try {
			JsonNode node = LfsResponses.JSON.readTree(bytes);
			if (node == null || !node.isObject()) {
				throw new Refusal(RefusalReason.MALFORMED_REQUEST, "the body is not a JSON object");
			}
			return node;
		}
		catch (JacksonException ex) {
			throw new Refusal(RefusalReason.MALFORMED_REQUEST, "the body is not JSON");
		}
	}

	private static JsonNode parseUpstream(UpstreamResponse answer) throws IOException {
		byte[] bytes = LfsUpstream.readBounded(answer, MAX_JSON);
		try {
			JsonNode node = LfsResponses.JSON.readTree(bytes);
			if (node == null || !node.isObject()) {
				throw new JsonShapeException();
			}
			return node;
		}
		catch (JacksonException | JsonShapeException ex) {
			throw new UpstreamRefusal(answer.status(), answer.elapsedNanos(), RefusalReason.UPSTREAM_ERROR,
					answer.status() + " that is not LFS JSON");
		}
	}

	private static final class JsonShapeException extends RuntimeException {

		private static final long serialVersionUID = 1L;

	}

	/**
	 * The base URL the client reached git-warden at (scheme, host and port as the request names them, after
	 * trusted proxies): git-warden's transfer URLs point there.
	 */
	static String baseUrl(HttpServletRequest request) {
		String scheme = request.getScheme();
		int port = request.getServerPort();
		boolean defaultPort = (port == 80 && "http".equals(scheme)) || (port == 443 && "https".equals(scheme));
		String host = request.getServerName();
		if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
			host = "[" + host + "]";
		}
		return scheme + "://" + host + (defaultPort ? "" : ":" + port) + request.getContextPath();
	}

}
