package io.gitwarden.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.upstream.StaticTokenCredentials;

/**
 * A tiny stand-in for git-warden's fetch path, to drive the mirror with the real git CLI: the ref
 * advertisement ({@code info/refs}, v2 {@code ls-refs}) is relayed from the upstream and tapped to bring
 * the mirror up to date; {@code POST git-upload-pack} fetches are served from the mirror once it has
 * every want, and forwarded to the upstream otherwise.
 */
final class MirrorServingServlet extends HttpServlet {

	private static final long serialVersionUID = 1L;

	private final transient RepositoryMirrors mirrors;

	private final URI upstream;

	private final String authorization;

	private final transient Path spoolDir;

	private final transient HttpClient http = HttpClient.newHttpClient();

	final transient AtomicInteger servedFromMirror = new AtomicInteger();

	final transient AtomicInteger forwardedFetches = new AtomicInteger();

	MirrorServingServlet(RepositoryMirrors mirrors, URI upstream, String token, Path spoolDir) {
		this.mirrors = mirrors;
		this.upstream = upstream;
		this.authorization = StaticTokenCredentials.basic(token);
		this.spoolDir = spoolDir;
	}

	@Override
	protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String path = request.getRequestURI();
		int git = path.indexOf(".git/");
		RepositoryId repository = RepositoryId.parse(path.substring(1, git));
		String endpoint = path.substring(git + 5);
		try {
			if ("GET".equals(request.getMethod()) && "info/refs".equals(endpoint)) {
				RefAdvertisementTap tap = RefAdvertisementTap.forInfoRefs(100_000);
				relay(repository, request, null, response, tap);
				if (tap.status() == RefAdvertisementTap.Status.COMPLETE) {
					try (Mirror mirror = this.mirrors.open(repository)) {
						mirror.ensureCurrent(tap.refs().orElseThrow());
					}
				}
			}
			else if ("POST".equals(request.getMethod()) && "git-upload-pack".equals(endpoint)) {
				uploadPack(repository, request, response);
			}
			else {
				response.sendError(404);
			}
		}
		catch (MirrorException ex) {
			throw new IOException(ex);
		}
	}

	private void uploadPack(RepositoryId repository, HttpServletRequest request, HttpServletResponse response)
			throws IOException, MirrorException {
		try (SpooledRequestBody body = SpooledRequestBody.spool(request.getInputStream(),
				request.getHeader("Content-Encoding"), 64 * 1024, 64L << 20, 64L << 20, this.spoolDir)) {
			UploadPackRequest parsed;
			try (InputStream decoded = body.openDecoded()) {
				parsed = new UploadPackRequestParser(100_000).parse(decoded);
			}
			if (!parsed.isFetch()) {
				RefAdvertisementTap tap = RefAdvertisementTap.forLsRefs(100_000);
				relay(repository, request, body, response, tap);
				if (tap.status() == RefAdvertisementTap.Status.COMPLETE && parsed.command().equals(UploadPackRequest.LS_REFS)) {
					AdvertisedRefs refs = tap.refs().orElseThrow();
					try (Mirror mirror = this.mirrors.open(repository)) {
						mirror.ensureCurrent(parsed.refPrefixes().isEmpty() ? refs.asComplete() : refs);
					}
				}
				return;
			}
			try (Mirror mirror = this.mirrors.open(repository)) {
				try {
					if (!parsed.servableFromMirror()) {
						throw new MirrorException(MirrorException.Reason.OBJECTS_MISSING, "want-ref");
					}
					mirror.ensureServable(parsed.wants());
				}
				catch (MirrorException ex) {
					this.forwardedFetches.incrementAndGet();
					relay(repository, request, body, response, null);
					return;
				}
				response.setStatus(200);
				response.setContentType("application/x-git-upload-pack-result");
				response.setHeader("Cache-Control", "no-cache");
				try (InputStream decoded = body.openDecoded()) {
					mirror.uploadPack(decoded, response.getOutputStream(), request.getHeader("Git-Protocol"));
				}
				this.servedFromMirror.incrementAndGet();
			}
		}
	}

	/** Forwards the request to the upstream and copies the answer back, through {@code tap} when given. */
	private void relay(RepositoryId repository, HttpServletRequest request, SpooledRequestBody body,
			HttpServletResponse response, RefAdvertisementTap tap) throws IOException {
		String query = (request.getQueryString() != null) ? "?" + request.getQueryString() : "";
		String endpoint = request.getRequestURI().substring(request.getRequestURI().indexOf(".git/") + 5);
		HttpRequest.Builder upstreamRequest = HttpRequest
			.newBuilder(URI.create(this.upstream + "/" + repository + ".git/" + endpoint + query))
			.header("Authorization", this.authorization);
		copyHeader(request, upstreamRequest, "Git-Protocol");
		if (body != null) {
			copyHeader(request, upstreamRequest, "Content-Type");
			copyHeader(request, upstreamRequest, "Content-Encoding");
			upstreamRequest.POST(HttpRequest.BodyPublishers.ofInputStream(() -> {
				try {
					return body.openRaw();
				}
				catch (IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
			}));
		}
		HttpResponse<InputStream> answer;
		try {
			answer = this.http.send(upstreamRequest.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
		response.setStatus(answer.statusCode());
		answer.headers().firstValue("Content-Type").ifPresent(response::setContentType);
		response.setHeader("Cache-Control", "no-cache");
		try (InputStream in = answer.body()) {
			OutputStream out = response.getOutputStream();
			byte[] buffer = new byte[8192];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				out.write(buffer, 0, n);
				if (tap != null) {
					tap.write(buffer, 0, n);
				}
			}
			out.flush();
		}
		if (tap != null) {
			tap.close();
		}
	}

	private static void copyHeader(HttpServletRequest request, HttpRequest.Builder upstreamRequest, String name) {
		String value = request.getHeader(name);
		if (value != null) {
			upstreamRequest.header(name, value);
		}
	}

}
