package io.gitwarden.policy;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Push policy settings ({@code warden.policy.*}).
 *
 * @param allowBranchDeletion whether a session may delete its own branch (default false)
 * @param maxCommands most ref updates read from one push (default 1000)
 * @param maxCommandBytes most bytes read before the pack: shallow lines, commands, push options
 * (default 1 MiB)
 */
@Validated
@ConfigurationProperties("warden.policy")
public record PolicyProperties(@DefaultValue("false") boolean allowBranchDeletion,
		@DefaultValue("1000") @Min(1) @Max(100_000) int maxCommands,
		@DefaultValue("1048576") @Min(1024) @Max(64 * 1024 * 1024) int maxCommandBytes) {

}
