package io.gitwarden.mirror;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@code warden.mirror.*} binds with its defaults, and refuses values that cannot work. */
class MirrorPropertiesTests {

	@Test
	void defaults() {
		MirrorProperties properties = bind(Map.of());

		assertThat(properties.dir().normalize()).isEqualTo(Path.of("data/mirrors"));
		assertThat(properties.maxSize()).isEqualTo(DataSize.ofGigabytes(20));
		assertThat(properties.fetchTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(properties.maxConcurrentUpdates()).isEqualTo(4);
		assertThat(properties.gcPackThreshold()).isEqualTo(10);
		assertThat(properties.maxAdvertisedRefs()).isEqualTo(100_000);
	}

	@Test
	void bindsTheFormsTheHelmChartAndEnvironmentUse() {
		MirrorProperties properties = bind(Map.of("warden.mirror.dir", "/mirrors", "warden.mirror.max-size", "160GB",
				"warden.mirror.fetch-timeout", "90s", "warden.mirror.max-concurrent-updates", "8",
				"warden.mirror.gc-pack-threshold", "20"));

		assertThat(properties.dir()).isEqualTo(Path.of("/mirrors"));
		assertThat(properties.maxSize()).isEqualTo(DataSize.ofGigabytes(160));
		assertThat(properties.fetchTimeout()).isEqualTo(Duration.ofSeconds(90));
		assertThat(properties.maxConcurrentUpdates()).isEqualTo(8);
		assertThat(properties.gcPackThreshold()).isEqualTo(20);
	}

	@Test
	void refusesANonPositiveSizeOrTimeout() {
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> bind(Map.of("warden.mirror.max-size", "0B")))
			.havingRootCause()
			.withMessageContaining("warden.mirror.max-size");
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("warden.mirror.fetch-timeout", "500ms")))
			.havingRootCause()
			.withMessageContaining("warden.mirror.fetch-timeout");
	}

	private static MirrorProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("warden.mirror",
				MirrorProperties.class);
	}

}
