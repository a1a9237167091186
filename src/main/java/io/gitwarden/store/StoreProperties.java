package io.gitwarden.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.gitwarden.config.InvalidConfigurationException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The shared store for a fleet of replicas ({@code warden.store.*}): PostgreSQL keeps the revocations and
 * the audit trail. Unset {@code url}: no database at all (revocations in {@code warden.revocations.file},
 * audit in {@code warden.audit.file}).
 *
 * @param url {@code jdbc:postgresql://host[:port]/database[?parameters]}
 * @param username the database user, as text or {@code file:<path>}
 * @param password the database password, as text or {@code file:<path>} (a trailing line feed is dropped)
 * @param spoolFile where audit events wait while the database is unreachable, replayed when it returns
 * (default {@code ./data/audit-spool.jsonl})
 * @param timeout connect and login timeout, also how long a revocation may wait for the database before the
 * admin API answers 503 (default 5s)
 * @param resyncInterval how often every revocation is read again, healing a missed notification
 * (default 30s)
 */
@ConfigurationProperties("warden.store")
public record StoreProperties(String url, String username, String password,
		@DefaultValue("./data/audit-spool.jsonl") Path spoolFile, @DefaultValue("5s") Duration timeout,
		@DefaultValue("30s") Duration resyncInterval) {

	static final String URL = "warden.store.url";

	static final String URL_PREFIX = "jdbc:postgresql://";

	private static final String FILE_PREFIX = "file:";

	public StoreProperties {
		if (url != null && url.isBlank()) {
			url = null;
		}
		if (url != null && !url.startsWith(URL_PREFIX)) {
			throw new IllegalArgumentException(URL + " must be a " + URL_PREFIX + "host[:port]/database URL");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("warden.store.timeout must be positive");
		}
		if (resyncInterval.isNegative() || resyncInterval.isZero()) {
			throw new IllegalArgumentException("warden.store.resync-interval must be positive");
		}
	}

	/** Whether the shared store is configured. */
	public boolean isEnabled() {
		return this.url != null;
	}

	/** The user name, read from its file when given as {@code file:<path>}. */
	String resolvedUsername() {
		return resolve("warden.store.username", this.username);
	}

	/** The password, read from its file when given as {@code file:<path>}. */
	String resolvedPassword() {
		return resolve("warden.store.password", this.password);
	}

	/** Like the PEM properties: the value itself, or {@code file:<path>} naming a file that holds it. */
	static String resolve(String property, String value) {
		if (value == null || value.isEmpty()) {
			return null;
		}
		if (!value.startsWith(FILE_PREFIX)) {
			return value;
		}
		Path path = Path.of(value.substring(FILE_PREFIX.length()).strip());
		try {
			String content = Files.readString(path, StandardCharsets.UTF_8);
			return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
					: content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
		}
		catch (IOException ex) {
			throw new InvalidConfigurationException(property, "cannot read the file " + path);
		}
	}

	@Override
	public String toString() {
		// Never print the password (actuator /configprops, logs of bind failures).
		String shown = (this.url != null && this.url.indexOf('?') > 0) ? this.url.substring(0, this.url.indexOf('?')) + "?..." : this.url;
		return "StoreProperties[url=" + shown + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "<set>" : "<unset>") + ", spoolFile=" + this.spoolFile + ", timeout="
				+ this.timeout + ", resyncInterval=" + this.resyncInterval + "]";
	}

}
