package io.gitwarden.githubapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamResponse;

/**
 * Copies a GitHub API answer to the client, streaming: its status, an allow-list of headers (no cookies,
 * no {@code X-OAuth-Scopes} naming what git-warden's own credential may do), and the body. Absolute URLs
 * of the upstream API are rewritten to git-warden's {@code /api/v3} in {@code Link} (pagination) and
 * {@code Location} headers and in JSON bodies, which pass through a {@link UrlRewritingOutputStream} and are
 * cut off past {@link #MAX_REWRITTEN_BYTES}; other bodies (job logs, archives) pass untouched, whatever
 * their size.
 */
final class ApiRelay {

	/** Largest JSON answer rewritten. */
	static final long MAX_REWRITTEN_BYTES = 16L * 1024 * 1024;

	/** Bytes of an answer kept to read a created pull request's number. */
	static final int MAX_CAPTURE = 64 * 1024;

	static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "ETag", "Last-Modified", "Cache-Control",
			"Vary", "Content-Disposition", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining",
			"X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource", "X-GitHub-Request-Id",
			"X-GitHub-Media-Type", "X-GitHub-Api-Version-Selected");

	private final String from;

	private final String to;

	private String idFrom;

	private String idTo;

	/**
	 * @param upstreamBase the upstream API base ({@code https://api.github.com}), or {@code null} for no rewriting
	 * @param ownBase git-warden's own API base ({@code https://git-warden.example.com/api/v3})
	 */
	ApiRelay(String upstreamBase, String ownBase) {
		this.from = (upstreamBase != null) ? upstreamBase + "/" : null;
		this.to = ownBase + "/";
	}

	/**
	 * Also rewrites {@code {api}/repositories/{id}/} (the form GitHub's pagination links often take) to
	 * {@code repos/{owner}/{name}/} in headers, for the repository of the call.
	 */
	ApiRelay repository(long id, String path) {
		if (this.from != null) {
			this.idFrom = this.from + "repositories/" + id + "/";
			this.idTo = this.to + "repos/" + path + "/";
		}
		return this;
	}

	/** A header value with the upstream API's base replaced. */
	String rewrite(String value) {
		if (value == null || this.from == null) {
			return value;
		}
		String rewritten = (this.idFrom != null) ? value.replace(this.idFrom, this.idTo) : value;
		return rewritten.replace(this.from, this.to);
	}

	/**
	 * @param capture receives the first {@value #MAX_CAPTURE} bytes of the body as sent, or {@code null}
	 * @throws Refusal {@link RefusalReason#API_RESPONSE_TOO_LARGE} before anything was sent, when the answer
	 * announces more JSON than is rewritten
	 * @throws UpstreamFailure when the upstream's body broke or grew too large while it was relayed
	 * @throws IOException when the client went away
	 */
	void relay(UpstreamResponse upstream, HttpServletResponse response, ByteArrayOutputStream capture)
			throws IOException {
		String type = upstream.header("Content-Type");
		boolean rewrite = this.from != null && type != null && type.toLowerCase(Locale.ROOT).contains("json");
		String length = upstream.header("Content-Length");
		if (rewrite && length != null && parse(length) > MAX_REWRITTEN_BYTES) {
			throw new Refusal(RefusalReason.API_RESPONSE_TOO_LARGE, MAX_REWRITTEN_BYTES / (1024 * 1024) + " MiB");
		}
		response.setStatus(upstream.status());
		for (String name : RESPONSE_HEADERS) {
			String value = upstream.header(name);
			if (value != null) {
				response.setHeader(name, value);
			}
		}
		for (String name : List.of("Link", "Location")) {
			String value = upstream.header(name);
			if (value != null) {
				response.setHeader(name, rewrite(value));
			}
		}
		if (!rewrite && length != null && parse(length) >= 0) {
			response.setContentLengthLong(parse(length));
		}
		OutputStream client = response.getOutputStream();
		UrlRewritingOutputStream rewriter = rewrite
				? new UrlRewritingOutputStream(client, this.from, this.to, MAX_REWRITTEN_BYTES) : null;
		OutputStream out = (rewriter != null) ? rewriter : client;
		byte[] buffer = new byte[64 * 1024];
		try (InputStream in = upstream.body()) {
			while (true) {
				int n;
				try {
					n = in.read(buffer);
				}
				catch (IOException ex) {
					throw new UpstreamFailure(RefusalReason.TRANSFER_FAILED, ex);
				}
				if (n < 0) {
					break;
				}
				try {
					out.write(buffer, 0, n);
				}
				catch (UrlRewritingOutputStream.TooLarge ex) {
					throw new UpstreamFailure(RefusalReason.API_RESPONSE_TOO_LARGE, ex);
				}
				if (capture != null && capture.size() < MAX_CAPTURE) {
					capture.write(buffer, 0, Math.min(n, MAX_CAPTURE - capture.size()));
				}
			}
		}
		if (rewriter != null) {
			rewriter.finish();
		}
		response.flushBuffer();
	}

	private static long parse(String length) {
		try {
			return Long.parseLong(length.trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * The upstream's body broke off or grew past the limit after the answer started: the client's connection
	 * must be closed, not ended as if the body were complete.
	 */
	static final class UpstreamFailure extends IOException {

		private static final long serialVersionUID = 1L;

		private final RefusalReason reason;

		UpstreamFailure(RefusalReason reason, IOException cause) {
			super(reason.code(), cause);
			this.reason = reason;
		}

		RefusalReason reason() {
			return this.reason;
		}

	}

}
