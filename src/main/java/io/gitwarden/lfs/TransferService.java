package io.gitwarden.lfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.SessionRevocations;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.DataSizes;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.ForwardRequest;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.web.RequestBodies;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * git-warden's transfer URLs: {@code GET} (download), {@code PUT} (upload) and {@code POST .../verify}.
 * The URL's token is the whole authorization: signed by git-warden for one object, one operation, one
 * repository and one session until its expiry; a revoked session's URLs stop working, and a URL serves one
 * successful transfer ({@link UsedTransfers}). Downloads stream from the upstream's href to the client,
 * uploads from the client to the upstream's href through {@link UploadBody}, with constant memory whatever
 * the object's size.
 */
final class TransferService {

	static final int BUFFER_SIZE = 64 * 1024;

	private final TransferTokens tokens;

	private final UsedTransfers used;

	private final SessionUploads uploads;

	private final SessionRevocations revocations;

	private final LfsUpstream upstream;

	private final RequestBodies bodies;

	private final LfsProperties properties;

	TransferService(TransferTokens tokens, UsedTransfers used, SessionUploads uploads, SessionRevocations revocations,
			LfsUpstream upstream, RequestBodies bodies, LfsProperties properties) {
		this.tokens = tokens;
		this.used = used;
		this.uploads = uploads;
		this.revocations = revocations;
		this.upstream = upstream;
		this.bodies = bodies;
		this.properties = properties;
	}

