package io.twingress.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deploy/kubernetes rendered as kubectl would (the base and each overlay through {@link Kustomize}), read with
 * fabric8's typed model, and every reference checked against what it refers to: no cluster is needed to find a
 * ConfigMap that does not exist, a probe on a port the container does not open, or a setting Twingress ignores.
 */
class KubernetesManifestsTest {

    private static final Path KUBERNETES = Repo.DEPLOY.resolve("kubernetes");
    /** Camel's health checks on the management server (camel-platform-http-main 4.17: healthPath + /live, /ready). */
    private static final Set<String> HEALTH_PATHS = Set.of("/observe/health/live", "/observe/health/ready");
    /** Variables read by the JVM or the image, not by Twingress's settings. */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/embedded", "overlays/postgresql"})
    void everyManifestIsValidForTheTypedModel(String dir) {
        List<HasMetadata> resources = render(dir);
        assertThat(resources).extracting(HasMetadata::getKind).contains("ConfigMap", "Service", "StatefulSet");
        assertThat(resources).as("no Secret (and so no secret value) is committed").noneMatch(r -> r instanceof Secret);
    }

    @Test
    void aMisspeltFieldIsReported() {
        ObjectNode statefulSet = Kustomize.readAll(KUBERNETES.resolve("base/statefulset.yaml")).get(0);
        ((ObjectNode) statefulSet.at("/spec/template/spec/containers/0")).putObject("livenesProbe");
        assertThatThrownBy(() -> TypedManifests.read(statefulSet)).hasMessageContaining("livenesProbe");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/embedded", "overlays/postgresql"})
    void referencesResolve(String dir) {
        List<HasMetadata> resources = render(dir);
        StatefulSet statefulSet = only(resources, StatefulSet.class);
        PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        Map<String, String> config = environment(resources, container);

        // labels and selectors
        Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(statefulSet.getSpec().getSelector().getMatchLabels());
        for (Service service : all(resources, Service.class)) {
            assertThat(podLabels).as("Service %s selects the pods", name(service))
                    .containsAllEntriesOf(service.getSpec().getSelector());
        }
        Service governing = all(resources, Service.class).stream()
                .filter(s -> name(s).equals(statefulSet.getSpec().getServiceName())).findFirst().orElseThrow(
                        () -> new AssertionError("serviceName " + statefulSet.getSpec().getServiceName() + " missing"));
        assertThat(governing.getSpec().getClusterIP()).isEqualTo("None");

        // ports: Services and probes name the container's ports, which are the ports Twingress is told to listen on
        Map<String, Integer> ports = container.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertThat(ports).containsEntry("api", Integer.valueOf(config.get("CAMEL_SERVER_PORT")))
                .containsEntry("management", Integer.valueOf(config.get("CAMEL_MANAGEMENT_PORT")));
        for (Service service : all(resources, Service.class)) {
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(resolve(port.getTargetPort(), ports)).as("Service %s port %s", name(service),
                        port.getName()).isNotNull();
            }
        }
        List<Probe> probes = Stream.of(container.getStartupProbe(), container.getLivenessProbe(),
                container.getReadinessProbe()).toList();
        assertThat(probes).doesNotContainNull();
        for (Probe probe : probes) {
            HTTPGetAction get = probe.getHttpGet();
            assertThat(HEALTH_PATHS).contains(get.getPath());
            assertThat(resolve(get.getPort(), ports)).as("probe %s", get.getPath())
                    .isEqualTo(Integer.valueOf(config.get("CAMEL_MANAGEMENT_PORT")));
        }
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/ready");

        // volumes: every mount has a volume or a claim template; data and user routes where Twingress looks
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        Set<String> claims = statefulSet.getSpec().getVolumeClaimTemplates() == null ? Set.of()
                : statefulSet.getSpec().getVolumeClaimTemplates().stream().map(PersistentVolumeClaim::getMetadata)
                        .map(m -> m.getName()).collect(Collectors.toSet());
        Map<String, String> mounts = new HashMap<>();
        for (VolumeMount mount : container.getVolumeMounts()) {
            assertThat(volumes.containsKey(mount.getName()) ^ claims.contains(mount.getName()))
                    .as("mount %s has exactly one volume or claim template", mount.getName()).isTrue();
            mounts.put(mount.getMountPath(), mount.getName());
        }
        assertThat(mounts.get(config.get("TWINGRESS_DATA_DIR"))).isEqualTo("data");
        String routesVolume = mounts.get(config.get("TWINGRESS_ROUTES_DIR"));
        assertThat(routesVolume).isNotNull();
        String routesConfigMap = volumes.get(routesVolume).getConfigMap().getName();
        assertThat(configMap(resources, routesConfigMap)).isNotNull();
        for (Volume volume : volumes.values()) {
            if (volume.getConfigMap() != null) {
                assertThat(configMap(resources, volume.getConfigMap().getName())).isNotNull();
            }
            assertThat(volume.getSecret()).as("secret volumes are not used").isNull();
        }

        // authentication: a non-loopback listener with mode none does not start
        assertThat(config.get("CAMEL_SERVER_HOST")).isEqualTo("0.0.0.0");
        assertThat(config.get("TWINGRESS_AUTH_MODE")).isEqualTo("oidc");
        assertThat(config.get("TWINGRESS_AUTH_OIDC_ISSUER")).startsWith("https://");
        assertThat(config.get("TWINGRESS_AUTH_OIDC_AUDIENCE")).isNotBlank();

        // resources: a request for scheduling, a memory limit above it
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/embedded", "overlays/postgresql"})
    void everyVariableIsASettingOfApplicationProperties(String dir) {
        Map<String, String> settings = Repo.settingsByEnvironmentVariable();
        List<HasMetadata> resources = render(dir);
        List<String> variables = new ArrayList<>();
        all(resources, ConfigMap.class).stream().filter(c -> name(c).equals("twingress-config"))
                .forEach(c -> variables.addAll(c.getData().keySet()));
        for (StatefulSet s : all(resources, StatefulSet.class)) {
            for (Container c : s.getSpec().getTemplate().getSpec().getContainers()) {
                if (c.getEnv() != null) {
                    c.getEnv().forEach(e -> variables.add(e.getName()));
                }
            }
        }
        assertThat(variables).isNotEmpty();
        assertThat(variables).as("variables that override no key of application.properties (Twingress would ignore "
                + "them)").allMatch(v -> settings.containsKey(v) || JVM_VARIABLES.contains(v));
    }

    @Test
    void theEmbeddedOverlayRunsOneWriterOnAPersistentVolume() {
        List<HasMetadata> resources = render("overlays/embedded");
        StatefulSet statefulSet = only(resources, StatefulSet.class);
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(1);
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName())
                .containsExactly("data");
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getVolumes()).extracting(Volume::getName)
                .doesNotContain("data");
        assertThat(configMap(resources, "twingress-config").getData()).containsEntry("TWINGRESS_STORE_TYPE", "sqlite");
    }

    @Test
    void thePostgresqlOverlayRunsReplicasWithThePasswordFromASecret() {
        List<HasMetadata> resources = render("overlays/postgresql");
        StatefulSet statefulSet = only(resources, StatefulSet.class);
        assertThat(statefulSet.getSpec().getReplicas()).isGreaterThan(1);
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).isNullOrEmpty();
        Map<String, String> data = configMap(resources, "twingress-config").getData();
        assertThat(data).containsEntry("TWINGRESS_STORE_TYPE", "postgresql")
                .containsKeys("TWINGRESS_STORE_POSTGRESQL_URL", "TWINGRESS_STORE_POSTGRESQL_USER")
                .doesNotContainKey("TWINGRESS_STORE_POSTGRESQL_PASSWORD");
        EnvVar password = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("TWINGRESS_STORE_POSTGRESQL_PASSWORD")).findFirst().orElseThrow();
        assertThat(password.getValue()).isNull();
        assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("twingress-postgresql");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/embedded", "overlays/postgresql"})
    void everySecretReferredToIsDocumentedAsUserProvided(String dir) {
        Set<String> documented = documentedSecrets();
        for (StatefulSet s : all(render(dir), StatefulSet.class)) {
            for (Container c : s.getSpec().getTemplate().getSpec().getContainers()) {
                for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        assertThat(documented).as("deploy/kubernetes/README.md lists the secret and key")
                                .contains(ref.getName() + "/" + ref.getKey());
                    }
                }
                for (EnvFromSource from : c.getEnvFrom()) {
                    assertThat(from.getSecretRef()).isNull();
                }
            }
        }
    }

    @Test
    void theImageListensWhereTheManifestsProbe() {
        String dockerfile = Repo.read(Repo.DEPLOY.resolve("Dockerfile"));
        Map<String, String> config = configMap(render("overlays/embedded"), "twingress-config").getData();
        assertThat(dockerfile).contains("EXPOSE " + config.get("CAMEL_SERVER_PORT") + " "
                + config.get("CAMEL_MANAGEMENT_PORT"));
        assertThat(dockerfile).contains("VOLUME [\"" + config.get("TWINGRESS_DATA_DIR") + "\"]");
        assertThat(dockerfile).contains("TWINGRESS_DATA_DIR=" + config.get("TWINGRESS_DATA_DIR"));
        assertThat(dockerfile).contains("COPY routes/target/twingress.jar").contains("COPY routes/target/lib/");
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(Integer.parseInt(user.group(1))).isNotZero();
        StatefulSet statefulSet = only(render("overlays/embedded"), StatefulSet.class);
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
                .isEqualTo(Long.parseLong(user.group(1)));
    }

    // helpers

    private static List<HasMetadata> render(String dir) {
        return Kustomize.build(KUBERNETES.resolve(dir)).stream().map(TypedManifests::read).toList();
    }

    /** What the container sees: its ConfigMap-fed environment (envFrom) and its own literal values. */
    private static Map<String, String> environment(List<HasMetadata> resources, Container container) {
        Map<String, String> env = new HashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            ConfigMap configMap = configMap(resources, from.getConfigMapRef().getName());
            assertThat(configMap).as("envFrom ConfigMap %s", from.getConfigMapRef().getName()).isNotNull();
            env.putAll(configMap.getData());
        }
        for (EnvVar e : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                ConfigMap configMap = configMap(resources, e.getValueFrom().getConfigMapKeyRef().getName());
                assertThat(configMap).isNotNull();
                assertThat(configMap.getData()).containsKey(e.getValueFrom().getConfigMapKeyRef().getKey());
            }
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }

    private static Integer resolve(IntOrString port, Map<String, Integer> named) {
        return port.getIntVal() != null ? (named.containsValue(port.getIntVal()) ? port.getIntVal() : null)
                : named.get(port.getStrVal());
    }

    private static Set<String> documentedSecrets() {
        Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\| `([A-Za-z0-9._-]+)` \\|")
                .matcher(Repo.read(KUBERNETES.resolve("README.md")));
        Set<String> secrets = new java.util.HashSet<>();
        while (row.find()) {
            secrets.add(row.group(1) + "/" + row.group(2));
        }
        return secrets;
    }

    private static ConfigMap configMap(List<HasMetadata> resources, String name) {
        return all(resources, ConfigMap.class).stream().filter(c -> name(c).equals(name)).findFirst().orElse(null);
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> resources, Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> resources, Class<T> type) {
        List<T> found = all(resources, type);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static String name(HasMetadata resource) {
        return resource.getMetadata().getName();
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
