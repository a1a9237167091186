package io.gitwarden.web;

import io.gitwarden.refusal.RefusalReason;

/**
 * The HTTP status of a refusal that ends a whole request, for every wire format (git, the GitHub API,
 * LFS, the admin API): decided here, once, from the reason's category with a few reasons of their own.
 */
public final class RefusalStatus {

	private RefusalStatus() {
	}

	public static int of(RefusalReason reason) {
		return switch (reason) {
			case NOT_A_GIT_ENDPOINT, UPSTREAM_NOT_FOUND, PULL_REQUEST_NOT_FOUND -> 404;
			case API_NOT_IN_DEMO -> 501;
			case WRONG_CONTENT_TYPE -> 415;
			case REQUEST_TOO_LARGE -> 413;
			case TOKEN_KEYS_UNAVAILABLE, UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE, UPSTREAM_CREDENTIAL_RATE_LIMITED,
					SERVER_BUSY, STORE_UNAVAILABLE ->
				503;
			default -> switch (reason.category()) {
				case AUTHENTICATION -> 401;
				case AUTHORIZATION, POLICY -> 403;
				case PROTOCOL -> 400;
				case UPSTREAM -> 502;
				case INTERNAL -> 500;
			};
		};
	}

}