	/** Checks a transfer URL for this request and records whose it is. */
	TransferTokens.Transfer open(LfsCall call, LfsRoute route, TransferTokens.Operation expected,
			HttpServletRequest request) {
		TransferTokens.Transfer transfer = this.tokens.verify(request.getParameter("token"));
		TransferTokens.Claims claims = transfer.claims();
		call.session = new SessionToken(claims.session(), List.of(), null, claims.expiresAt(), claims.tokenSha256());
		call.tokenSha256 = claims.tokenSha256();
		call.detail = LfsDetail.transfer(expected.word(), claims.oid(), claims.size(), 0);
		if (!claims.repository().matches(route.repository())) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "it was issued for another repository");
		}
		call.repository = claims.repository();
		if (!claims.oid().equals(route.argument())) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "it was issued for another object");
		}
		if (claims.operation() != expected) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "it allows only " + claims.operation().word() + ", not " + expected.word());
		}
		if (this.revocations.isRevoked(claims.session(), null, claims.expiresAt())) {
			throw new Refusal(RefusalReason.SESSION_REVOKED);
		}
		if (claims.size() > this.properties.maxObjectSize().toBytes()) {
			throw new Refusal(RefusalReason.LFS_OBJECT_TOO_LARGE, BatchService.shortOid(claims.oid()),
					DataSizes.format(this.properties.maxObjectSize()));
		}
		return transfer;
	}

	void download(LfsCall call, LfsRoute route, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		TransferTokens.Transfer transfer = open(call, route, TransferTokens.Operation.DOWNLOAD, request);
		TransferTokens.Claims claims = transfer.claims();
		this.used.reserve(claims.id(), claims.expiresAt());
		boolean done = false;
		long copied = 0;
		try {
			UpstreamResponse answer = this.upstream.transfer("GET", transfer.upstream(), claims.repository(),
					Permission.FETCH, null, null);
			call.upstream(answer);
			try (answer) {
				LfsUpstream.check(claims.repository(), answer, 200);
				String length = answer.header("Content-Length");
				if (length != null && !length.trim().equals(Long.toString(claims.size()))) {
					throw new UpstreamRefusal(200, answer.elapsedNanos(), RefusalReason.UPSTREAM_ERROR,
							"200 with " + length.trim() + " bytes for an object of " + claims.size());
				}
				response.setStatus(HttpServletResponse.SC_OK);
				response.setContentType("application/octet-stream");
				response.setContentLengthLong(claims.size());
				response.setHeader("Cache-Control", "no-store");
				try {
					copied = copy(answer.body(), response.getOutputStream(), claims.size());
				}
				finally {
					call.detail = LfsDetail.transfer("download", claims.oid(), claims.size(), copied);
				}
				if (copied != claims.size()) {
					// The client was promised the object's length: close rather than leave it waiting.
					RequestBodies.abandon(request);
					call.failure = new UpstreamRefusal(200, answer.elapsedNanos(), RefusalReason.TRANSFER_FAILED);
					return;
				}
				response.flushBuffer();
			}
			done = true;
		}
		finally {
			if (done) {
				this.used.commit(claims.id());
			}
			else {
				this.used.release(claims.id());
			}
		}
	}

	void upload(LfsCall call, LfsRoute route, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		TransferTokens.Transfer transfer = open(call, route, TransferTokens.Operation.UPLOAD, request);
		TransferTokens.Claims claims = transfer.claims();
		long declared = request.getContentLengthLong();
		if (declared >= 0 && declared != claims.size()) {
			throw new Refusal(RefusalReason.LFS_OBJECT_MISMATCH,
					"the body has " + declared + " bytes, the object " + claims.size());
		}
		if (request.getHeader("Content-Encoding") != null
				&& !request.getHeader("Content-Encoding").trim().equalsIgnoreCase("identity")) {
			throw new Refusal(RefusalReason.BAD_CONTENT_ENCODING, "LFS objects are uploaded as they are");
		}
		this.used.reserve(claims.id(), claims.expiresAt());
		boolean reserved = false;
		boolean done = false;
		UploadBody body = new UploadBody(request.getInputStream(), claims.oid(), claims.size());
		try {
			this.uploads.reserve(claims.session(), claims.size());
			reserved = true;
			try {
				UpstreamResponse answer = this.upstream.transfer("PUT", transfer.upstream(), claims.repository(),
						Permission.PUSH, "application/octet-stream", body);
				call.upstream(answer);
				try (answer) {
					LfsUpstream.check(claims.repository(), answer, 200, 201, 204);
					answer.body().transferTo(OutputStream.nullOutputStream());
				}
			}
			finally {
				call.detail = LfsDetail.transfer("upload", claims.oid(), claims.size(), body.received());
			}
			if (!body.complete()) {
				// the upstream answered before it had the whole object: it cannot have stored it
				throw new UpstreamRefusal(call.upstreamStatus, call.upstreamNanos, RefusalReason.UPSTREAM_ERROR,
						call.upstreamStatus + " before the whole object was sent");
			}
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentLength(0);
			response.flushBuffer();
			done = true;
		}
		finally {
			if (done) {
				this.used.commit(claims.id());
			}
			else {
				this.used.release(claims.id());
				if (reserved) {
					this.uploads.release(claims.session(), claims.size());
				}
			}
		}
	}

	void verify(LfsCall call, LfsRoute route, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		TransferTokens.Transfer transfer = open(call, route, TransferTokens.Operation.VERIFY, request);
		TransferTokens.Claims claims = transfer.claims();
		BatchService.requireJson(request);
		JsonNode sent = BatchService.readJson(this.bodies, request);
		if (!claims.oid().equals(sent.path("oid").asString("")) || !sent.path("size").canConvertToLong()
				|| sent.path("size").asLong() != claims.size()) {
			throw new Refusal(RefusalReason.MALFORMED_REQUEST, "verify names another object than its URL");
		}
		this.used.reserve(claims.id(), claims.expiresAt());
		boolean done = false;
		try {
			ObjectNode object = LfsResponses.JSON.createObjectNode();
			object.put("oid", claims.oid());
			object.put("size", claims.size());
			UpstreamResponse answer = this.upstream.transfer("POST", transfer.upstream(), claims.repository(),
					Permission.PUSH, LfsUpstream.MEDIA_TYPE,
					ForwardRequest.Body.of(LfsResponses.JSON.writeValueAsBytes(object)));
			call.upstream(answer);
			try (answer) {
				LfsUpstream.check(claims.repository(), answer, 200, 201, 204);
				answer.body().transferTo(OutputStream.nullOutputStream());
			}
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentLength(0);
			response.flushBuffer();
			done = true;
		}
		finally {
			if (done) {
				this.used.commit(claims.id());
			}
			else {
				this.used.release(claims.id());
			}
		}
	}

	/** Copies at most {@code max} bytes; stops early when the upstream sends more. */
	private static long copy(InputStream in, OutputStream out, long max) throws IOException {
		byte[] buffer = new byte[BUFFER_SIZE];
		long total = 0;
		while (total <= max) {
			int n = in.read(buffer, 0, (int) Math.min(buffer.length, max - total + 1));
			if (n < 0) {
				break;
			}
			if (total + n > max) {
				return total + n;
			}
			out.write(buffer, 0, n);
			total += n;
		}
		return total;
	}

}
