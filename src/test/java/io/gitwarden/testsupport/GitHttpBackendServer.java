package io.gitwarden.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.embedded.LoopbackTomcat;
import io.gitwarden.upstream.StaticTokenCredentials;
import org.apache.catalina.startup.Tomcat;

/**
 * {@code git http-backend} behind a tiny CGI bridge in an embedded Tomcat on loopback, so the upstream
 * behaves exactly like git itself. Requires {@code Basic <username>:<token>} ({@code x-access-token} like
 * GitHub unless another user name is given), and counts
 * the requests that reach it, so tests can prove that a refused request was never forwarded.
 */
public final class GitHttpBackendServer implements AutoCloseable {

	private final LoopbackTomcat server;

	private final AtomicInteger requests;

	private final List<Seen> seen;

	private GitHttpBackendServer(LoopbackTomcat server, AtomicInteger requests, List<Seen> seen) {
		this.server = server;
		this.requests = requests;
		this.seen = seen;
	}

	/** Starts a server that requires {@code Basic x-access-token:<token>}, as GitHub does. */
	public static GitHttpBackendServer start(Path repositories, String token) throws IOException {
		return start(repositories, StaticTokenCredentials.GITHUB_USERNAME, token);
	}

	/**
	 * Starts a server that requires {@code Basic <username>:<token>}, for example {@code oauth2} as GitLab
	 * does.
	 */
	public static GitHttpBackendServer start(Path repositories, String username, String token) throws IOException {
		AtomicInteger requests = new AtomicInteger();
		List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
		LoopbackTomcat server = LoopbackTomcat.start("http-backend", (context) -> {
			Tomcat.addServlet(context, "cgi", new CgiBridge(repositories, username,
					StaticTokenCredentials.basic(username, token), requests, seen));
			context.addServletMappingDecoded("/*", "cgi");
		});
		return new GitHttpBackendServer(server, requests, seen);
	}

	/**
	 * What the upstream received for one request: method, path, the {@code Git-Protocol} header and the start
	 * of the body (up to 256 bytes), so tests can prove which protocol really reached it.
	 *
	 * @param method the HTTP method
	 * @param path the request path
	 * @param gitProtocol the {@code Git-Protocol} header, or {@code null}
	 * @param bodyStart the first bytes of the body, as ISO-8859-1 text
	 * @param userAgent the {@code User-Agent} header ({@code git/...} for the git CLI, {@code JGit/...} for
	 * git-warden's mirror), or {@code null}
	 */
	public record Seen(String method, String path, String gitProtocol, String bodyStart, String userAgent) {

	}

	/** Requests that reached git http-backend, oldest first. */
	public List<Seen> seen() {
		synchronized (this.seen) {
			return List.copyOf(this.seen);
		}
	}

	public URI baseUrl() {
		return this.server.baseUrl();
	}

	/** Requests that reached git http-backend (after the token check). */
	public int requestCount() {
		return this.requests.get();
	}

	@Override
	public void close() {
		this.server.close();
	}

	private static final class CgiBridge extends HttpServlet {

		private static final long serialVersionUID = 1L;

		private final transient Path root;

		private final String username;

		private final String authorization;

		private final transient AtomicInteger requests;

		private final transient List<Seen> seen;

		CgiBridge(Path root, String username, String authorization, AtomicInteger requests, List<Seen> seen) {
			this.seen = seen;
			this.root = root;
			this.username = username;
			this.authorization = authorization;
			this.requests = requests;
		}

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			if (!this.authorization.equals(request.getHeader("Authorization"))) {
				response.setHeader("WWW-Authenticate", "Basic realm=\"http-backend\"");
				response.sendError(401);
				return;
			}
			this.requests.incrementAndGet();
			ByteArrayOutputStream bodyStart = new ByteArrayOutputStream();
			ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
			Map<String, String> env = builder.environment();
			env.keySet().removeIf((name) -> name.startsWith("GIT_"));
			env.put("GIT_PROJECT_ROOT", this.root.toString());
			env.put("GIT_HTTP_EXPORT_ALL", "1");
			env.put("GIT_CONFIG_NOSYSTEM", "1");
			env.put("HOME", this.root.toString());
			env.put("GATEWAY_INTERFACE", "CGI/1.1");
			env.put("SERVER_PROTOCOL", "HTTP/1.1");
			env.put("REQUEST_METHOD", request.getMethod());
			env.put("PATH_INFO", request.getRequestURI());
			env.put("QUERY_STRING", (request.getQueryString() != null) ? request.getQueryString() : "");
			env.put("REMOTE_USER", this.username);
			env.put("REMOTE_ADDR", request.getRemoteAddr());
			putIfPresent(env, "CONTENT_TYPE", request.getContentType());
			if (request.getContentLengthLong() >= 0) {
				env.put("CONTENT_LENGTH", Long.toString(request.getContentLengthLong()));
			}
			putIfPresent(env, "HTTP_GIT_PROTOCOL", request.getHeader("Git-Protocol"));
			putIfPresent(env, "HTTP_CONTENT_ENCODING", request.getHeader("Content-Encoding"));
			Process process = builder.start();
			CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
				try (OutputStream stdin = process.getOutputStream()) {
					InputStream in = request.getInputStream();
					byte[] buffer = new byte[64 * 1024];
					for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
						if (bodyStart.size() < 256) {
							bodyStart.write(buffer, 0, Math.min(n, 256 - bodyStart.size()));
						}
						stdin.write(buffer, 0, n);
					}
				}
				catch (IOException ex) {
					// the CGI may stop reading early; its answer still counts
				}
			});
			CompletableFuture.runAsync(() -> {
				try (InputStream stderr = process.getErrorStream()) {
					stderr.transferTo(OutputStream.nullOutputStream());
				}
				catch (IOException ignored) {
					// nothing to do
				}
			});
			try (InputStream stdout = process.getInputStream()) {
				copyCgiResponse(stdout, response);
			}
			body.join();
			this.seen.add(new Seen(request.getMethod(), request.getRequestURI(), request.getHeader("Git-Protocol"),
					bodyStart.toString(StandardCharsets.ISO_8859_1), request.getHeader("User-Agent")));
		}

		private static void putIfPresent(Map<String, String> env, String name, String value) {
			if (value != null) {
				env.put(name, value);
			}
		}

		private static void copyCgiResponse(InputStream stdout, HttpServletResponse response) throws IOException {
			response.setStatus(200);
			for (String line = readHeaderLine(stdout); line != null && !line.isEmpty(); line = readHeaderLine(stdout)) {
				int colon = line.indexOf(':');
				String name = line.substring(0, colon).trim();
				String value = line.substring(colon + 1).trim();
				if (name.equalsIgnoreCase("Status")) {
					response.setStatus(Integer.parseInt(value.substring(0, 3)));
				}
				else {
					response.setHeader(name, value);
				}
			}
			OutputStream out = response.getOutputStream();
			byte[] buffer = new byte[64 * 1024];
			for (int n = stdout.read(buffer); n >= 0; n = stdout.read(buffer)) {
				out.write(buffer, 0, n);
				out.flush();
			}
		}

		private static String readHeaderLine(InputStream in) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			for (int b = in.read(); b != '\n'; b = in.read()) {
				if (b < 0) {
					return (line.size() == 0) ? null : line.toString(StandardCharsets.ISO_8859_1);
				}
				if (b != '\r') {
					line.write(b);
				}
			}
			return line.toString(StandardCharsets.ISO_8859_1);
		}

	}

}
