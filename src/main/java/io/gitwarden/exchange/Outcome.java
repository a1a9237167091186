package io.gitwarden.exchange;

import java.util.List;

import jakarta.servlet.ServletRequest;

import io.gitwarden.auth.SessionToken;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Decision;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

/**
 * What the handler of a request concluded, handed once to the recorder (as a request attribute, see
 * {@link #attachTo}) when the handler is done. A request whose handler never attached one (refused by
 * the firewall or by Tomcat, or a handler that failed badly) is still recorded, from what the server
 * itself saw.
 *
 * @param operation what was asked: {@code advertise}, {@code fetch}, {@code push}, {@code api},
 * {@code lfs-batch}, {@code lfs-download}, {@code lfs-upload}, {@code lfs-lock}, {@code admin},
 * {@code rejected}
 * @param repository the repository named by the request, or {@code null}
 * @param service the git service ({@code git-upload-pack}, {@code git-receive-pack}), or {@code null}
 * @param session the verified session, or {@code null}
 * @param tokenSha256 hex SHA-256 of the presented token (also when it did not verify), or {@code null}
 * @param reason why the request was refused or failed, or {@code null} when it was served
 * @param reasonMessage the refusal message as the client saw it, or {@code null}
 * @param upstreamStatus the upstream's HTTP status, or 0 when it was not contacted
 * @param upstreamNanos time spent on upstream calls, or 0
 * @param details feature-specific parts of the record
 */
public record Outcome(String operation, RepositoryId repository, String service, SessionToken session,
		String tokenSha256, RefusalReason reason, String reasonMessage, int upstreamStatus, long upstreamNanos,
		List<ExchangeDetail> details) {

	/** Request attribute under which the handler leaves its outcome for the recorder. */
	public static final String ATTRIBUTE = Outcome.class.getName();

	public Outcome {
		details = (details != null) ? List.copyOf(details) : List.of();
	}

	/** An outcome for a request refused before any session was known. */
	public static Outcome refused(String operation, Refusal refusal) {
		return new Outcome(operation, null, null, null, null, refusal.reason(), refusal.getMessage(), 0, 0, List.of());
	}

	public Decision decision() {
		return Decision.of(this.reason);
	}

	/** Leaves this outcome for the recorder; the last one attached wins. */
	public void attachTo(ServletRequest request) {
		request.setAttribute(ATTRIBUTE, this);
	}

	/** The first detail of the given type, or {@code null}. */
	public <T extends ExchangeDetail> T detail(Class<T> type) {
		for (ExchangeDetail detail : this.details) {
			if (type.isInstance(detail)) {
				return type.cast(detail);
			}
		}
		return null;
	}

}
