package io.gitwarden.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.auth.Grant;
import io.gitwarden.policy.Permission;
import io.gitwarden.policy.PushDecision;
import io.gitwarden.policy.PushPolicy;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.protocol.GitService;
import io.gitwarden.protocol.ProtocolException;
import io.gitwarden.protocol.ReceivePackCommandParser;
import io.gitwarden.protocol.ReceivePackRequest;
import io.gitwarden.protocol.ReportStatusParser;
import io.gitwarden.protocol.SideBand;
import io.gitwarden.proxy.PushDetail.RefResult;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.DefaultBranches;
import io.gitwarden.upstream.ForwardRequest;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.web.RequestBodies;
import io.gitwarden.web.Spool;
import org.eclipse.jgit.transport.ReceiveCommand;

import org.springframework.stereotype.Component;

/**
 * Serves a push ({@code POST git-receive-pack}) as a pipeline of stages:
 * <ol>
 * <li><b>receive</b>: the body is read under the request limits into a {@link Spool} (memory, then a
 * temporary file; never the heap for a pack), while the command section is checked command by command
 * as it arrives, keeping none of them;</li>
 * <li>a push with a refused ref stops being stored at once: the rest of its body is drained (bounded in
 * time, then the connection is closed) so git prints the reason, and the report is made from the
 * spooled command section;</li>
 * <li><b>decide</b>: the whole command section is read again from the spool and every command decided;</li>
 * <li><b>inspect</b>: what the pack carries is checked against the content rules, against the repository's
 * mirror ({@link PushInspections}); whatever cannot be inspected is refused;</li>
 * <li><b>forward</b>: the exact bytes the client sent go to the upstream, with its own length;</li>
 * <li><b>report</b>: the upstream's report-status is read as it is relayed, for the record.</li>
 * </ol>
 * Nothing of a refused push reaches the upstream; memory per push stays bounded however slowly or
 * hostilely the client sends.
 */
@Component
class PushService {

	private final ReceivePackCommandParser parser;

	private final PushPolicy policy;

	private final RequestBodies bodies;

	private final GitUpstream upstream;

	private final DefaultBranches defaultBranches;

	private final PushInspections inspections;

	/** Command sections above this size are parsed for a refusal with one of {@link #largeRefusals}. */
	static final long LARGE_COMMAND_SECTION = 64 * 1024;

	static final Duration LARGE_REFUSAL_WAIT = Duration.ofSeconds(30);

	private final Semaphore largeRefusals = new Semaphore(4);

	PushService(ReceivePackCommandParser parser, PushPolicy policy, RequestBodies bodies, GitUpstream upstream,
			DefaultBranches defaultBranches, PushInspections inspections) {
		this.parser = parser;
		this.policy = policy;
		this.bodies = bodies;
		this.upstream = upstream;
		this.defaultBranches = defaultBranches;
		this.inspections = inspections;
	}

