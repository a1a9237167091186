package io.gitwarden.lfs;

import java.util.List;

import io.gitwarden.exchange.ExchangeDetail;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of an LFS request, written as {@code "lfs": {...}} in the audit event: the batch operation
 * and its objects (id, size, what happened to each; the first {@value #MAX_LISTED}, and the count), a
 * transfer's object and the bytes it moved, or a lock call.
 *
 * @param action {@code download} or {@code upload} (batch and transfers), {@code verify}, or the lock call
 * ({@code list}, {@code verify}, {@code create}, {@code unlock})
 * @param objects the objects named, at most {@value #MAX_LISTED}
 * @param objectCount how many objects the request named
 * @param bytes bytes of object content transferred, or -1 when not a transfer
 * @param lockPath the path of a lock created, or {@code null}
 * @param lockId the id of a lock created or deleted, or {@code null}
 */
record LfsDetail(String action, List<ObjectResult> objects, int objectCount, long bytes, String lockPath,
		String lockId) implements ExchangeDetail {

	static final int MAX_LISTED = 100;

	LfsDetail {
		objects = List.copyOf((objects.size() > MAX_LISTED) ? objects.subList(0, MAX_LISTED) : objects);
	}

	/**
	 * One object and what became of it.
	 *
	 * @param oid the object id
	 * @param size its size
	 * @param result {@code download}, {@code upload}, {@code present} (nothing to upload), {@code refused}
	 * (by git-warden), {@code error} (by the upstream), or {@code null} when not decided
	 * @param code the LFS error code of a refused or failed object, or 0
	 */
	record ObjectResult(String oid, long size, String result, int code) {

	}

	static LfsDetail transfer(String action, String oid, long size, long bytes) {
		return new LfsDetail(action, List.of(new ObjectResult(oid, size, null, 0)), 1, bytes, null, null);
	}

	static LfsDetail lock(String action, String path, String id) {
		return new LfsDetail(action, List.of(), 0, -1, path, id);
	}

	@Override
	public void writeTo(ObjectNode event) {
		ObjectNode lfs = event.putObject("lfs");
		lfs.put("action", this.action);
		if (this.objectCount > 0) {
			ArrayNode objects = lfs.putArray("objects");
			for (ObjectResult object : this.objects) {
				ObjectNode node = objects.addObject();
				node.put("oid", object.oid());
				node.put("size", object.size());
				if (object.result() != null) {
					node.put("result", object.result());
				}
				if (object.code() != 0) {
					node.put("code", object.code());
				}
			}
			lfs.put("objectCount", this.objectCount);
		}
		if (this.bytes >= 0) {
			lfs.put("bytes", this.bytes);
		}
		if (this.lockPath != null) {
			lfs.put("lockPath", this.lockPath);
		}
		if (this.lockId != null) {
			lfs.put("lockId", this.lockId);
		}
	}

}
