package io.gitwarden.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.policy.RefVerdict;
import org.eclipse.jgit.transport.ReceiveCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of a push: one entry per command with git-warden's verdict and, for a forwarded push, the
 * upstream's own report-status line for that ref ({@code unknown} when it did not arrive); the push
 * options; and what content inspection did.
 *
 * @param verdicts git-warden's verdict per command, in request order (at most {@link #MAX_UPDATES})
 * @param verdictsOmitted commands left out of {@code verdicts}
 * @param upstreamResults the upstream's per-ref results, in the order reported
 * @param pushOptions the push options the client sent
 * @param forced ref name to overwritten id, for allowed non-fast-forward updates
 * @param inspection what content inspection found and cost, or {@code null} when it did not run
 */
record PushDetail(List<RefVerdict> verdicts, int verdictsOmitted, List<RefResult> upstreamResults,
		List<String> pushOptions, Map<String, String> forced, ExchangeDetail inspection) implements ExchangeDetail {

	PushDetail {
		verdicts = List.copyOf(verdicts);
		upstreamResults = List.copyOf(upstreamResults);
		pushOptions = List.copyOf(pushOptions);
		forced = Map.copyOf(forced);
	}

	/**
	 * Keeps at most {@link #MAX_UPDATES} verdicts (refused ones first when there are more) and counts the
	 * rest: the detail lives until the request is recorded, which for a client that does not read its answer
	 * can be long, and a thousand parsed commands per hostile push would fill a small heap.
	 */
	PushDetail(List<RefVerdict> verdicts, List<RefResult> upstreamResults, List<String> pushOptions,
			Map<String, String> forced, ExchangeDetail inspection) {
		this(kept(verdicts), Math.max(0, verdicts.size() - MAX_UPDATES), upstreamResults, pushOptions, forced,
				inspection);
	}

	/**
	 * One ref's result as the upstream reported it.
	 *
	 * @param ref the ref name
	 * @param ok whether the upstream accepted it
	 * @param reason the upstream's reason when it did not
	 */
	record RefResult(String ref, boolean ok, String reason) {

	}

	private static List<RefVerdict> kept(List<RefVerdict> verdicts) {
		if (verdicts.size() <= MAX_UPDATES) {
			return verdicts;
		}
		List<RefVerdict> ordered = new ArrayList<>(verdicts);
		ordered.sort(Comparator.comparing(RefVerdict::isAllowed));
		return ordered.subList(0, MAX_UPDATES);
	}

	/**
	 * Most {@code updates} entries an event gets; the rest are counted in {@code updatesOmitted}. A push of
	 * 1000 long ref names would otherwise build a multi-megabyte event before the audit trail cuts it to
	 * 64 KiB, and a hundred such refusals finishing together would exhaust a small heap.
	 */
	static final int MAX_UPDATES = 100;

	@Override
	public void writeTo(ObjectNode event) {
		if (!this.verdicts.isEmpty() || !this.upstreamResults.isEmpty()) {
			ArrayNode updates = event.putArray("updates");
			int omitted = updates(updates);
			if (omitted > 0) {
				event.put("updatesOmitted", omitted);
			}
		}
		if (!this.pushOptions.isEmpty()) {
			ArrayNode options = event.putArray("pushOptions");
			this.pushOptions.forEach(options::add);
		}
		if (this.inspection != null) {
			this.inspection.writeTo(event);
		}
	}

	/** Writes the kept verdicts and the upstream's other results; returns how many entries were left out. */
	private int updates(ArrayNode updates) {
		List<RefResult> upstream = new ArrayList<>(this.upstreamResults);
		writeVerdicts(updates, this.verdicts, upstream);
		if (this.verdictsOmitted > 0) {
			// the upstream's results of the commands left out are not written either
			return this.verdictsOmitted;
		}
		int omitted = 0;
		for (RefResult extra : upstream) {
			if (updates.size() >= MAX_UPDATES) {
				omitted++;
				continue;
			}
			// reported by the upstream for a ref the push did not name: kept, since it is what was said
			ObjectNode update = updates.addObject();
			update.put("ref", extra.ref());
			result(update, extra);
		}
		return omitted;
	}

	/** Writes the verdicts' entries, taking their upstream results out of {@code upstream}; returns how many. */
	private int writeVerdicts(ArrayNode updates, List<RefVerdict> verdicts, List<RefResult> upstream) {
		for (RefVerdict verdict : verdicts) {
			ReceiveCommand command = verdict.command();
			ObjectNode update = updates.addObject();
			update.put("ref", command.getRefName());
			update.put("old", command.getOldId().name());
			update.put("new", command.getNewId().name());
			update.put("type", type(command));
			if (verdict.pattern() != null) {
				update.put("grant", verdict.pattern());
			}
			String overwritten = this.forced.get(command.getRefName());
			if (overwritten != null) {
				update.put("forced", true);
				update.put("overwritten", overwritten);
			}
			if (!verdict.isAllowed()) {
				update.put("result", "rejected");
				ObjectNode reason = update.putObject("reason");
				reason.put("by", "warden");
				reason.put("code", verdict.reason().code());
				reason.put("message", verdict.message());
				continue;
			}
			RefResult result = take(upstream, command.getRefName());
			if (result == null) {
				update.put("result", "unknown");
			}
			else {
				result(update, result);
			}
		}
		return verdicts.size();
	}

	private static void result(ObjectNode update, RefResult result) {
		update.put("result", result.ok() ? "ok" : "rejected");
		if (!result.ok()) {
			ObjectNode reason = update.putObject("reason");
			reason.put("by", "upstream");
			reason.put("message", result.reason());
		}
	}

	private static RefResult take(List<RefResult> results, String ref) {
		for (int i = 0; i < results.size(); i++) {
			if (results.get(i).ref().equals(ref)) {
				return results.remove(i);
			}
		}
		return null;
	}

	private static String type(ReceiveCommand command) {
		return switch (command.getType()) {
			case CREATE -> "create";
			case DELETE -> "delete";
			case UPDATE, UPDATE_NONFASTFORWARD -> "update";
		};
	}

}
