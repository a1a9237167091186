package io.gitwarden.lfs;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * git-warden's transfer URLs: a token that names one object, one operation, one repository and one
 * session until an expiry, signed with HMAC-SHA256, and that carries the upstream's own href and headers
 * encrypted with AES-256-GCM, so that the client never sees them and no replica needs to remember them.
 * <pre>
 * token  = base64url(claims) "." base64url(nonce ciphertext) "." base64url(HMAC-SHA256(part1 "." part2))
 * claims = {"v":1,"id":..,"op":"upload","oid":..,"size":..,"repo":..,"sid":..,"tsh":..,"exp":..}
 * </pre>
 * Both keys are derived from one key ({@code warden.lfs.signing-key}, or random per process). The claims
 * are the additional data of the encryption, so the sealed part cannot be moved to other claims.
 */
final class TransferTokens {

	/** What a transfer URL allows. */
	enum Operation {

		DOWNLOAD, UPLOAD, VERIFY;

		String word() {
			return name().toLowerCase(Locale.ROOT);
		}

		static Operation fromWord(String word) {
			for (Operation operation : values()) {
				if (operation.word().equals(word)) {
					return operation;
				}
			}
			throw new IllegalArgumentException("unknown operation");
		}

	}

	/**
	 * What a transfer URL names, in the clear (signed).
	 *
	 * @param id random id: a URL serves one transfer
	 * @param operation what it allows
	 * @param oid the object id
	 * @param size the object's size
	 * @param repository the repository, as the grant spells it
	 * @param session the session id
	 * @param tokenSha256 the session token's hash (the audit trail's join key)
	 * @param expiresAt when it stops working
	 */
	record Claims(String id, Operation operation, String oid, long size, RepositoryId repository, String session,
			String tokenSha256, Instant expiresAt) {

	}

	/**
	 * Where the transfer goes upstream: the upstream's href and headers, never shown to the client.
	 *
	 * @param href absolute upstream URL
	 * @param headers the headers to send with it (credentials for the storage host)
	 */
	record Upstream(URI href, Map<String, String> headers) {

		Upstream {
			headers = Map.copyOf(headers);
		}

		@Override
		public String toString() {
			return "Upstream[" + this.href.getScheme() + "://" + this.href.getAuthority() + "]";
		}

	}

	/** A verified token. */
	record Transfer(Claims claims, Upstream upstream) {

	}

	/** Longest token accepted or made: it travels in a request line. */
	static final int MAX_TOKEN_LENGTH = 6000;

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private final SecretKeySpec macKey;

	private final SecretKeySpec encryptionKey;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	/**
	 * @param key the base key (at least 32 bytes)
	 */
	TransferTokens(byte[] key, Clock clock) {
		this.macKey = new SecretKeySpec(derive(key, "git-warden lfs transfer signature"), "HmacSHA256");
		this.encryptionKey = new SecretKeySpec(derive(key, "git-warden lfs transfer encryption"), "AES");
		this.clock = clock;
	}

	Clock clock() {
		return this.clock;
	}

	/** A new random id for a transfer. */
	String newId() {
		byte[] id = new byte[16];
		this.random.nextBytes(id);
		return ENCODER.encodeToString(id);
	}

	/**
	 * @return the token, or {@code null} when it would be longer than {@value #MAX_TOKEN_LENGTH} characters
	 * (an upstream href far longer than any host sends)
	 */
	String issue(Claims claims, Upstream upstream) {
		ObjectNode node = JSON.createObjectNode();
		node.put("v", 1);
		node.put("id", claims.id());
		node.put("op", claims.operation().word());
		node.put("oid", claims.oid());
		node.put("size", claims.size());
		node.put("repo", claims.repository().path());
		node.put("sid", claims.session());
		if (claims.tokenSha256() != null) {
			node.put("tsh", claims.tokenSha256());
		}
		node.put("exp", claims.expiresAt().getEpochSecond());
		String part1 = ENCODER.encodeToString(JSON.writeValueAsBytes(node));
		ObjectNode sealed = JSON.createObjectNode();
		sealed.put("href", upstream.href().toString());
		ObjectNode headers = sealed.putObject("header");
		upstream.headers().forEach(headers::put);
		String part2 = ENCODER.encodeToString(encrypt(JSON.writeValueAsBytes(sealed), part1));
		String signed = part1 + "." + part2;
		String token = signed + "." + ENCODER.encodeToString(mac(signed));
		return (token.length() <= MAX_TOKEN_LENGTH) ? token : null;
	}

	/**
	 * Checks the signature and the expiry, and opens the sealed part.
	 * @throws Refusal {@link RefusalReason#LFS_TRANSFER_INVALID} or {@link RefusalReason#LFS_TRANSFER_EXPIRED}
	 */
	Transfer verify(String token) {
		if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "no valid token");
		}
		int second = token.lastIndexOf('.');
		int first = (second > 0) ? token.lastIndexOf('.', second - 1) : -1;
		if (first <= 0) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "no valid token");
		}
		String signed = token.substring(0, second);
		// The signature's text, not its decoded bytes: the last base64 character of a MAC carries unused bits,
		// and a token must have one spelling only.
		byte[] signature = token.substring(second + 1).getBytes(StandardCharsets.US_ASCII);
		if (!MessageDigest.isEqual(ENCODER.encode(mac(signed)), signature)) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "bad signature");
		}
		String part1 = token.substring(0, first);
		Claims claims;
		Upstream upstream;
		try {
			JsonNode node = JSON.readTree(DECODER.decode(part1));
			claims = new Claims(node.get("id").asString(), Operation.fromWord(node.get("op").asString()),
					node.get("oid").asString(), node.get("size").asLong(), RepositoryId.parse(node.get("repo").asString()),
					node.get("sid").asString(), node.has("tsh") ? node.get("tsh").asString() : null,
					Instant.ofEpochSecond(node.get("exp").asLong()));
			JsonNode sealed = JSON.readTree(decrypt(DECODER.decode(token.substring(first + 1, second)), part1));
			Map<String, String> headers = new LinkedHashMap<>();
			sealed.get("header").properties().forEach((entry) -> headers.put(entry.getKey(), entry.getValue().asString()));
			upstream = new Upstream(URI.create(sealed.get("href").asString()), headers);
		}
		catch (JacksonException | IllegalArgumentException | NullPointerException | GeneralSecurityException ex) {
			// signed by this key, yet unreadable: a key shared with something else, or a bug
			throw new Refusal(RefusalReason.LFS_TRANSFER_INVALID, "unreadable token");
		}
		if (!this.clock.instant().isBefore(claims.expiresAt())) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_EXPIRED);
		}
		return new Transfer(claims, upstream);
	}

	private byte[] mac(String signed) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.macKey);
			return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 unavailable", ex);
		}
	}

	private byte[] encrypt(byte[] plain, String associated) {
		try {
			byte[] nonce = new byte[NONCE_BYTES];
			this.random.nextBytes(nonce);
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.encryptionKey, new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(associated.getBytes(StandardCharsets.US_ASCII));
			byte[] sealed = cipher.doFinal(plain);
			return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM unavailable", ex);
		}
	}

	private byte[] decrypt(byte[] sealed, String associated) throws GeneralSecurityException {
		if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
			throw new GeneralSecurityException("too short");
		}
		Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
		cipher.init(Cipher.DECRYPT_MODE, this.encryptionKey, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
		cipher.updateAAD(associated.getBytes(StandardCharsets.US_ASCII));
		return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
	}

	private static byte[] derive(byte[] key, String purpose) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 unavailable", ex);
		}
	}

}
