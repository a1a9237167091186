package io.gitwarden.alerts;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Delivers alerts to webhooks (Apache HttpClient, with none of its own retries) on a small pool of its own ({@code warden.alerts.senders} threads), never on a
 * request thread. At most {@code warden.alerts.queue-size} deliveries wait, run or wait for a retry at once;
 * past that a new one is dropped at once. An attempt that times out, cannot connect, or gets 408, 429 or a
 * 5xx is retried after {@code backoff}, doubled with each attempt up to {@code max-backoff}, with jitter
 * (each wait is between half and all of that; a {@code Retry-After} of 429 or 503 is honoured up to
 * {@code max-backoff}), up to {@code max-attempts}; any other answer (a 4xx: a wrong URL, a refused
 * signature) is final. Every alert not delivered is counted by cause and logged with the webhook's index and
 * host, never its URL or secret; it stays in the audit trail in any case.
 */
final class WebhookDelivery implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(WebhookDelivery.class);

	/** Why an alert was not delivered (the {@code cause} tag of {@code warden.alerts.dropped}). */
	enum DropCause {

		/** Too many deliveries pending. */
		QUEUE_FULL("queue-full"),

		/** The receiver answered with a final status (a 4xx). */
		REJECTED("rejected"),

		/** Every attempt failed. */
		EXHAUSTED("exhausted"),

		/** git-warden stopped before it could deliver. */
		SHUTDOWN("shutdown");

		private final String tag;

		DropCause(String tag) {
			this.tag = tag;
		}

		String tag() {
			return this.tag;
		}

	}

	private final CloseableHttpClient client;

	private final AlertMessages messages;

	private final AlertProperties properties;

	private final ScheduledThreadPoolExecutor senders;

	private final AtomicInteger pending = new AtomicInteger();

	private final AtomicLong delivered = new AtomicLong();

	private final AtomicLong failedAttempts = new AtomicLong();

	private final AtomicLong[] dropped = new AtomicLong[DropCause.values().length];

	private final AtomicLong lastQueueFullLog = new AtomicLong();

	private final AtomicLong queueFullSinceLog = new AtomicLong();

	WebhookDelivery(AlertProperties properties, AlertMessages messages) {
		this.properties = properties;
		this.messages = messages;
		Timeout timeout = Timeout.of(properties.timeout());
		// No automatic retry of any kind (the client's own would repeat a POST): retries are decided here.
		this.client = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setMaxConnTotal(properties.senders() * 2)
				.setMaxConnPerRoute(properties.senders())
				.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(timeout).build())
				.setDefaultConnectionConfig(
						ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
				.build())
			.setDefaultRequestConfig(RequestConfig.custom()
				.setConnectionRequestTimeout(timeout)
				.setResponseTimeout(timeout)
				.setRedirectsEnabled(false)
				.build())
			.disableAutomaticRetries()
			.disableRedirectHandling()
			.disableCookieManagement()
			.disableAuthCaching()
			.disableContentCompression()
			.setUserAgent("git-warden-alerts")
			.build();
		AtomicInteger threads = new AtomicInteger();
		this.senders = new ScheduledThreadPoolExecutor(properties.senders(), (task) -> {
			Thread thread = new Thread(task, "warden-alerts-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.senders.setRemoveOnCancelPolicy(true);
		for (int i = 0; i < this.dropped.length; i++) {
			this.dropped[i] = new AtomicLong();
		}
	}

	/** Queues the alert for every webhook that selected one of its kinds. Never blocks. */
	void deliver(Alert alert, List<AlertProperties.Webhook> webhooks) {
		for (int i = 0; i < webhooks.size(); i++) {
			AlertProperties.Webhook webhook = webhooks.get(i);
			if (alert.isFor(webhook)) {
				submit(new Job(i + 1, webhook, alert, this.messages.body(alert, webhook.format())));
			}
		}
	}

	private void submit(Job job) {
		if (this.pending.incrementAndGet() > this.properties.queueSize()) {
			this.pending.decrementAndGet();
			queueFull(job);
			return;
		}
		schedule(job, 0);
	}

	private void schedule(Job job, long delayMillis) {
		try {
			this.senders.schedule(() -> attempt(job), delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			finish(job, DropCause.SHUTDOWN, "git-warden is stopping");
		}
	}

	private void attempt(Job job) {
		job.attempts++;
		String problem;
		long retryAfterMillis = -1;
		try {
			Answer response = send(job);
			int status = response.status();
			if (status >= 200 && status < 300) {
				this.delivered.incrementAndGet();
				this.pending.decrementAndGet();
				if (logger.isDebugEnabled()) {
					logger.debug("Alert " + job.alert.id() + " (" + job.alert.type().eventName() + ") delivered to "
							+ job.describe() + " at attempt " + job.attempts);
				}
				return;
			}
			this.failedAttempts.incrementAndGet();
			problem = "HTTP " + status;
			if (status != 408 && status != 429 && status < 500) {
				finish(job, DropCause.REJECTED, problem + " (not retried)");
				return;
			}
			if (status == 429 || status == 503) {
				retryAfterMillis = retryAfter(response.retryAfter());
			}
		}
		catch (InterruptedIOException ex) {
			if (Thread.currentThread().isInterrupted()) {
				finish(job, DropCause.SHUTDOWN, "git-warden is stopping");
				return;
			}
			this.failedAttempts.incrementAndGet();
			problem = describe(ex);
		}
		catch (IOException | RuntimeException ex) {
			this.failedAttempts.incrementAndGet();
			problem = describe(ex);
		}
		if (job.attempts >= this.properties.maxAttempts()) {
			finish(job, DropCause.EXHAUSTED, problem + " after " + job.attempts + " attempts");
			return;
		}
		long delay = Math.max(backoff(job.attempts), retryAfterMillis);
		delay = Math.min(delay, this.properties.maxBackoff().toMillis());
		if (logger.isDebugEnabled()) {
			logger.debug("Alert " + job.alert.id() + " to " + job.describe() + " failed (" + problem
					+ "); attempt " + (job.attempts + 1) + " in " + delay + " ms");
		}
		schedule(job, delay);
	}

	/** The status and {@code Retry-After} of an answer; its body is never read. */
	private record Answer(int status, String retryAfter) {

	}

	private Answer send(Job job) throws IOException {
		HttpPost post = new HttpPost(job.webhook.url());
		post.setEntity(new ByteArrayEntity(job.body, ContentType.parse(AlertMessages.contentType(job.webhook.format()))));
		post.setHeader("X-Warden-Event", job.alert.type().eventName());
		post.setHeader("X-Warden-Delivery", job.alert.id());
		if (job.webhook.secret() != null) {
			post.setHeader(AlertMessages.SIGNATURE_HEADER, AlertMessages.signature(job.webhook.secret(), job.body));
		}
		// The body of the answer is not read: closing the response closes (not reuses) the connection when
		// a body was sent, so a receiver that trickles one cannot hold a sender.
		return this.client.execute(post, (ClassicHttpResponse response) -> {
			Header retryAfter = response.getFirstHeader("Retry-After");
			return new Answer(response.getCode(), (retryAfter != null) ? retryAfter.getValue() : null);
		});
	}

	/** Exponential backoff with jitter: between half and all of {@code backoff * 2^(attempt-1)}. */
	long backoff(int attempt) {
		long base = this.properties.backoff().toMillis();
		long max = this.properties.maxBackoff().toMillis();
		long delay = (attempt >= 31) ? max : Math.min(max, base << (attempt - 1));
		return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
	}

	private static long retryAfter(String value) {
		if (value == null) {
			return -1;
		}
		try {
			return TimeUnit.SECONDS.toMillis(Long.parseLong(value.trim()));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static String describe(Throwable ex) {
		if (ex instanceof ConnectTimeoutException) {
			return "connect timeout";
		}
		if (ex instanceof SocketTimeoutException || ex instanceof InterruptedIOException) {
			return "timeout";
		}
		if (ex instanceof ConnectException) {
			return "connection refused";
		}
		// Messages of the HTTP client can quote the URL; only the type is logged.
		return ex.getClass().getSimpleName();
	}

	private void finish(Job job, DropCause cause, String problem) {
		this.pending.decrementAndGet();
		this.dropped[cause.ordinal()].incrementAndGet();
		logger.warn("Alert " + job.alert.id() + " (" + job.alert.type().eventName() + ", session "
				+ Alerts.clean(job.alert.session()) + ") not delivered to " + job.describe() + ": " + problem
				+ "; it remains in the audit trail");
	}

	/** An event dropped before it was even classified: the dispatcher's queue was full. */
	void droppedBeforeDispatch(String requestId) {
		queueFull("request " + requestId, "the alert dispatcher");
	}

	private void queueFull(Job job) {
		queueFull("alert " + job.alert.id() + " (" + job.alert.type().eventName() + ")", job.describe());
	}

	/** Logs the first alert dropped for a full queue, then at most one line every 30 s with a count. */
	private void queueFull(String what, String where) {
		this.dropped[DropCause.QUEUE_FULL.ordinal()].incrementAndGet();
		long now = System.nanoTime();
		long last = this.lastQueueFullLog.get();
		long count = this.queueFullSinceLog.incrementAndGet();
		if ((last == 0 || now - last > TimeUnit.SECONDS.toNanos(30)) && this.lastQueueFullLog.compareAndSet(last, now)) {
			this.queueFullSinceLog.set(0);
			logger.warn(count + " alert(s) dropped, the latest " + what + " for " + where + ": "
					+ this.properties.queueSize()
					+ " deliveries pending (warden.alerts.queue-size); they remain in the audit trail");
		}
	}

	long delivered() {
		return this.delivered.get();
	}

	long failedAttempts() {
		return this.failedAttempts.get();
	}

	long dropped(DropCause cause) {
		return this.dropped[cause.ordinal()].get();
	}

	long dropped() {
		long total = 0;
		for (AtomicLong count : this.dropped) {
			total += count.get();
		}
		return total;
	}

	int pending() {
		return this.pending.get();
	}

	/** Gives pending deliveries up to {@code grace} to finish, then stops. */
	void close(Duration grace) {
		this.senders.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.senders.shutdown();
		try {
			if (!this.senders.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
				this.senders.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.senders.shutdownNow();
		}
		try {
			this.client.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
		int left = this.pending.getAndSet(0);
		if (left > 0) {
			this.dropped[DropCause.SHUTDOWN.ordinal()].addAndGet(left);
			logger.warn(left + " alert deliveries were pending at shutdown and were dropped; they remain in the "
					+ "audit trail");
		}
	}

	@Override
	public void close() {
		close(Duration.ofSeconds(5));
	}

	/** One alert for one webhook. */
	private static final class Job {

		private final int index;

		private final AlertProperties.Webhook webhook;

		private final Alert alert;

		private final byte[] body;

		private int attempts;

		Job(int index, AlertProperties.Webhook webhook, Alert alert, byte[] body) {
			this.index = index;
			this.webhook = webhook;
			this.alert = alert;
			this.body = body;
		}

		String describe() {
			return "webhook #" + this.index + " (" + this.webhook.host() + ")";
		}

	}

}
