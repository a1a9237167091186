package io.gitwarden.audit;

import java.io.IOException;
import java.util.List;

/** Verifies the chain of this instance's audit files, up to what was written when it starts. */
final class FileAuditChains implements AuditChains {

	private final AuditLog log;

	private final String name;

	FileAuditChains(AuditLog log, AuditProperties properties) {
		this.log = log;
		this.name = "audit file " + properties.file();
	}

	@Override
	public Report verify() {
		if (this.log.target() != AuditLog.Target.FILE) {
			return new Report(this.name, false, List.of(), null);
		}
		try {
			AuditVerifier.Result result = AuditVerifier.verifySegments(this.log.segmentsOldestFirst());
			String start = AuditChain.GENESIS.equals(result.anchor()) ? "from genesis"
					: (result.anchor() != null) ? "continuing from " + result.anchor() : "empty";
			String upTo = (result.lastTime() != null)
					? result.lastTime() + " (request " + result.lastRequestId() + ")" : null;
			String problem = result.ok() ? null
					: result.file().getFileName() + ":" + result.lineNumber() + ": " + result.problem();
			long verified = result.ok() ? result.lines() : result.lines() - 1;
			return new Report(this.name, true,
					List.of(new Chain(String.valueOf(this.name), result.ok(), verified, upTo, start, problem)), null);
		}
		catch (IOException | RuntimeException ex) {
			return new Report(this.name, true, List.of(), ex.getClass().getSimpleName() + ": " + ex.getMessage());
		}
	}

}
