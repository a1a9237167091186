package io.gitwarden.audit;

import java.nio.charset.StandardCharsets;

/**
 * An audit event as it is stored: its JSON text, already within {@link AuditEventLimits#MAX_EVENT_BYTES},
 * and the fields that queries filter on. Each sink adds its own chain fields to the JSON with
 * {@link #line}.
 *
 * @param json the event, a JSON object in UTF-8, without chain fields
 * @param time {@code time} (ISO-8601), or {@code null}
 * @param requestId {@code requestId}, or {@code null}
 * @param session {@code session}, or {@code null}
 * @param repo {@code repo}, or {@code null}
 * @param decision {@code decision}, or {@code null}
 */
public record RecordedEvent(byte[] json, String time, String requestId, String session, String repo,
		String decision) {

	/**
	 * The line a sink stores: the event with {@code "chain"} (when not {@code null}), {@code "seq"} (when
	 * positive) and {@code "prev"} appended as its last fields, without a line feed.
	 */
	public byte[] line(String chain, long seq, String prev) {
		StringBuilder tail = new StringBuilder(128);
		if (chain != null) {
			tail.append(",\"chain\":\"").append(chain).append('"');
		}
		if (seq > 0) {
			tail.append(",\"seq\":").append(seq);
		}
		tail.append(",\"").append(AuditChain.PREV).append("\":\"").append(prev).append("\"}");
		byte[] suffix = tail.toString().getBytes(StandardCharsets.US_ASCII);
		int body = this.json.length - 1; // without the closing brace
		boolean empty = body == 1; // "{}"
		byte[] line = new byte[body + suffix.length - (empty ? 1 : 0)];
		System.arraycopy(this.json, 0, line, 0, body);
		System.arraycopy(suffix, empty ? 1 : 0, line, body, suffix.length - (empty ? 1 : 0));
		return line;
	}

}
