package io.gitwarden.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small Git LFS server for the embedded upstream: the batch API, the basic transfer and the locks API,
 * shaped like GitHub's. The batch and locks API sit below the repository ({@code /{repo}.git/info/lfs/...},
 * behind the upstream token like git); the transfers go to a storage path of their own
 * ({@code /lfs-storage/...}) that takes no upstream token but a per-object {@code Authorization: RemoteAuth}
 * header handed out in the batch answer, as GitHub's storage host does. Objects are kept where git-lfs
 * keeps its own, {@code {repo}.git/lfs/objects/aa/bb/{oid}}; an upload is written to a temporary file and
 * moved there only once its whole body has arrived with the object's size and SHA-256, so a broken or
 * wrong upload stores nothing. Locks are kept in memory. For the demo and the tests, not for production.
 */
final class EmbeddedLfsServlet extends HttpServlet {

	private static final long serialVersionUID = 1L;

	static final String STORAGE = "/lfs-storage/";

	private static final String MEDIA_TYPE = "application/vnd.git-lfs+json";

	private static final Pattern API = Pattern.compile("/(.+)\\.git/info/lfs/(objects/batch|locks|locks/verify|locks/([^/]+)/unlock)");

	private static final Pattern STORAGE_PATH = Pattern.compile(STORAGE + "(.+)/([0-9a-f]{64})(/verify)?");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final transient Path repositories;

	private final byte[] key = new byte[32];

	private final transient ConcurrentMap<String, ConcurrentMap<String, ObjectNode>> locks = new ConcurrentHashMap<>();

	EmbeddedLfsServlet(Path repositories) {
		this.repositories = repositories;
		new SecureRandom().nextBytes(this.key);
	}

	/** Whether a path is served here rather than by the git servlet. */
	static boolean serves(String path) {
		return path.startsWith(STORAGE) || path.contains("/info/lfs/");
	}

	/** Where an object of a repository is stored. */
	static Path objectPath(Path repositories, String repository, String oid) {
		return repositories.resolve(repository + ".git")
			.resolve("lfs/objects")
			.resolve(oid.substring(0, 2))
			.resolve(oid.substring(2, 4))
			.resolve(oid);
	}

