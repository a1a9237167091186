package io.gitwarden.mirror;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.transport.TransferConfig;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.transport.WantNotValidException;

/**
 * JGit's {@link UploadPack} as a mirror serves with it: stateless RPC (smart HTTP: the request is read
 * whole before the answer), filters allowed ({@code --filter=blob:none} and the lazy fetches after it),
 * shallow supported, and every ref under {@code refs/warden/} hidden: not listed, not usable in
 * {@code want-ref}, and not counted when JGit checks that each {@code want} is reachable from a visible
 * ref ({@link UploadPack.RequestPolicy#REACHABLE_COMMIT}; non-commit wants, such as the blobs a partial
 * clone fetches lazily, are checked with the reachability bitmaps, or by walking when there are none).
 */
final class MirrorUploadPack {

	private MirrorUploadPack() {
	}

	static UploadPack create(Repository repository) {
		UploadPack uploadPack = new UploadPack(repository);
		Config config = new Config(repository.getConfig());
		config.setBoolean("uploadpack", null, "allowfilter", true);
		config.setBoolean("uploadpack", null, "allowreachablesha1inwant", true);
		config.setBoolean("uploadpack", null, "allowtipsha1inwant", false);
		config.setBoolean("uploadpack", null, "allowanysha1inwant", false);
		config.setBoolean("uploadpack", null, "allowrefinwant", true);
		// a client sends it only when the upstream advertised it
		config.setBoolean("uploadpack", null, "allowsidebandall", true);
		uploadPack.setTransferConfig(new TransferConfig(config));
		uploadPack.setPackConfig(packConfig(repository));
		uploadPack.setRefFilter(MirrorUploadPack::visible);
		uploadPack.setBiDirectionalPipe(false);
		return uploadPack;
	}

	/**
	 * How a served pack is written: the mirror's packs are reused as they are (whole packs with a bitmap
	 * when a clone wants all of them, otherwise each object's stored form, deltas included) and no delta
	 * search runs. The upstream already chose the deltas when it sent the objects, and the background GC
	 * keeps them: searching again for every clone would cost far more CPU than the bytes it could save on
	 * the way to a client near git-warden.
	 */
	static PackConfig packConfig(Repository repository) {
		PackConfig pack = new PackConfig(repository);
		pack.setDeltaCompress(false);
		pack.setReuseDeltas(true);
		pack.setReuseObjects(true);
		return pack;
	}

	static Map<String, Ref> visible(Map<String, Ref> refs) {
		return refs.entrySet()
			.stream()
			.filter((entry) -> !MirrorRefs.isHidden(entry.getKey()))
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	/**
	 * True when UploadPack would accept these wants: each present and reachable from a visible ref.
	 */
	static boolean servable(Repository repository, Collection<? extends AnyObjectId> wants) throws IOException {
		if (wants.isEmpty()) {
			return true;
		}
		List<ObjectId> ids = new ArrayList<>(wants.size());
		for (AnyObjectId want : wants) {
			ids.add(want.copy());
		}
		try (UploadPack uploadPack = create(repository)) {
			uploadPack.setAdvertisedRefs(null);
			new UploadPack.ReachableCommitRequestValidator().checkWants(uploadPack, ids);
			return true;
		}
		catch (WantNotValidException ex) {
			return false;
		}
	}

	/**
	 * Serves one request.
	 * @param gitProtocol the request's {@code Git-Protocol} header ({@code version=2} for v2), or null
	 * @return bytes written
	 */
	static long serve(Repository repository, InputStream request, OutputStream response, String gitProtocol)
			throws IOException {
		CountingOutputStream counting = new CountingOutputStream(response);
		try (UploadPack uploadPack = create(repository)) {
			uploadPack.setExtraParameters(UploadPackRequestParser.parameters(gitProtocol));
			uploadPack.uploadWithExceptionPropagation(request, counting, null);
		}
		catch (IOException ex) {
			throw new ServeException(ex, counting.count);
		}
		return counting.count;
	}

	/** Counts bytes on their way to the client. */
	private static final class CountingOutputStream extends FilterOutputStream {

		long count;

		CountingOutputStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(int b) throws IOException {
			this.out.write(b);
			this.count++;
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			this.out.write(bytes, offset, length);
			this.count += length;
		}

	}

}
