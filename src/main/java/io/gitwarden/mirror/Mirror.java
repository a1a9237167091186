package io.gitwarden.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gitwarden.protocol.RepositoryId;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * A lease on one repository's mirror, taken with {@link RepositoryMirrors#open} for the duration of a
 * request: while it is open the mirror is not evicted. Not for use after {@link #close()}.
 *
 * <p>The update methods fetch from the upstream only when the mirror lacks something, and share one
 * fetch among all concurrent callers of the same repository. They either succeed or throw a
 * {@link MirrorException}; a failed fetch leaves the mirror as it was, and the next call tries again.
 */
public final class Mirror implements AutoCloseable {

	private final RepositoryMirrors mirrors;

	private final MirrorEntry entry;

	private final Repository repository;

	private final AtomicBoolean closed = new AtomicBoolean();

	Mirror(RepositoryMirrors mirrors, MirrorEntry entry, Repository repository) {
		this.mirrors = mirrors;
		this.entry = entry;
		this.repository = repository;
	}

	/** The repository this mirrors. */
	public RepositoryId repositoryId() {
		return this.entry.repositoryId;
	}

	/**
	 * The bare mirror repository, open until this lease is closed (do not close it yourself). Its
	 * {@code refs/heads/*} and {@code refs/tags/*} are the upstream's as of the last update or adoption;
	 * refs under {@code refs/warden/} are git-warden's own (overwritten tips kept after force pushes) and
	 * reach objects the upstream may no longer have: do not count them as upstream state.
	 */
	public Repository repository() {
		return this.repository;
	}

	/**
	 * Makes the mirror hold every branch and tag tip the upstream advertised: fetches when some
	 * advertised id is missing, otherwise ({@link MirrorUpdate.Outcome#HIT}) only moves the mirror's refs
	 * to the advertised ones, without contacting the upstream.
	 * @param advertised the upstream's refs, from a {@link RefAdvertisementTap}; only
	 * {@code refs/heads/*} and {@code refs/tags/*} are looked at
	 */
	public MirrorUpdate ensureCurrent(AdvertisedRefs advertised) throws MirrorException {
		return this.mirrors.ensureCurrent(this.entry, this.repository, advertised);
	}

	/**
	 * Moves the mirror's branches and tags to what the upstream advertised (and, for a complete
	 * advertisement, deletes those it no longer lists) when the mirror already holds every advertised
	 * object, without contacting the upstream; does nothing and returns {@code false} when something is
	 * missing (the fetch that needs it brings it, with {@link #ensureServable}). For the fetch cache: an
	 * advertisement alone ({@code git ls-remote}, a {@code git fetch} with nothing new) never causes an
	 * upstream fetch.
	 * @param advertised the upstream's refs, from a {@link RefAdvertisementTap}
	 * @return true when the mirror holds every advertised object (its refs follow the advertisement)
	 */
	public boolean follow(AdvertisedRefs advertised) throws MirrorException {
		return this.mirrors.follow(this.entry, this.repository, advertised);
	}

	/**
	 * Makes the mirror hold these objects (a push's {@code old} ids, thin-pack bases): fetches when one
	 * is missing, and fails with {@link MirrorException.Reason#OBJECTS_MISSING} when the upstream does
	 * not have it either.
	 */
	public MirrorUpdate ensureObjects(Collection<? extends AnyObjectId> ids) throws MirrorException {
		return this.mirrors.ensureObjects(this.entry, this.repository, ids, false);
	}

	/**
	 * Makes the mirror able to serve a fetch of these wants with {@link #uploadPack}: each present and
	 * reachable from a branch or tag (the check JGit's upload-pack makes). Fetches when not; fails with
	 * {@link MirrorException.Reason#OBJECTS_MISSING} when still not servable after a fetch (forward the
	 * request to the upstream then).
	 */
	public MirrorUpdate ensureServable(Collection<? extends AnyObjectId> wants) throws MirrorException {
		return this.mirrors.ensureObjects(this.entry, this.repository, wants, true);
	}

	/**
	 * Fetches from the upstream unconditionally (sharing a fetch in flight): for when the advertisement
	 * could not be read ({@link RefAdvertisementTap.Status#TOO_MANY_REFS}).
	 */
	public MirrorUpdate update() throws MirrorException {
		return this.mirrors.update(this.entry, this.repository);
	}

	/**
	 * Adds a push the upstream accepted, so the mirror is current without a fetch: the pack goes into
	 * {@code objects/pack} and the refs move to the commands' new ids (deleted for a zero id), whatever the
	 * mirror had. A tip that a command overwrites (its {@code old} is not an ancestor of {@code new}, or
	 * the ref is deleted) is kept under {@code refs/warden/overwritten/<ref>/<time>-<id>}.
	 * @param pack the pack JGit's {@code PackParser} wrote for the push (thin packs completed), or
	 * {@code null} when the push carried none (deletions only); moved into the mirror when on the same
	 * file system, copied otherwise
	 * @param index its {@code .idx}, or {@code null} with a null pack
	 * @param commands the accepted ref updates; names under {@code refs/warden/} are refused
	 * @return the {@code refs/warden/overwritten/...} refs created
	 * @throws MirrorException when the pack does not match its index ({@code INVALID_PACK}), a new id is
	 * missing after adding it ({@code OBJECTS_MISSING}), or writing fails ({@code STORAGE}); the mirror
	 * stays usable (a later fetch repairs any ref left behind)
	 */
	public List<String> adopt(Path pack, Path index, Collection<ReceiveCommand> commands) throws MirrorException {
		return this.mirrors.adopt(this.entry, this.repository, pack, index, commands);
	}

	/**
	 * Announces an {@link #adopt} that follows shortly: until the returned handle is closed, a caller of
	 * this mirror about to fetch because something is missing first waits (up to
	 * {@link RepositoryMirrors#ADOPTION_WAIT}) for it, so a push adopted after its client's response ended
	 * is found by that client's next request without a fetch. Close the handle after adopting, whether or
	 * not adopting succeeded.
	 */
	public PendingAdoption announceAdoption() {
		this.entry.adoptionAnnounced();
		AtomicBoolean done = new AtomicBoolean();
		return () -> {
			if (done.compareAndSet(false, true)) {
				this.entry.adoptionDone();
			}
		};
	}

	/** An announced adoption; {@link #close()} says it is done (idempotent). */
	@FunctionalInterface
	public interface PendingAdoption extends AutoCloseable {

		@Override
		void close();

	}

	/**
	 * Serves one {@code POST git-upload-pack} from the mirror with JGit's {@code UploadPack} in stateless
	 * RPC mode: protocol v0/v1 and v2 ({@code command=fetch}), shallow and filtered fetches; refs under
	 * {@code refs/warden/} hidden. The caller sets the response's status ({@code 200}), its
	 * {@code Content-Type} ({@code application/x-git-upload-pack-result}) and {@code Cache-Control:
	 * no-cache}, and flushes the response stream as JGit flushes it. Check {@link #ensureServable} with the
	 * request's wants first.
	 * @param request the request body, decoded ({@link SpooledRequestBody#openDecoded()}); read to its end
	 * @param response the response body
	 * @param gitProtocol the request's {@code Git-Protocol} header ({@code version=2} selects v2), or null
	 * @return bytes written to {@code response}
	 * @throws ServeException when serving failed; {@link ServeException#responseStarted()} tells whether
	 * anything reached the client
	 */
	public long uploadPack(InputStream request, OutputStream response, String gitProtocol) throws ServeException {
		try {
			return MirrorUploadPack.serve(this.repository, request, response, gitProtocol);
		}
		catch (ServeException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new ServeException(ex, 0);
		}
	}

	/** Ends the lease. */
	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true)) {
			this.mirrors.release(this.entry);
		}
	}

}
