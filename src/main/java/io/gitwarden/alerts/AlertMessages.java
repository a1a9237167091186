package io.gitwarden.alerts;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bodies and signatures of alert deliveries.
 * <ul>
 * <li>{@code cloudevents}: a CloudEvents 1.0 event in structured mode ({@code application/cloudevents+json}):
 * {@code specversion}, {@code id}, {@code source}, {@code type} ({@code io.gitwarden.push.denied}, ...),
 * {@code time}, {@code subject} (the session), {@code datacontenttype} and {@code data} (the audit event, or
 * the summary of a suspicious session).</li>
 * <li>{@code slack}: {@code {"text": "<summary>"}} for a Slack incoming webhook, with {@code &}, {@code <} and
 * {@code >} escaped as Slack asks, so a ref name cannot mention a channel or forge a link.</li>
 * </ul>
 * The signature is GitHub's scheme: {@code sha256=} and the hex HMAC-SHA256 of the exact body bytes.
 */
final class AlertMessages {

	static final String CLOUDEVENTS_TYPE = "application/cloudevents+json; charset=utf-8";

	static final String JSON_TYPE = "application/json; charset=utf-8";

	static final String SIGNATURE_HEADER = "X-Warden-Signature-256";

	private final JsonMapper json;

	private final String source;

	/**
	 * @param source the CloudEvents {@code source} of this instance
	 */
	AlertMessages(JsonMapper json, String source) {
		this.json = json;
		this.source = source;
	}

	byte[] body(Alert alert, AlertProperties.Format format) {
		return switch (format) {
			case CLOUDEVENTS -> cloudEvent(alert);
			case SLACK -> slack(alert);
		};
	}

	static String contentType(AlertProperties.Format format) {
		return (format == AlertProperties.Format.CLOUDEVENTS) ? CLOUDEVENTS_TYPE : JSON_TYPE;
	}

	byte[] cloudEvent(Alert alert) {
		ObjectNode event = this.json.createObjectNode();
		event.put("specversion", "1.0");
		event.put("id", alert.id());
		event.put("source", this.source);
		event.put("type", alert.type().cloudEventType());
		event.put("time", alert.time().toString());
		if (alert.session() != null) {
			event.put("subject", alert.session());
		}
		event.put("datacontenttype", "application/json");
		event.set("data", alert.data());
		return this.json.writeValueAsBytes(event);
	}

	byte[] slack(Alert alert) {
		ObjectNode message = this.json.createObjectNode();
		message.put("text", slackEscape(alert.summary()));
		return this.json.writeValueAsBytes(message);
	}

	static String slackEscape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	/** {@code sha256=<hex HMAC-SHA256 of body>}. */
	static String signature(String secret, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is unavailable", ex);
		}
	}

}
