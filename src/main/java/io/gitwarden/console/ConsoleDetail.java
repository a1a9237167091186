package io.gitwarden.console;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.exchange.Outcome;
import io.gitwarden.refusal.Refusal;
import tools.jackson.databind.node.ObjectNode;

/**
 * The console part of an audit event: console requests are recorded like admin API calls
 * ({@code operation: "admin"}), with {@code admin.action} ({@code sign-in}, {@code sign-out}, {@code revoke},
 * {@code view}, {@code verify-chain}, {@code live}), {@code admin.via: "console"} and the session acted on.
 * Never the admin token.
 *
 * @param action what was done
 * @param subject the session viewed or revoked, or {@code null}
 */
record ConsoleDetail(String action, String subject) implements ExchangeDetail {

	@Override
	public void writeTo(ObjectNode event) {
		ObjectNode admin = event.putObject("admin");
		admin.put("action", this.action);
		admin.put("via", "console");
		if (this.subject != null) {
			admin.put("subject", this.subject);
		}
	}

	/** Leaves the outcome of a console request for the recorder (the last one attached wins). */
	static void attach(HttpServletRequest request, String action, String subject, Refusal refusal) {
		new Outcome("admin", null, null, null, null, (refusal != null) ? refusal.reason() : null,
				(refusal != null) ? refusal.getMessage() : null, 0, 0, List.of(new ConsoleDetail(action, subject)))
			.attachTo(request);
	}

}
