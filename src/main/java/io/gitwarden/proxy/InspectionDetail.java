package io.gitwarden.proxy;

import java.util.List;

import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.inspect.Finding;
import io.gitwarden.inspect.InspectionStats;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of a push's content inspection: {@code policy: {commitsInspected, blobsScanned, bytesScanned,
 * mirror, inspectMs}} and, when refused, {@code findings: [{rule, commit, path, line, name}]}. Never a secret:
 * a secret finding names its detector and line only.
 *
 * @param mirror {@code hit}, {@code updated}, {@code created}, or {@code failed}
 * @param stats what the inspection read, or {@code null} when it could not run
 * @param findings the findings kept (at most the inspection's limit)
 * @param findingCount all findings
 * @param failure why the push could not be inspected, or {@code null}
 */
record InspectionDetail(String mirror, InspectionStats stats, List<Finding> findings, int findingCount,
		String failure) implements ExchangeDetail {

	InspectionDetail {
		findings = List.copyOf(findings);
	}

	@Override
	public void writeTo(ObjectNode event) {
		ObjectNode policy = event.putObject("policy");
		policy.put("mirror", this.mirror);
		if (this.stats != null) {
			policy.put("commitsInspected", this.stats.commitsInspected());
			policy.put("blobsScanned", this.stats.blobsScanned());
			policy.put("bytesScanned", this.stats.bytesScanned());
			policy.put("inspectMs", this.stats.inspectMs());
		}
		if (this.failure != null) {
			policy.put("failure", this.failure);
		}
		if (!this.findings.isEmpty()) {
			ArrayNode list = event.putArray("findings");
			for (Finding finding : this.findings) {
				ObjectNode entry = list.addObject();
				entry.put("rule", finding.rule().code());
				if (finding.ref() != null) {
					entry.put("ref", finding.ref());
				}
				if (finding.commit() != null) {
					entry.put("commit", finding.commit().name());
				}
				if (finding.path() != null) {
					entry.put("path", finding.path());
				}
				if (finding.line() > 0) {
					entry.put("line", finding.line());
				}
				if (finding.name() != null) {
					entry.put("name", finding.name());
				}
			}
			if (this.findingCount > this.findings.size()) {
				event.put("findingsTotal", this.findingCount);
			}
		}
	}

}
