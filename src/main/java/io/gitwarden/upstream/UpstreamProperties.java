package io.gitwarden.upstream;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where and how requests are forwarded ({@code warden.upstream.*}).
 *
 * @param url base URL of the smart-HTTP server, e.g. {@code https://github.com}; unset runs the embedded
 * demo upstream
 * @param token static upstream token, sent as {@code Basic x-access-token:<token>}
 * @param connectTimeout TCP connect timeout (default 5s)
 * @param readTimeout longest silence from the upstream while waiting for or reading a response (default
 * 10m: upstream checks after a push can be slow, and git itself has no read timeout)
 * @param maxConnections pooled connections to the upstream (default 1000)
 */
@Validated
@ConfigurationProperties("warden.upstream")
public record UpstreamProperties(URI url, String token, @DefaultValue("5s") Duration connectTimeout,
		@DefaultValue("10m") Duration readTimeout, @DefaultValue("1000") @Min(1) @Max(100_000) int maxConnections) {

	public UpstreamProperties {
		if (url != null && url.toString().isEmpty()) {
			url = null;
		}
		if (url != null) {
			if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null
					|| url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
				throw new IllegalArgumentException(
						"warden.upstream.url must be an http(s) URL without user info, query or fragment");
			}
			String text = url.toString();
			url = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
		}
		if (token != null && token.isBlank()) {
			token = null;
		}
		if (connectTimeout.isNegative() || connectTimeout.isZero()) {
			throw new IllegalArgumentException("warden.upstream.connect-timeout must be positive");
		}
		if (readTimeout.isNegative() || readTimeout.isZero()) {
			throw new IllegalArgumentException("warden.upstream.read-timeout must be positive");
		}
	}

	@Override
	public String toString() {
		return "UpstreamProperties[url=" + this.url + ", token=" + ((this.token != null) ? "<set>" : "<unset>")
				+ ", connectTimeout=" + this.connectTimeout + ", readTimeout=" + this.readTimeout + ", maxConnections="
				+ this.maxConnections + "]";
	}

}
