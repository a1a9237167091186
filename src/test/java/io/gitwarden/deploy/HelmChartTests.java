package io.gitwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints and renders {@code helm/git-warden} in-process (helm-java) and checks the manifests that a cluster
 * would receive: the hardened pod, probes, secret wiring, graceful shutdown and the network policy.
 */
class HelmChartTests {

	static final Path CHART = Path.of("helm", "git-warden");

	static final Path PRODUCTION_VALUES = Path.of("src", "test", "resources", "helm", "production-values.yaml");

	static final List<String> SECRET_ENV = List.of("WARDEN_UPSTREAM_TOKEN", "WARDEN_UPSTREAM_GITHUBAPP_PRIVATEKEY",
			"WARDEN_AUTH_HMACSECRET", "WARDEN_AUTH_PUBLICKEY", "WARDEN_ISSUER_PRIVATEKEY", "WARDEN_ADMIN_TOKEN");

	@Test
	void chartPassesStrictLint() {
		LintResult result = new Helm(CHART).lint().strict().call();

		assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
	}

	@Test
	void valuesFileDocumentsEveryValue() throws IOException {
		String text = Files.readString(CHART.resolve("values.yaml"));
		Set<String> documented = new HashSet<>();
		Matcher m = Pattern.compile("(?m)^\\s*## @param (\\S+) \\S").matcher(text);
		while (m.find()) {
			documented.add(m.group(1));
		}
		Map<String, Object> values = new Yaml().load(text);

		List<String> undocumented = new ArrayList<>();
		collectUndocumented("", values, documented, undocumented);

		assertThat(undocumented).isEmpty();
	}