	ServiceResult serve(GitRoute route, Grant grant, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		GitEndpoint.requireContentType(request, GitService.RECEIVE_PACK);
		InputStream body = this.bodies.open(request, RequestBodies.Kind.PUSH);
		try (Spool spool = this.bodies.newSpool()) {
			RefusalScan scan = new RefusalScan(grant);
			try {
				this.parser.scan(new TeeInputStream(body, spool), scan);
			}
			catch (ProtocolException ex) {
				this.bodies.drain(request, body);
				return protocolError(response, ex);
			}
			if (scan.refused) {
				// Read the rest without keeping it: replying early makes git print a broken pipe, not the reason.
				this.bodies.drain(request, body);
				spool.finish();
				return decideAndRefuse(grant, spool, response, scan.sideBand);
			}
			new TeeInputStream(body, spool).transferTo(OutputStream.nullOutputStream());
			spool.finish();
			ReceivePackRequest push;
			try {
				push = this.parser.parse(spool.open(0));
			}
			catch (ProtocolException ex) {
				return protocolError(response, ex);
			}
			if (push.isProbe()) {
				// git's 4-byte probe before a chunked push: forwarded, it updates nothing.
				return forward(route, request, response, spool, push, new PushDecision(List.of()), null);
			}
			PushDecision decision = this.policy.decide(grant, this.defaultBranches.of(route.repository()),
					push.commands());
			if (!decision.isAllowed()) {
				return refuse(response, push, decision, List.of());
			}
			PushInspections.Inspected inspection;
			try {
				inspection = this.inspections.inspect(route.repository(), push.commands(), spool, push.sectionLength());
			}
			catch (Refusal busy) {
				return fatal(response, busy, push.sideBand());
			}
			try (PushInspections.Inspected inspected = inspection) {
				if (!inspected.isAllowed()) {
					PushDecision refused = inspected.decision(decision);
					GitResponses.refusePush(response, push.sideBand(), refused, inspected.details());
					RefVerdict first = refused.primaryRefusal().orElseThrow();
					return new ServiceResult(0, 0, first.reason(), first.message(), List.of(new PushDetail(
							refused.verdicts(), List.of(), push.pushOptions(), Map.of(), inspected.detail())));
				}
				return forward(route, request, response, spool, push, decision, inspected);
			}
		}
	}

