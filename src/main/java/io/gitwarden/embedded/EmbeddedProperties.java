package io.gitwarden.embedded;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded demo upstream ({@code warden.embedded.*}), used only when {@code warden.upstream.url} is
 * unset.
 *
 * @param repositories directory of bare repositories, {@code owner/name.git} (default
 * {@code ./data/repos}); {@code demo/hello} is created there
 */
@ConfigurationProperties("warden.embedded")
public record EmbeddedProperties(@DefaultValue("./data/repos") Path repositories) {

}