	/** A key is documented by its own {@code @param} or, for a map passed through whole, by its parent's. */
	@SuppressWarnings("unchecked")
	private static void collectUndocumented(String prefix, Map<String, Object> map, Set<String> documented,
			List<String> undocumented) {
		map.forEach((key, value) -> {
			String path = prefix.isEmpty() ? key : prefix + "." + key;
			if (documented.contains(path)) {
				return;
			}
			if (value instanceof Map<?, ?> child && !child.isEmpty()) {
				collectUndocumented(path, (Map<String, Object>) child, documented, undocumented);
			}
			else {
				undocumented.add(path);
			}
		});
	}

	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	class Defaults {

		Manifests manifests;

		@BeforeAll
		void render() {
			this.manifests = Manifests.parse(new Helm(CHART).template().withName("warden").withNamespace("git").call());
		}

		@Test
		void podRunsAsNonRootWithReadOnlyRootFilesystemAndNoCapabilities() {
			Node pod = manifests.deployment().at("spec.template.spec");
			assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
			assertThat(pod.get("securityContext.runAsNonRoot")).isEqualTo(true);
			assertThat(pod.get("securityContext.runAsUser")).isEqualTo(65532);
			assertThat(pod.get("securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");

			Node container = manifests.container();
			assertThat(container.get("securityContext.readOnlyRootFilesystem")).isEqualTo(true);
			assertThat(container.get("securityContext.allowPrivilegeEscalation")).isEqualTo(false);
			assertThat(container.get("securityContext.runAsNonRoot")).isEqualTo(true);
			assertThat(container.get("securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
			assertThat(container.get("securityContext.capabilities.add")).isNull();
			assertThat(manifests.single("ServiceAccount").get("automountServiceAccountToken")).isEqualTo(false);
		}

		@Test
		void writablePathsAreEmptyDirs() {
			Node container = manifests.container();
			assertThat(container.list("volumeMounts")).extracting(v -> v.get("mountPath"))
				.containsExactlyInAnyOrder("/config", "/data", "/tmp", "/mirrors");
			List<Node> volumes = manifests.deployment().list("spec.template.spec.volumes");
			assertThat(volumes).filteredOn(v -> List.of("data", "tmp", "mirrors").contains(v.get("name")))
				.hasSize(3)
				.allSatisfy(v -> assertThat(v.get("emptyDir")).isNotNull());
			assertThat(volumes).filteredOn(v -> "config".equals(v.get("name")))
				.singleElement()
				.satisfies(v -> assertThat(v.get("configMap.name")).isEqualTo("warden-git-warden"));
		}

		@Test
		void repositoryMirrorsHaveAVolumeOfTheirOwnSizedAboveMaxSize() {
			Node mirrors = manifests.deployment().list("spec.template.spec.volumes").stream()
				.filter(v -> "mirrors".equals(v.get("name")))
				.findFirst()
				.orElseThrow();
			assertThat(mirrors.get("emptyDir.sizeLimit")).isEqualTo("25Gi");
			assertThat(manifests.container().list("volumeMounts"))
				.filteredOn(v -> "mirrors".equals(v.get("name")))
				.singleElement()
				.satisfies(v -> {
					assertThat(v.get("mountPath")).isEqualTo("/mirrors");
					assertThat(v.get("readOnly")).isNull();
				});
			Node config = manifests.applicationConfig();
			assertThat(config.get("warden.mirror.dir")).isEqualTo("/mirrors");
			assertThat(config.get("warden.mirror.max-size")).isEqualTo("20GB");
			assertThat(config.get("warden.mirror.fetch-timeout")).isEqualTo("5m");
			assertThat(config.get("warden.mirror.max-concurrent-updates")).isEqualTo(4);
			assertThat(config.get("warden.mirror.gc-pack-threshold")).isEqualTo(10);
			assertThat(manifests.container().get("securityContext.readOnlyRootFilesystem")).isEqualTo(true);
			assertThat(manifests.ofKind("PersistentVolumeClaim")).isEmpty();
			assertThat(manifests.deployment().get("spec.strategy.type")).isEqualTo("RollingUpdate");
		}

		@Test
		void probesUseActuatorHealthGroupsOnTheManagementPort() {
			Node container = manifests.container();
			assertThat(container.get("ports")).isEqualTo(
					List.of(Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"),
							Map.of("name", "management", "containerPort", 8081, "protocol", "TCP")));
			assertThat(container.get("livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
			assertThat(container.get("livenessProbe.httpGet.port")).isEqualTo("management");
			assertThat(container.get("readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
			assertThat(container.get("readinessProbe.httpGet.port")).isEqualTo("management");
			assertThat(manifests.applicationConfig().get("management.server.port")).isEqualTo(8081);
			// forwarded headers are not trusted unless trustedProxies names the proxies
			assertThat(manifests.applicationConfig().get("server.forward-headers-strategy")).isEqualTo("none");
			assertThat(container.get("startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
			assertThat(manifests.applicationConfig().get("management.endpoint.health.probes.enabled")).isEqualTo(true);
			assertThat((String) manifests.applicationConfig().get("management.endpoints.web.exposure.include"))
				.contains("health", "prometheus");
		}

		@Test
		void jvmIsSizedFromTheContainerMemoryLimit() {
			Node container = manifests.container();
			assertThat(container.get("resources.limits.memory")).isEqualTo("1Gi");
			assertThat(container.get("resources.requests.cpu")).isNotNull();
			assertThat(manifests.env("JAVA_TOOL_OPTIONS").get("value")).asString()
				.contains("-XX:MaxRAMPercentage=75")
				.doesNotContain("-Xmx");
		}

		@Test
		void gracePeriodCoversPreStopSleepAndTheAppShutdownTimeout() {
			Node pod = manifests.deployment().at("spec.template.spec");
			Node config = manifests.applicationConfig();
			assertThat(config.get("server.shutdown")).isEqualTo("graceful");
			assertThat(config.get("spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("120s");
			assertThat(manifests.container().get("lifecycle.preStop.exec.command")).isEqualTo(List.of("sleep", "5"));
			assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(120 + 15);
		}

		@Test
		void everyCredentialComesFromTheChartSecretAsAnOptionalKey() {
			for (String name : SECRET_ENV) {
				Node env = manifests.env(name);
				assertThat(env.get("value")).as(name).isNull();
				assertThat(env.get("valueFrom.secretKeyRef.name")).as(name).isEqualTo("warden-git-warden");
				assertThat(env.get("valueFrom.secretKeyRef.key")).as(name).isEqualTo(name);
				assertThat(env.get("valueFrom.secretKeyRef.optional")).as(name).isEqualTo(true);
			}
			assertThat(manifests.single("Secret").get("metadata.name")).isEqualTo("warden-git-warden");
			assertThat(manifests.single("Secret").get("stringData")).as("no empty keys").isNull();
		}

		@Test
		void configMapIsLoadedAsAdditionalSpringConfigLocation() {
			assertThat(manifests.env("SPRING_CONFIG_ADDITIONAL_LOCATION").get("value"))
				.isEqualTo("optional:file:/config/");
			Node config = manifests.applicationConfig();
			assertThat(config.get("server.port")).isEqualTo(8080);
			assertThat(config.get("warden.upstream.url")).isEqualTo("https://github.com");
			assertThat(config.get("warden.upstream.connect-timeout")).isEqualTo("5s");
			assertThat(config.get("warden.upstream.read-timeout")).isEqualTo("10m");
			assertThat(config.get("warden.auth.audience")).isEqualTo("git-warden");
			assertThat(config.get("warden.policy.allow-branch-deletion")).isEqualTo(false);
			assertThat(config.get("warden.audit.file")).isEqualTo("/data/audit.jsonl");
			assertThat(config.get("warden.revocations.file")).isEqualTo("/data/revocations.jsonl");
			assertThat(config.get("logging.structured.format.console")).isEqualTo("ecs");
		}

		@Test
		void withoutAStoreNoDatabaseIsConfigured() {
			assertThat(manifests.applicationConfig().get("warden.store")).isNull();
			assertThat(manifests.container().list("env")).extracting(e -> e.get("name"))
				.doesNotContain("WARDEN_STORE_USERNAME", "WARDEN_STORE_PASSWORD");
		}

		@Test
		void networkPolicyAdmitsOnlyTheGitAndManagementPortsAndLetsOutOnlyDnsAndHttps() {
			Node policy = manifests.single("NetworkPolicy");
			assertThat(policy.get("spec.policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
			assertThat(policy.get("spec.podSelector.matchLabels"))
				.isEqualTo(manifests.deployment().get("spec.selector.matchLabels"));
			assertThat(policy.get("spec.ingress"))
				.isEqualTo(List.of(Map.of("ports", List.of(Map.of("port", "http", "protocol", "TCP"))),
						Map.of("ports", List.of(Map.of("port", "management", "protocol", "TCP")))));
			List<Object> egressPorts = new ArrayList<>();
			for (Node rule : policy.list("spec.egress")) {
				assertThat(rule.get("to")).as("egress to any address is limited by port").isNull();
				egressPorts.addAll(rule.list("ports").stream().map(p -> p.get("port") + "/" + p.get("protocol")).toList());
			}
			assertThat(egressPorts).containsExactlyInAnyOrder("53/UDP", "53/TCP", "443/TCP");
		}

		@Test
		void optionalResourcesAreOff() {
			assertThat(manifests.ofKind("Ingress")).isEmpty();
			assertThat(manifests.ofKind("HorizontalPodAutoscaler")).isEmpty();
			assertThat(manifests.ofKind("ServiceMonitor")).isEmpty();
			assertThat(manifests.deployment().get("spec.replicas")).isEqualTo(2);
			assertThat(manifests.single("PodDisruptionBudget").get("spec.maxUnavailable")).isEqualTo(1);
			assertThat(manifests.single("Service").get("spec.ports"))
				.isEqualTo(List.of(Map.of("name", "http", "port", 80, "targetPort", "http", "protocol", "TCP"),
						Map.of("name", "management", "port", 8081, "targetPort", "management", "protocol", "TCP")));
		}

	}

	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	class Production {

		Manifests manifests;

		@BeforeAll
		void render() {
			this.manifests = Manifests.parse(new Helm(CHART).template()
				.withName("warden")
				.withNamespace("git")
				.withValuesFile(PRODUCTION_VALUES)
				.call());
		}

		@Test
		void credentialsComeFromTheExistingSecretAndTheChartCreatesNone() {
			assertThat(manifests.ofKind("Secret")).isEmpty();
			for (String name : SECRET_ENV) {
				assertThat(manifests.env(name).get("valueFrom.secretKeyRef.name")).as(name)
					.isEqualTo("git-warden-credentials");
				assertThat(manifests.env(name).get("valueFrom.secretKeyRef.optional")).as(name).isEqualTo(true);
			}
			assertThat(manifests.applicationConfig().get("warden.upstream.token")).isNull();
			assertThat(manifests.applicationConfig().get("warden.upstream.github-app.app-id")).isEqualTo("123456");
			assertThat(manifests.applicationConfig().get("warden.upstream.github-app.installation-id"))
				.isEqualTo("7654321");
		}

		@Test
		void longerShutdownTimeoutLengthensTheGracePeriod() {
			assertThat(manifests.applicationConfig().get("spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("600s");
			assertThat(manifests.deployment().get("spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(615);
		}

		@Test
		void autoscalerOwnsTheReplicaCount() {
			assertThat(manifests.deployment().get("spec.replicas")).isNull();
			Node hpa = manifests.single("HorizontalPodAutoscaler");
			assertThat(hpa.get("spec.scaleTargetRef.name")).isEqualTo(manifests.deployment().get("metadata.name"));
			assertThat(hpa.get("spec.minReplicas")).isEqualTo(3);
			assertThat(hpa.get("spec.maxReplicas")).isEqualTo(12);
			assertThat(manifests.single("PodDisruptionBudget").get("spec.minAvailable")).isEqualTo(2);
			assertThat(manifests.single("PodDisruptionBudget").get("spec.maxUnavailable")).isNull();
		}

		@Test
		void auditGoesToStdoutAndLogsAreStructured() {
			assertThat(manifests.applicationConfig().get("warden.audit.file")).isEqualTo("/dev/stdout");
			assertThat(manifests.applicationConfig().get("logging.structured.format.console")).isEqualTo("ecs");
		}

		@Test
		void ingressTerminatesTlsForTheGitHost() {
			Node ingress = manifests.single("Ingress");
			assertThat(ingress.get("spec.ingressClassName")).isEqualTo("nginx");
			assertThat(ingress.get("spec.tls")).isEqualTo(
					List.of(Map.of("secretName", "git-warden-tls", "hosts", List.of("git-warden.internal.example.com"))));
			assertThat(ingress.list("spec.rules").get(0).list("http.paths").get(0).get("backend.service.port.name"))
				.isEqualTo("http");
		}

		@Test
		void serviceMonitorScrapesActuatorPrometheus() {
			Node monitor = manifests.single("ServiceMonitor");
			assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
			assertThat(monitor.get("metadata.labels.release")).isEqualTo("kube-prometheus-stack");
			assertThat(monitor.list("spec.endpoints")).singleElement().satisfies(endpoint -> {
				assertThat(endpoint.get("port")).isEqualTo("management");
				assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");
			});
		}

		@Test
		void theSharedStoreIsConfiguredWithCredentialsFromItsSecretAndReachableThroughThePolicy() {
			Node config = manifests.applicationConfig();
			assertThat(config.get("warden.store.url"))
				.isEqualTo("jdbc:postgresql://warden-postgres.databases:5432/warden?sslmode=require");
			assertThat(config.get("warden.store.spool-file")).isEqualTo("/data/audit-spool.jsonl");
			assertThat(config.get("warden.store.username")).isNull();
			assertThat(config.get("warden.store.password")).isNull();
			Node username = manifests.env("WARDEN_STORE_USERNAME");
			assertThat(username.get("valueFrom.secretKeyRef.name")).isEqualTo("git-warden-postgres");
			assertThat(username.get("valueFrom.secretKeyRef.key")).isEqualTo("username");
			Node password = manifests.env("WARDEN_STORE_PASSWORD");
			assertThat(password.get("valueFrom.secretKeyRef.name")).isEqualTo("git-warden-postgres");
			assertThat(password.get("valueFrom.secretKeyRef.key")).isEqualTo("password");
			assertThat(password.get("valueFrom.secretKeyRef.optional")).isNull();
			List<Node> database = manifests.single("NetworkPolicy")
				.list("spec.egress")
				.stream()
				.filter(rule -> rule.list("ports").stream().anyMatch(p -> Integer.valueOf(5432).equals(p.get("port"))))
				.toList();
			assertThat(database).singleElement()
				.satisfies(rule -> assertThat(rule.list("to")).singleElement()
					.satisfies(peer -> assertThat(peer.get("namespaceSelector.matchLabels"))
						.isEqualTo(Map.of("kubernetes.io/metadata.name", "databases"))));
		}

		@Test
		void networkPolicyIngressIsLimitedToTheNamedNamespaces() {
			Node rule = manifests.single("NetworkPolicy").list("spec.ingress").get(0);
			assertThat(rule.list("from")).hasSize(2);
			assertThat(rule.get("ports")).isEqualTo(List.of(Map.of("port", "http", "protocol", "TCP")));
		}

		@Test
		void imageAndJvmOptionsFollowTheValues() {
			Node container = manifests.container();
			assertThat(container.get("image")).isEqualTo("registry.example.com/platform/git-warden:1.4.2");
			assertThat(manifests.env("JAVA_TOOL_OPTIONS").get("value")).asString()
				.contains("-XX:MaxRAMPercentage=75", "-XX:+UseZGC");
			assertThat(manifests.deployment().list("spec.template.spec.topologySpreadConstraints")).singleElement()
				.satisfies(c -> assertThat(c.get("labelSelector.matchLabels"))
					.isEqualTo(manifests.deployment().get("spec.selector.matchLabels")));
		}

	}

	@Test
	void chartSecretHoldsOnlyTheCredentialsGivenAndKeepsPemIntact(@TempDir Path dir) throws IOException {
		String pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
		Path values = dir.resolve("values.yaml");
		Files.writeString(values, """
				secrets:
				  adminToken: "s3cr3t-admin"
				  githubAppPrivateKey: |
				%s""".formatted(pem.indent(4)));

		Manifests manifests = Manifests
			.parse(new Helm(CHART).template().withName("warden").withValuesFile(values).call());

		assertThat(manifests.single("Secret").get("stringData"))
			.isEqualTo(Map.of("WARDEN_ADMIN_TOKEN", "s3cr3t-admin", "WARDEN_UPSTREAM_GITHUBAPP_PRIVATEKEY", pem));
		assertThat(manifests.single("ConfigMap").get("data").toString()).doesNotContain("s3cr3t-admin", "PRIVATE KEY");
		assertThat(manifests.deployment().get("spec.template.metadata.annotations.checksum/secret")).isNotNull();
	}

	@Test
	void releaseNotesTellHowToMintATokenAndCloneThroughTheIngress() {
		String output = new Helm(CHART).install()
			.clientOnly()
			.dryRun()
			.withName("warden")
			.withNamespace("git")
			.withValuesFile(PRODUCTION_VALUES)
			.call()
			.getOutput();
		String notes = output.substring(output.indexOf("NOTES:"));

		assertThat(notes).contains("POST \"$WARDEN_URL/admin/v1/tokens\"")
			.contains("{\"repo\":\"owner/name\",\"branch\":\"agent/x\",\"scope\":\"fetch push\",\"ttlSeconds\":3600}")
			.contains("get secret git-warden-credentials")
			.contains("git clone \"https://x:$TOKEN@git-warden.internal.example.com/owner/name.git\"")
			.contains("JSON lines to the pods' stdout")
			.contains("shared through PostgreSQL (jdbc:postgresql://warden-postgres.databases:5432/warden)")
			.doesNotContain("WARNING");
	}

	@Test
	void mirrorsCanLiveOnAClaimPerPod() {
		Manifests manifests = Manifests.parse(new Helm(CHART).template()
			.withName("warden")
			.set("mirror.volume.type", "ephemeral")
			.set("mirror.volume.size", "200Gi")
			.set("mirror.volume.storageClassName", "fast-ssd")
			.set("mirror.maxSize", "160GB")
			.set("replicaCount", "3")
			.call());

		Node mirrors = mirrorVolume(manifests);
		assertThat(mirrors.get("emptyDir")).isNull();
		Node claim = mirrors.at("ephemeral.volumeClaimTemplate.spec");
		assertThat(claim.get("accessModes")).isEqualTo(List.of("ReadWriteOnce"));
		assertThat(claim.get("storageClassName")).isEqualTo("fast-ssd");
		assertThat(claim.get("resources.requests.storage")).isEqualTo("200Gi");
		assertThat(manifests.applicationConfig().get("warden.mirror.max-size")).isEqualTo("160GB");
		assertThat(manifests.ofKind("PersistentVolumeClaim")).isEmpty();
	}

	@Test
	void mirrorsCanLiveOnAPersistentClaimOfTheSingleReplica() {
		Manifests created = Manifests.parse(new Helm(CHART).template()
			.withName("warden")
			.set("replicaCount", "1")
			.set("mirror.volume.type", "persistentVolumeClaim")
			.set("mirror.volume.size", "100Gi")
			.call());
		Node claim = created.single("PersistentVolumeClaim");
		assertThat(claim.get("metadata.name")).isEqualTo("warden-git-warden-mirrors");
		assertThat(claim.get("spec.resources.requests.storage")).isEqualTo("100Gi");
		assertThat(mirrorVolume(created).get("persistentVolumeClaim.claimName")).isEqualTo("warden-git-warden-mirrors");
		assertThat(created.deployment().get("spec.strategy.type")).isEqualTo("Recreate");

		Manifests existing = Manifests.parse(new Helm(CHART).template()
			.withName("warden")
			.set("replicaCount", "1")
			.set("mirror.volume.type", "persistentVolumeClaim")
			.set("mirror.volume.existingClaim", "git-mirrors")
			.call());
		assertThat(existing.ofKind("PersistentVolumeClaim")).isEmpty();
		assertThat(mirrorVolume(existing).get("persistentVolumeClaim.claimName")).isEqualTo("git-mirrors");
	}

	@Test
	void replicasNeverShareAPersistentMirrorClaim() {
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("warden")
			.set("mirror.volume.type", "persistentVolumeClaim")
			.call()).hasMessageContaining("replicas must not share a mirror directory");
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("warden")
			.withValuesFile(PRODUCTION_VALUES)
			.set("mirror.volume.type", "persistentVolumeClaim")
			.set("replicaCount", "1")
			.call()).hasMessageContaining("replicas must not share a mirror directory");
	}

	@Test
	void schemaRefusesABadMirrorSizeOrVolumeType() {
		assertThatThrownBy(() -> new Helm(CHART).template().withName("warden").set("mirror.maxSize", "20 gigs").call())
			.hasMessageContaining("maxSize");
		assertThatThrownBy(() -> new Helm(CHART).template().withName("warden").set("mirror.volume.type", "hostPath").call())
			.hasMessageContaining("type");
	}

	private static Node mirrorVolume(Manifests manifests) {
		return manifests.deployment().list("spec.template.spec.volumes").stream()
			.filter(v -> "mirrors".equals(v.get("name")))
			.findFirst()
			.orElseThrow();
	}

	@Test
	void schemaRefusesAContainerThatMayEscalatePrivileges() {
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("warden")
			.set("securityContext.allowPrivilegeEscalation", "true")
			.call()).hasMessageContaining("allowPrivilegeEscalation");
	}

	@Test
	void upstreamUserNameReachesTheConfigurationOnlyWhenSet() {
		Manifests gitlab = Manifests.parse(new Helm(CHART).template()
			.withName("warden")
			.set("upstream.url", "https://gitlab.com")
			.set("upstream.username", "oauth2")
			.call());
		assertThat(gitlab.applicationConfig().get("warden.upstream.username")).isEqualTo("oauth2");
		Manifests github = Manifests.parse(new Helm(CHART).template().withName("warden").call());
		assertThat(github.applicationConfig().get("warden.upstream.username")).isNull();
		assertThat(github.applicationConfig().get("warden.upstream.url")).isEqualTo("https://github.com");
		assertThatThrownBy(() -> new Helm(CHART).template().withName("warden").set("upstream.username", "a:b").call())
			.hasMessageContaining("username");
	}

	@Test
	void schemaRefusesUnknownValues() {
		assertThatThrownBy(() -> new Helm(CHART).template().withName("warden").set("audit.stdOut", "true").call())
			.hasMessageContaining("stdOut");
	}

	@Test
	void schemaRefusesAStoreThatIsNotPostgresql() {
		assertThatThrownBy(() -> new Helm(CHART).template()
			.withName("warden")
			.set("store.url", "jdbc:mysql://db/warden")
			.call()).hasMessageContaining("url");
	}

	@Test
	void schemaRefusesAMalformedDuration() {
		assertThatThrownBy(() -> new Helm(CHART).template().withName("warden").set("upstream.readTimeout", "ten").call())
			.hasMessageContaining("readTimeout");
	}

	/** The documents of one {@code helm template} run. */
	record Manifests(List<Node> documents) {

		static Manifests parse(String rendered) {
			List<Node> documents = new ArrayList<>();
			for (Object document : new Yaml(new LoaderOptions()).loadAll(rendered)) {
				if (document instanceof Map<?, ?> map) {
					documents.add(new Node(map));
				}
			}
			return new Manifests(documents);
		}

		List<Node> ofKind(String kind) {
			return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
		}

		Node single(String kind) {
			List<Node> found = ofKind(kind);
			assertThat(found).as("documents of kind %s", kind).hasSize(1);
			return found.get(0);
		}

		Node deployment() {
			return single("Deployment");
		}

		Node container() {
			List<Node> containers = deployment().list("spec.template.spec.containers");
			assertThat(containers).hasSize(1);
			return containers.get(0);
		}

		Node env(String name) {
			List<Node> matches = container().list("env").stream().filter(e -> name.equals(e.get("name"))).toList();
			assertThat(matches).as("env %s", name).hasSize(1);
			return matches.get(0);
		}

		/** The Spring configuration the ConfigMap mounts at /config/application.yaml. */
		Node applicationConfig() {
			String yaml = (String) single("ConfigMap").get("data.application.yaml");
			assertThat(yaml).isNotNull();
			return new Node(new Yaml().load(yaml));
		}

	}

	/** A YAML mapping read by dotted paths; a key that itself contains a dot is tried whole first. */
	record Node(Map<?, ?> map) {

		Object get(String path) {
			if (map.containsKey(path)) {
				return map.get(path);
			}
			int dot = path.indexOf('.');
			while (dot > 0) {
				Object child = map.get(path.substring(0, dot));
				if (child instanceof Map<?, ?> childMap) {
					Object found = new Node(childMap).get(path.substring(dot + 1));
					if (found != null) {
						return found;
					}
				}
				dot = path.indexOf('.', dot + 1);
			}
			return null;
		}

		Node at(String path) {
			Object value = get(path);
			assertThat(value).as(path).isInstanceOf(Map.class);
			return new Node((Map<?, ?>) value);
		}

		List<Node> list(String path) {
			Object value = get(path);
			assertThat(value).as(path).isInstanceOf(List.class);
			return ((List<?>) value).stream().map(item -> new Node((Map<?, ?>) item)).toList();
		}

	}

}
