package io.gitwarden.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.policy.Permission;
import io.gitwarden.policy.Refusal;
import io.gitwarden.policy.RefusalReason;
import io.gitwarden.protocol.GitRoute;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * Forwards one git request to the upstream and streams the answer back, with constant memory: fixed
 * buffers per transfer, and each write to the client flushed at once so progress and keep-alive packets
 * reach git as they arrive.
 *
 * <p>Header hygiene is an allow-list. Towards the upstream only {@code Git-Protocol},
 * {@code Content-Type}, {@code Content-Encoding}, {@code Accept}, {@code Accept-Encoding} and
 * {@code User-Agent} pass ({@code Accept-Encoding} not when the response is tapped: the tap reads the
 * upstream's bytes as they are, so they must not be compressed); the client's {@code Authorization} is
 * replaced by the upstream credential.
 * Back to the client only the content headers and caching headers pass. Redirects are never followed.
 */
public final class GitForwarder {

	/*
	 * Buffer sizes trade system calls against heap per transfer. Pooled upstream connections keep their
	 * in and out buffers (CONNECTION_BUFFER_SIZE each) while idle; copy and chunk buffers live for one
	 * request. A clone holds 2 x 32 KiB of connection buffers and a 64 KiB copy buffer here (8 KiB until
	 * the response turns out larger; Tomcat's own socket buffers are off-heap); a push adds a 64 KiB copy
	 * buffer and a 64 KiB chunk buffer, so pushes go out in 64 KiB chunks and writes.
	 * 500 concurrent clones run at -Xmx128m (measured with bench/).
	 */

	/** Upstream connection socket buffer, each direction, kept while the connection is pooled. */
	static final int CONNECTION_BUFFER_SIZE = 32 * 1024;

	/** Request body copy buffer and upstream chunk size for pushes. */
	static final int REQUEST_BUFFER_SIZE = 64 * 1024;

	/** Response body copy buffer, once the response has shown itself to be bulk. */
	static final int RESPONSE_BUFFER_SIZE = 64 * 1024;

	/**
	 * First response copy buffer: most responses (ref advertisements, push reports, refusals) fit, so
	 * they do not allocate a 64 KiB buffer each; the first read that fills it switches to the large one.
	 */
	static final int FIRST_RESPONSE_BUFFER_SIZE = 8 * 1024;

	private static final List<String> REQUEST_HEADERS = List.of("Git-Protocol", HttpHeaders.CONTENT_TYPE,
			HttpHeaders.ACCEPT, HttpHeaders.ACCEPT_ENCODING, HttpHeaders.USER_AGENT);

	private static final List<String> RESPONSE_HEADERS = List.of(HttpHeaders.CONTENT_ENCODING,
			HttpHeaders.CACHE_CONTROL, HttpHeaders.EXPIRES, HttpHeaders.PRAGMA);

	private final UpstreamTarget target;

	private final CloseableHttpClient client;

	public GitForwarder(UpstreamTarget target, CloseableHttpClient client) {
		this.target = target;
		this.client = client;
	}

	/**
	 * Forwards a request.
	 * @param route the endpoint, already rewritten to the repository named in the session token
	 * @param access the permission the request uses, for narrowing the upstream credential
	 * @param request the client's request, for its headers
	 * @param body the body to send, or {@code null} for the advertisement
	 * @param length the body length, or -1 to send it chunked
	 * @param bodyEncoding the {@code Content-Encoding} of {@code body} as sent, or {@code null}
	 * @param response the client's response
	 * @param tap sees every byte sent to the client (for audit), or {@code null}
	 * @return what was relayed
	 * @throws Refusal when the upstream cannot be reached or answers with an error; nothing has been
	 * written to the client then
	 * @throws ClientBodyException when the client's body failed or ended early
	 * @throws IOException when a stream breaks after the response started
	 */
	public ForwardResult forward(GitRoute route, Permission access, HttpServletRequest request, InputStream body,
			long length, String bodyEncoding, HttpServletResponse response, OutputStream tap) throws IOException {
		HttpUriRequestBase upstreamRequest = (body != null) ? new HttpPost(this.target.uriFor(route))
				: new HttpGet(this.target.uriFor(route));
		for (String name : REQUEST_HEADERS) {
			String value = request.getHeader(name);
			if (value != null && !(tap != null && HttpHeaders.ACCEPT_ENCODING.equals(name))) {
				upstreamRequest.setHeader(name, value);
			}
		}
		upstreamRequest.setHeader(HttpHeaders.AUTHORIZATION,
				this.target.credentials().authorization(route.repository(), access));
		StreamingEntity entity = null;
		if (body != null) {
			entity = new StreamingEntity(body, length, request.getContentType(), bodyEncoding,
					REQUEST_BUFFER_SIZE);
			upstreamRequest.setEntity(entity);
		}
		long started = System.nanoTime();
		ClassicHttpResponse upstreamResponse;
		try {
			upstreamResponse = this.client.executeOpen(null, upstreamRequest, null);
		}
		catch (ClientBodyException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new Refusal(RefusalReason.UPSTREAM_UNAVAILABLE);
		}
		try {
			int status = upstreamResponse.getCode();
			checkStatus(route, status, upstreamResponse, started);
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentType(expectedContentType(route));
			for (String name : RESPONSE_HEADERS) {
				Header header = upstreamResponse.getFirstHeader(name);
				if (header != null) {
					response.setHeader(name, header.getValue());
				}
			}
			long sent = copy(upstreamResponse.getEntity(), response, tap);
			return new ForwardResult(status, (entity != null) ? entity.bytesSent() : 0, sent,
					System.nanoTime() - started);
		}
		finally {
			upstreamResponse.close();
		}
	}

	private void checkStatus(GitRoute route, int status, ClassicHttpResponse upstreamResponse, long started) {
		ForwardResult answered = new ForwardResult(status, 0, 0, System.nanoTime() - started);
		if (status == HttpServletResponse.SC_UNAUTHORIZED || status == HttpServletResponse.SC_FORBIDDEN) {
			throw new UpstreamRefusal(answered, RefusalReason.UPSTREAM_CREDENTIALS_REJECTED, status);
		}
		if (status == HttpServletResponse.SC_NOT_FOUND) {
			throw new UpstreamRefusal(answered, RefusalReason.UPSTREAM_NOT_FOUND, route.repository());
		}
		if (status != HttpServletResponse.SC_OK) {
			throw new UpstreamRefusal(answered, RefusalReason.UPSTREAM_ERROR, status);
		}
		Header contentType = upstreamResponse.getFirstHeader(HttpHeaders.CONTENT_TYPE);
		String type = (contentType != null) ? contentType.getValue().toLowerCase(Locale.ROOT) : "";
		if (!type.startsWith(expectedContentType(route))) {
			// A dumb server or an HTML error page: never relay it, git would fall back to dumb HTTP.
			throw new UpstreamRefusal(answered, RefusalReason.UPSTREAM_ERROR, status);
		}
	}

	private static String expectedContentType(GitRoute route) {
		return (route.endpoint() == GitRoute.Endpoint.ADVERTISEMENT) ? route.service().advertisementType()
				: route.service().resultType();
	}

	/**
	 * Relays the response body. Each write carries what the upstream has already delivered, up to the
	 * buffer size, and is flushed at once: bulk transfers go out in large writes (fewer syscalls and
	 * chunks), while a lone progress or keep-alive packet still reaches git without delay.
	 */
	private static long copy(HttpEntity entity, HttpServletResponse response, OutputStream tap) throws IOException {
		if (entity == null) {
			response.flushBuffer();
			return 0;
		}
		long total = 0;
		byte[] buffer = new byte[FIRST_RESPONSE_BUFFER_SIZE];
		OutputStream out = response.getOutputStream();
		try (InputStream in = entity.getContent()) {
			boolean ended = false;
			while (!ended) {
				int filled = in.read(buffer, 0, buffer.length);
				if (filled < 0) {
					break;
				}
				while (filled < buffer.length && in.available() > 0) {
					int n = in.read(buffer, filled, buffer.length - filled);
					if (n < 0) {
						ended = true;
						break;
					}
					filled += n;
				}
				if (filled == 0) {
					continue;
				}
				out.write(buffer, 0, filled);
				out.flush();
				if (tap != null) {
					tap.write(buffer, 0, filled);
				}
				total += filled;
				if (filled == buffer.length && buffer.length < RESPONSE_BUFFER_SIZE) {
					buffer = new byte[RESPONSE_BUFFER_SIZE];
				}
			}
		}
		return total;
	}

}
