package io.gitwarden.proxy;

import java.util.List;

import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.refusal.RefusalReason;

/**
 * What serving an authorized git request came to: what the upstream said (if it was contacted), the
 * refusal or failure it ended with (a push refused per ref is answered normally, with {@code ng} lines,
 * and still ends with its primary reason), and the details to record.
 *
 * @param upstreamStatus the upstream's status, or 0 when it was not contacted
 * @param upstreamNanos time spent on the upstream call, or 0
 * @param reason the refusal or failure, or {@code null}
 * @param reasonMessage its message, or {@code null}
 * @param details what to record besides
 */
record ServiceResult(int upstreamStatus, long upstreamNanos, RefusalReason reason, String reasonMessage,
		List<ExchangeDetail> details) {

	static ServiceResult relayed(int upstreamStatus, long upstreamNanos, ExchangeDetail... details) {
		return new ServiceResult(upstreamStatus, upstreamNanos, null, null, List.of(details));
	}

}
