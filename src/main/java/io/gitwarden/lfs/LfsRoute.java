package io.gitwarden.lfs;

import java.util.Optional;
import java.util.regex.Pattern;

import io.gitwarden.protocol.RepositoryId;

/**
 * A request for one of the Git LFS endpoints git-warden serves below a repository,
 * {@code /{repository}[.git]/info/lfs/...}:
 * <pre>
 * objects/batch              the batch API (POST)
 * locks                      list (GET) or create (POST) locks
 * locks/verify               the locks of the push (POST)
 * locks/{id}/unlock          delete a lock (POST)
 * transfer/{oid}             git-warden's own transfer URL: download (GET) or upload (PUT)
 * transfer/{oid}/verify      git-warden's own verify URL (POST)
 * </pre>
 * The repository is parsed and validated as for git ({@code owner/name} or a nested namespace of at most
 * {@code warden.upstream.max-path-depth} segments, no encoded characters). A path that is none of these
 * does not parse, and is left to the git endpoint, so that the git routes behave as they always did.
 *
 * @param repository the repository named in the path
 * @param kind which endpoint
 * @param argument the object id of a transfer, the lock id of an unlock, or {@code null}
 */
record LfsRoute(RepositoryId repository, Kind kind, String argument) {

	/** The endpoints. */
	enum Kind {

		BATCH("POST"), LOCKS(null), LOCKS_VERIFY("POST"), UNLOCK("POST"), TRANSFER(null), TRANSFER_VERIFY("POST");

		private final String method;

		Kind(String method) {
			this.method = method;
		}

		/** Whether the endpoint answers {@code method}. */
		boolean accepts(String method) {
			if (this == LOCKS) {
				return "GET".equals(method) || "POST".equals(method);
			}
			if (this == TRANSFER) {
				return "GET".equals(method) || "PUT".equals(method);
			}
			return this.method.equals(method);
		}

	}

	static final String MARKER = "/info/lfs/";

	/** Object ids: SHA-256, lower-case hex. */
	static final Pattern OID = Pattern.compile("[0-9a-f]{64}");

	/** Lock ids: what servers use (numbers, UUIDs, hex), nothing that needs escaping. */
	static final Pattern LOCK_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

	/**
	 * @param rawPath the request URI path as sent, not decoded, without the query
	 * @param maxDepth most segments the repository path may have
	 * @return the route, or empty when the path is not an LFS endpoint
	 */
	static Optional<LfsRoute> parse(String rawPath, int maxDepth) {
		if (rawPath == null || !rawPath.startsWith("/")) {
			return Optional.empty();
		}
		int marker = rawPath.lastIndexOf(MARKER);
		if (marker <= 0) {
			return Optional.empty();
		}
		String[] rest = rawPath.substring(marker + MARKER.length()).split("/", -1);
		Kind kind;
		String argument = null;
		if (rest.length == 2 && rest[0].equals("objects") && rest[1].equals("batch")) {
			kind = Kind.BATCH;
		}
		else if (rest.length == 1 && rest[0].equals("locks")) {
			kind = Kind.LOCKS;
		}
		else if (rest.length == 2 && rest[0].equals("locks") && rest[1].equals("verify")) {
			kind = Kind.LOCKS_VERIFY;
		}
		else if (rest.length == 3 && rest[0].equals("locks") && rest[2].equals("unlock")
				&& LOCK_ID.matcher(rest[1]).matches()) {
			kind = Kind.UNLOCK;
			argument = rest[1];
		}
		else if ((rest.length == 2 || (rest.length == 3 && rest[2].equals("verify"))) && rest[0].equals("transfer")
				&& OID.matcher(rest[1]).matches()) {
			kind = (rest.length == 2) ? Kind.TRANSFER : Kind.TRANSFER_VERIFY;
			argument = rest[1];
		}
		else {
			return Optional.empty();
		}
		String path = rawPath.substring(1, marker);
		if (path.endsWith(".git")) {
			path = path.substring(0, path.length() - 4);
		}
		try {
			RepositoryId repository = RepositoryId.parse(path);
			if (repository.depth() > maxDepth) {
				return Optional.empty();
			}
			return Optional.of(new LfsRoute(repository, kind, argument));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	/** The operation recorded for this route: {@code lfs-batch}, {@code lfs-lock}, or a transfer's. */
	String operation(String method) {
		return switch (this.kind) {
			case BATCH -> "lfs-batch";
			case LOCKS, LOCKS_VERIFY, UNLOCK -> "lfs-lock";
			case TRANSFER -> "PUT".equals(method) ? "lfs-upload" : "lfs-download";
			case TRANSFER_VERIFY -> "lfs-upload";
		};
	}

}