	/**
	 * A refusal whose command section was larger than the spool keeps in memory parses it only with one of
	 * these slots: hostile pushes of a thousand long ref names all finish their (time-bounded) drain at about
	 * the same moment, and parsing and answering them together would exhaust a small heap.
	 */
	private ServiceResult decideAndRefuse(Grant grant, Spool spool, HttpServletResponse response, SideBand sideBand)
			throws IOException {
		if (spool.length() <= LARGE_COMMAND_SECTION) {
			return parseAndRefuse(grant, spool, response);
		}
		try {
			if (!this.largeRefusals.tryAcquire(LARGE_REFUSAL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
				return fatal(response, new Refusal(RefusalReason.SERVER_BUSY, "too many large refused pushes at once"),
						sideBand);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return fatal(response, new Refusal(RefusalReason.SERVER_BUSY, "interrupted"), sideBand);
		}
		try {
			return parseAndRefuse(grant, spool, response);
		}
		finally {
			this.largeRefusals.release();
		}
	}

	private ServiceResult parseAndRefuse(Grant grant, Spool spool, HttpServletResponse response) throws IOException {
		ReceivePackRequest push;
		try {
			push = this.parser.parse(spool.open(0));
		}
		catch (ProtocolException ex) {
			return protocolError(response, ex);
		}
		return refuse(response, push, this.policy.decide(grant, null, push.commands()), List.of());
	}

	private static ServiceResult refuse(HttpServletResponse response, ReceivePackRequest push, PushDecision decision,
			List<String> details) throws IOException {
		GitResponses.refusePush(response, push.sideBand(), decision, details);
		RefVerdict first = decision.primaryRefusal().orElseThrow();
		return new ServiceResult(0, 0, first.reason(), first.message(),
				List.of(new PushDetail(decision.verdicts(), List.of(), push.pushOptions(), Map.of(), null)));
	}

	private static ServiceResult protocolError(HttpServletResponse response, ProtocolException ex) throws IOException {
		return fatal(response, refusalFor(ex), ex.sideBand());
	}

	/**
	 * Refuses the whole push in git's own format once its command section was read (a 503 to a POST would
	 * make git print only the status, not the reason).
	 */
	private static ServiceResult fatal(HttpServletResponse response, Refusal refusal, SideBand sideBand)
			throws IOException {
		GitResponses.protocolError(response, refusal, sideBand);
		return new ServiceResult(0, 0, refusal.reason(), refusal.getMessage(), List.of());
	}

	private ServiceResult forward(GitRoute route, HttpServletRequest request, HttpServletResponse response, Spool spool,
			ReceivePackRequest push, PushDecision decision, PushInspections.Inspected inspected) throws IOException {
		UpstreamResponse upstream = this.upstream.open(route, Permission.PUSH, request, body(spool), true);
		try (upstream) {
			this.upstream.startResponse(route, upstream, response);
			List<RefResult> results = new ArrayList<>();
			ReportStatusParser report = new ReportStatusParser(push.sideBand(), push.commandCount(),
					(ref, ok, reason) -> results.add(new RefResult(ref, ok, reason)));
			RefusalReason failure = null;
			try {
				ResponseRelay.copy(upstream.body(), response, report);
			}
			catch (IOException ex) {
				failure = RefusalReason.TRANSFER_FAILED;
			}
			Runnable adoption = (inspected != null) ? inspected.accepted(accepted(push.commands(), results)) : () -> {
			};
			try {
				if (failure == null) {
					ResponseRelay.end(response);
				}
			}
			finally {
				// after the client has its answer; its next push waits for this rather than fetching
				adoption.run();
			}
			PushDetail detail = new PushDetail(decision.verdicts(), results, push.pushOptions(),
					(inspected != null) ? inspected.forced() : Map.of(), (inspected != null) ? inspected.detail() : null);
			return new ServiceResult(upstream.status(), upstream.elapsedNanos(), failure,
					(failure != null) ? failure.message() : null, List.of(detail));
		}
	}

	/** The commands the upstream reported {@code ok} for. */
	private static List<ReceiveCommand> accepted(List<ReceiveCommand> commands, List<RefResult> results) {
		List<ReceiveCommand> accepted = new ArrayList<>();
		for (ReceiveCommand command : commands) {
			for (RefResult result : results) {
				if (result.ok() && result.ref().equals(command.getRefName())) {
					accepted.add(command);
					break;
				}
			}
		}
		return accepted;
	}

	/** The spooled body, forwarded byte for byte with its exact length. */
	static ForwardRequest.Body body(Spool spool) {
		return new ForwardRequest.Body() {

			@Override
			public long length() {
				return spool.length();
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				spool.writeTo(out);
			}

		};
	}

	/** The catalogue entry for a push that could not be read. */
	static Refusal refusalFor(ProtocolException error) {
		RefusalReason reason = switch (error.kind()) {
			case MALFORMED -> RefusalReason.MALFORMED_REQUEST;
			case TOO_LARGE -> RefusalReason.REQUEST_TOO_LARGE;
			case UNSUPPORTED -> RefusalReason.UNSUPPORTED_FEATURE;
		};
		return new Refusal(reason, error.getMessage());
	}

	/** Decides each command as it is read and remembers only whether any was refused. */
	private final class RefusalScan implements ReceivePackCommandParser.Visitor {

		private final Grant grant;

		private boolean refused;

		private SideBand sideBand = SideBand.NONE;

		RefusalScan(Grant grant) {
			this.grant = grant;
		}

		@Override
		public void capabilities(Set<String> capabilities) {
			this.sideBand = SideBand.requestedBy(capabilities);
		}

		@Override
		public void command(ReceiveCommand command) {
			if (!this.refused && !PushService.this.policy.decide(this.grant, null, command).isAllowed()) {
				this.refused = true;
			}
		}

	}

	/** Writes every byte read to a spool as well. */
	private static final class TeeInputStream extends FilterInputStream {

		private final OutputStream copy;

		TeeInputStream(InputStream in, OutputStream copy) {
			super(in);
			this.copy = copy;
		}

		@Override
		public int read() throws IOException {
			int b = this.in.read();
			if (b >= 0) {
				this.copy.write(b);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = this.in.read(buffer, offset, length);
			if (n > 0) {
				this.copy.write(buffer, offset, n);
			}
			return n;
		}

		@Override
		public long transferTo(OutputStream out) throws IOException {
			byte[] buffer = new byte[64 * 1024];
			long total = 0;
			for (int n = read(buffer, 0, buffer.length); n >= 0; n = read(buffer, 0, buffer.length)) {
				out.write(buffer, 0, n);
				total += n;
			}
			return total;
		}

	}

}
