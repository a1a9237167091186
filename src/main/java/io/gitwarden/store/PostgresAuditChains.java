package io.gitwarden.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.gitwarden.audit.AuditChains;

/** Verifies every chain of the shared store, as {@code audit verify --warden.store.url=...} does. */
final class PostgresAuditChains implements AuditChains {

	private static final String STORE = "shared store (PostgreSQL)";

	private final Database database;

	PostgresAuditChains(Database database) {
		this.database = database;
	}

	@Override
	public Report verify() {
		try {
			List<Chain> chains = new ArrayList<>();
			for (DatabaseAuditVerifier.ChainResult result : DatabaseAuditVerifier.verifyAll(this.database)) {
				String problem = result.problems().isEmpty() ? null
						: result.problems().get(0) + ((result.problems().size() + result.unreported() > 1)
								? " (and " + (result.problems().size() - 1 + result.unreported()) + " more)" : "");
				chains.add(new Chain(result.chain().toString(), result.problems().isEmpty(), result.events(),
						result.verifiedUpTo(), result.start(), problem));
			}
			return new Report(STORE, true, chains, null);
		}
		catch (SQLException ex) {
			return new Report(STORE, true, List.of(), "the store is unreachable (" + Database.describe(ex) + ")");
		}
	}

}
