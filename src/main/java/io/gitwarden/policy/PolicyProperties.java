package io.gitwarden.policy;

import java.util.List;

import io.gitwarden.config.Settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Ref policy of pushes ({@code warden.policy.*}; the content rules have their own settings).
 *
 * @param allowBranchDeletion whether a session may delete a branch its grant names (default false)
 * @param allowTagUpdates whether a session may move or delete a tag its grant names (default false: tags
 * may only be created)
 * @param protectedBranches branches no token can create, update or delete, whatever its patterns; the
 * entry {@code HEAD} stands for the upstream's default branch (default {@code main}, {@code master},
 * {@code HEAD})
 * @param maxCommands most ref updates read from one push (default 1000)
 * @param maxCommandBytes most bytes read before the pack: shallow lines, commands, push options
 * (default 1 MiB)
 */
@ConfigurationProperties("warden.policy")
public record PolicyProperties(@DefaultValue("false") boolean allowBranchDeletion,
		@DefaultValue("false") boolean allowTagUpdates,
		@DefaultValue({ "main", "master", "HEAD" }) List<String> protectedBranches,
		@DefaultValue("1000") int maxCommands,
		@DefaultValue("1048576") int maxCommandBytes) {

	/** The entry of {@code protected-branches} that stands for the upstream's default branch. */
	public static final String DEFAULT_BRANCH = "HEAD";

	public PolicyProperties {
		protectedBranches = List.copyOf(protectedBranches);
		Settings.between("warden.policy.max-commands", maxCommands, 1, 100_000);
		Settings.between("warden.policy.max-command-bytes", maxCommandBytes, 1024, 64 * 1024 * 1024);
	}

}
