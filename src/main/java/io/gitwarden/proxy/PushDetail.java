package io.gitwarden.proxy;

import java.util.ArrayList;
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
 * @param verdicts git-warden's verdict per command, in request order
 * @param upstreamResults the upstream's per-ref results, in the order reported
 * @param pushOptions the push options the client sent
 * @param forced ref name to overwritten id, for allowed non-fast-forward updates
 * @param inspection what content inspection found and cost, or {@code null} when it did not run
 */
record PushDetail(List<RefVerdict> verdicts, List<RefResult> upstreamResults, List<String> pushOptions,
		Map<String, String> forced, ExchangeDetail inspection) implements ExchangeDetail {

	PushDetail {
		verdicts = List.copyOf(verdicts);
		upstreamResults = List.copyOf(upstreamResults);
		pushOptions = List.copyOf(pushOptions);
		forced = Map.copyOf(forced);
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

	@Override
	public void writeTo(ObjectNode event) {
		if (!this.verdicts.isEmpty() || !this.upstreamResults.isEmpty()) {
			updates(event.putArray("updates"));
		}
		if (!this.pushOptions.isEmpty()) {
			ArrayNode options = event.putArray("pushOptions");
			this.pushOptions.forEach(options::add);
		}
		if (this.inspection != null) {
			this.inspection.writeTo(event);
		}
	}

	private void updates(ArrayNode updates) {
		List<RefResult> upstream = new ArrayList<>(this.upstreamResults);
		for (RefVerdict verdict : this.verdicts) {
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
		for (RefResult extra : upstream) {
			// reported by the upstream for a ref the push did not name: kept, since it is what was said
			ObjectNode update = updates.addObject();
			update.put("ref", extra.ref());
			result(update, extra);
		}
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
