package io.gitwarden.audit;

import java.util.Iterator;
import java.util.Map;

import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps every audit event under {@value #MAX_LINE_BYTES} bytes as stored (64 KiB, chain fields included),
 * whatever fields it has: an event that is too large is rebuilt with ever smaller limits until it fits.
 * At each step, strings longer than the limit are cut and end with a visible marker
 * ({@code ...[cut 12345 chars]}), arrays keep their first entries and say how many were left out (a
 * sibling field {@code <name>Omitted}, or a last string entry {@code ...[N more]} inside an array), nested
 * objects keep their first fields (plus {@code "...omittedFields": N}), and structure deeper than the limit
 * becomes {@code "...[nested too deep]"}. The top-level fields are all kept, and a shrunk event carries
 * {@code "truncated": true}. Should even the smallest limits not do, only the identifying fields are kept.
 */
final class AuditEventLimits {

	/** Most bytes of a stored line, chain fields and line feed included. */
	static final int MAX_LINE_BYTES = 64 * 1024;

	/** Most bytes of an event before a sink adds its chain fields (at most ~170 bytes) and the line feed. */
	static final int MAX_EVENT_BYTES = MAX_LINE_BYTES - 256;

	/** Fields kept by the last resort. */
	private static final String[] IDENTIFYING = { "time", "requestId", "session", "repo", "service", "operation",
			"decision", "status", "tokenSha256" };

	private static final Step[] STEPS = { new Step(4096, 100, 16), new Step(1024, 20, 8), new Step(256, 5, 6),
			new Step(64, 2, 4) };

	private final JsonMapper json;

	private final int maxBytes;

	AuditEventLimits(JsonMapper json) {
		this(json, MAX_EVENT_BYTES);
	}

	AuditEventLimits(JsonMapper json, int maxBytes) {
		this.json = json;
		this.maxBytes = maxBytes;
	}

	/** The event as stored: its JSON within the limit, and the fields queries filter on. */
	RecordedEvent prepare(ObjectNode event) {
		byte[] bytes = null;
		if (atLeast(event, this.maxBytes, 0) <= this.maxBytes) {
			try {
				bytes = this.json.writeValueAsBytes(event);
			}
			catch (StreamConstraintsException ex) {
				// nested deeper than Jackson writes: too large in another way
			}
		}
		ObjectNode kept = event;
		for (int i = 0; (bytes == null || bytes.length > this.maxBytes) && i <= STEPS.length; i++) {
			kept = (i < STEPS.length) ? shrinkTop(event, STEPS[i]) : identifying(event);
			kept.put("truncated", true);
			bytes = this.json.writeValueAsBytes(kept);
		}
		if (bytes.length > this.maxBytes) {
			throw new IllegalStateException("audit event still " + bytes.length + " bytes after truncation");
		}
		return new RecordedEvent(bytes, text(kept, "time"), text(kept, "requestId"), text(kept, "session"),
				text(kept, "repo"), text(kept, "decision"));
	}

	/**
	 * A lower bound of the event's size in bytes (each character of a string or name is at least one byte),
	 * counted only until it passes {@code budget}: a huge event is never serialized whole.
	 */
	private static long atLeast(JsonNode node, long budget, long counted) {
		long total = counted + 2;
		if (node.isString()) {
			return total + node.asString().length();
		}
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> field : node.properties()) {
				total = atLeast(field.getValue(), budget, total + field.getKey().length() + 3);
				if (total > budget) {
					return total;
				}
			}
		}
		else if (node.isArray()) {
			for (JsonNode entry : node.values()) {
				total = atLeast(entry, budget, total + 1);
				if (total > budget) {
					return total;
				}
			}
		}
		return total;
	}

	private static ObjectNode shrinkTop(ObjectNode event, Step step) {
		ObjectNode shrunk = JsonNodeFactory.instance.objectNode();
		copyFields(event, shrunk, step, 1, Integer.MAX_VALUE);
		return shrunk;
	}

	private static ObjectNode identifying(ObjectNode event) {
		ObjectNode kept = JsonNodeFactory.instance.objectNode();
		for (String name : IDENTIFYING) {
			JsonNode value = event.get(name);
			if (value != null && (value.isNumber() || (value.isString() && value.asString().length() <= 200))) {
				kept.set(name, value);
			}
		}
		return kept;
	}

	private static void copyFields(JsonNode from, ObjectNode to, Step step, int depth, int maxFields) {
		int count = 0;
		int total = from.size();
		for (Map.Entry<String, JsonNode> field : from.properties()) {
			if (count == maxFields) {
				to.put("...omittedFields", total - count);
				return;
			}
			String name = cut(field.getKey(), step.chars());
			JsonNode value = field.getValue();
			if (value.isArray() && value.size() > step.entries()) {
				to.put(name + "Omitted", value.size() - step.entries());
			}
			to.set(name, shrink(value, step, depth, false));
			count++;
		}
	}

	private static JsonNode shrink(JsonNode node, Step step, int depth, boolean inArray) {
		if (node.isString()) {
			return JsonNodeFactory.instance.stringNode(cut(node.asString(), step.chars()));
		}
		if (!node.isContainer()) {
			return node;
		}
		if (depth >= step.depth()) {
			return JsonNodeFactory.instance.stringNode("...[nested too deep]");
		}
		if (node.isObject()) {
			ObjectNode object = JsonNodeFactory.instance.objectNode();
			copyFields(node, object, step, depth + 1, step.entries());
			return object;
		}
		ArrayNode array = JsonNodeFactory.instance.arrayNode();
		Iterator<JsonNode> entries = node.values().iterator();
		for (int i = 0; i < step.entries() && entries.hasNext(); i++) {
			array.add(shrink(entries.next(), step, depth + 1, true));
		}
		if (inArray && node.size() > step.entries()) {
			array.add("...[" + (node.size() - step.entries()) + " more]");
		}
		return array;
	}

	/** {@code text} if it is short enough, else its start and a marker saying how much was cut. */
	static String cut(String text, int chars) {
		if (text.length() <= chars) {
			return text;
		}
		int end = chars;
		if (Character.isHighSurrogate(text.charAt(end - 1))) {
			end--;
		}
		return text.substring(0, end) + "...[cut " + (text.length() - end) + " chars]";
	}

	private static String text(JsonNode event, String field) {
		JsonNode value = event.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

	/** Limits of one shrinking step: characters per string, entries per array or object, nesting depth. */
	private record Step(int chars, int entries, int depth) {

	}

}