	@Override
	protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String path = request.getRequestURI();
		Matcher storage = STORAGE_PATH.matcher(path);
		if (storage.matches()) {
			storage(request, response, storage.group(1), storage.group(2), storage.group(3) != null);
			return;
		}
		Matcher api = API.matcher(path);
		if (!api.matches() || !Files.isDirectory(this.repositories.resolve(api.group(1) + ".git"))
				|| api.group(1).contains("..")) {
			error(response, 404, "Repository or endpoint not found");
			return;
		}
		String repository = api.group(1);
		JsonNode body = null;
		if ("POST".equals(request.getMethod())) {
			try {
				body = JSON.readTree(request.getInputStream());
			}
			catch (JacksonException ex) {
				error(response, 422, "Invalid JSON");
				return;
			}
		}
		String endpoint = api.group(2);
		if (endpoint.equals("objects/batch") && body != null) {
			batch(request, response, repository, body);
		}
		else if (endpoint.equals("locks")) {
			if (body == null) {
				listLocks(request, response, repository);
			}
			else {
				createLock(response, repository, body);
			}
		}
		else if (endpoint.equals("locks/verify") && body != null) {
			ObjectNode answer = JSON.createObjectNode();
			ArrayNode ours = answer.putArray("ours");
			locks(repository).values().forEach(ours::add);
			answer.putArray("theirs");
			json(response, 200, answer);
		}
		else if (api.group(3) != null && body != null) {
			ObjectNode lock = locks(repository).remove(api.group(3));
			if (lock == null) {
				error(response, 404, "Lock not found");
				return;
			}
			ObjectNode answer = JSON.createObjectNode();
			answer.set("lock", lock);
			json(response, 200, answer);
		}
		else {
			error(response, 405, "Method not allowed");
		}
	}

	private void batch(HttpServletRequest request, HttpServletResponse response, String repository, JsonNode body)
			throws IOException {
		boolean upload = "upload".equals(body.path("operation").asString(""));
		String base = request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort() + STORAGE
				+ repository + "/";
		long expires = Instant.now().plusSeconds(3600).getEpochSecond();
		ObjectNode answer = JSON.createObjectNode();
		answer.put("transfer", "basic");
		ArrayNode objects = answer.putArray("objects");
		for (JsonNode requested : body.path("objects")) {
			String oid = requested.path("oid").asString("");
			long size = requested.path("size").asLong(-1);
			ObjectNode object = objects.addObject();
			object.put("oid", oid);
			object.put("size", size);
			if (!oid.matches("[0-9a-f]{64}") || size < 0) {
				object.putObject("error").put("code", 422).put("message", "Invalid object");
				continue;
			}
			Path stored = objectPath(this.repositories, repository, oid);
			boolean present = Files.isRegularFile(stored) && Files.size(stored) == size;
			if (upload && present) {
				continue;
			}
			if (!upload && !present) {
				object.putObject("error").put("code", 404).put("message", "Object does not exist");
				continue;
			}
			ObjectNode actions = object.putObject("actions");
			if (upload) {
				action(actions, "upload", base + oid, "PUT", repository, oid, expires);
				action(actions, "verify", base + oid + "/verify", "POST", repository, oid, expires);
			}
			else {
				action(actions, "download", base + oid, "GET", repository, oid, expires);
			}
		}
		json(response, 200, answer);
	}

	private void action(ObjectNode actions, String name, String href, String method, String repository, String oid,
			long expires) {
		ObjectNode action = actions.putObject(name);
		action.put("href", href + "?expires=" + expires);
		action.putObject("header").put("Authorization", "RemoteAuth " + sign(method, repository, oid, expires));
		action.put("expires_in", 3600);
	}

	private void storage(HttpServletRequest request, HttpServletResponse response, String repository, String oid,
			boolean verify) throws IOException {
		String method = request.getMethod();
		long expires;
		try {
			expires = Long.parseLong(request.getParameter("expires"));
		}
		catch (NumberFormatException ex) {
			expires = 0;
		}
		String authorization = request.getHeader("Authorization");
		String expected = "RemoteAuth " + sign(method, repository, oid, expires);
		if (authorization == null || repository.contains("..") || expires < Instant.now().getEpochSecond()
				|| !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
						authorization.getBytes(StandardCharsets.US_ASCII))) {
			error(response, 403, "Storage authorization rejected");
			return;
		}
		Path stored = objectPath(this.repositories, repository, oid);
		if (verify) {
			JsonNode body = JSON.readTree(request.getInputStream());
			if (Files.isRegularFile(stored) && Files.size(stored) == body.path("size").asLong(-1)) {
				json(response, 200, JSON.createObjectNode());
			}
			else {
				error(response, 404, "Object does not exist");
			}
		}
		else if ("GET".equals(method)) {
			if (!Files.isRegularFile(stored)) {
				error(response, 404, "Object does not exist");
				return;
			}
			response.setContentType("application/octet-stream");
			response.setContentLengthLong(Files.size(stored));
			try (InputStream in = Files.newInputStream(stored)) {
				in.transferTo(response.getOutputStream());
			}
		}
		else if ("PUT".equals(method)) {
			store(request, response, stored, oid);
		}
		else {
			error(response, 405, "Method not allowed");
		}
	}

	/** Keeps an upload only when the whole body arrived with the object's size and SHA-256. */
	private static void store(HttpServletRequest request, HttpServletResponse response, Path stored, String oid)
			throws IOException {
		long length = request.getContentLengthLong();
		Path directory = Files.createDirectories(stored.getParent());
		Path temporary = Files.createTempFile(directory, "upload-", ".tmp");
		try {
			MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
			long total = 0;
			try (InputStream in = request.getInputStream(); OutputStream out = Files.newOutputStream(temporary)) {
				byte[] buffer = new byte[64 * 1024];
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					sha256.update(buffer, 0, n);
					out.write(buffer, 0, n);
					total += n;
				}
			}
			if ((length >= 0 && total != length) || !HexFormat.of().formatHex(sha256.digest()).equals(oid)) {
				error(response, 422, "Object content does not match its id");
				return;
			}
			Files.move(temporary, stored, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			response.setStatus(200);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	private void listLocks(HttpServletRequest request, HttpServletResponse response, String repository)
			throws IOException {
		String path = request.getParameter("path");
		String id = request.getParameter("id");
		ObjectNode answer = JSON.createObjectNode();
		ArrayNode list = answer.putArray("locks");
		for (ObjectNode lock : locks(repository).values()) {
			if ((path == null || path.equals(lock.path("path").asString())) && (id == null || id.equals(lock.path("id").asString()))) {
				list.add(lock);
			}
		}
		json(response, 200, answer);
	}

	private void createLock(HttpServletResponse response, String repository, JsonNode body) throws IOException {
		String path = body.path("path").asString("");
		if (path.isEmpty()) {
			error(response, 422, "Path is required");
			return;
		}
		ConcurrentMap<String, ObjectNode> locks = locks(repository);
		synchronized (locks) {
			for (ObjectNode existing : locks.values()) {
				if (existing.path("path").asString().equals(path)) {
					ObjectNode conflict = JSON.createObjectNode();
					conflict.set("lock", existing);
					conflict.put("message", "already created lock");
					json(response, 409, conflict);
					return;
				}
			}
			ObjectNode lock = JSON.createObjectNode();
			lock.put("id", UUID.randomUUID().toString());
			lock.put("path", path);
			lock.put("locked_at", Instant.now().toString());
			lock.putObject("owner").put("name", "git-warden");
			locks.put(lock.get("id").asString(), lock);
			ObjectNode answer = JSON.createObjectNode();
			answer.set("lock", lock);
			json(response, 201, answer);
		}
	}

	private ConcurrentMap<String, ObjectNode> locks(String repository) {
		return this.locks.computeIfAbsent(repository, (key) -> new ConcurrentHashMap<>());
	}

	private String sign(String method, String repository, String oid, long expires) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.key, "HmacSHA256"));
			return HexFormat.of()
				.formatHex(mac.doFinal((method + " " + repository + " " + oid + " " + expires).getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void error(HttpServletResponse response, int status, String message) throws IOException {
		ObjectNode body = JSON.createObjectNode();
		body.put("message", message);
		json(response, status, body);
	}

	private static void json(HttpServletResponse response, int status, ObjectNode body) throws IOException {
		byte[] bytes = JSON.writeValueAsBytes(body);
		response.setStatus(status);
		response.setContentType(MEDIA_TYPE);
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
	}

}
