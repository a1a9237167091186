package io.gitwarden.protocol;

import java.util.Optional;

/**
 * The two smart-HTTP services git-warden relays. Anything else (for example {@code git-upload-archive})
 * is refused before any work is done.
 */
public enum GitService {

	/** Fetch and clone; protocol v0, v1 and v2. */
	UPLOAD_PACK("git-upload-pack"),

	/** Push; always protocol v0/v1. */
	RECEIVE_PACK("git-receive-pack");

	private final String serviceName;

	GitService(String serviceName) {
		this.serviceName = serviceName;
	}

	/** The wire name, e.g. {@code git-receive-pack}. */
	public String serviceName() {
		return this.serviceName;
	}

	/** Content type of a successful {@code info/refs} reply; git treats anything else as a dumb server. */
	public String advertisementType() {
		return "application/x-" + this.serviceName + "-advertisement";
	}

	/** Content type of the RPC request body. */
	public String requestType() {
		return "application/x-" + this.serviceName + "-request";
	}

	/** Content type of the RPC response body. */
	public String resultType() {
		return "application/x-" + this.serviceName + "-result";
	}

	/** Resolves a wire name; empty for unknown services. */
	public static Optional<GitService> fromServiceName(String name) {
		for (GitService service : values()) {
			if (service.serviceName.equals(name)) {
				return Optional.of(service);
			}
		}
		return Optional.empty();
	}

}
