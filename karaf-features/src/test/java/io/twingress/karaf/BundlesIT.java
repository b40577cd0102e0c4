package io.twingress.karaf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of the two bundles and features files without installing them: the features files against
 * Karaf's own schema, and the manifests against what each bundle must carry. The camel-karaf ones are checked only
 * this far (camel-karaf cannot be fetched here); the self-contained ones are installed for real by KarafFeatureIT.
 */
class BundlesIT {

    static final String VERSION = System.getProperty("twingress.version");

    @Test
    void bothFeaturesFilesAreValidKarafFeaturesAndNameTheirBundles() throws Exception {
        Path karafFeaturesCore;
        try (Stream<Path> found = Files.find(Path.of(System.getProperty("karaf.home"), "system"), 10,
                (p, a) -> p.getFileName().toString().startsWith("org.apache.karaf.features.core-"))) {
            karafFeaturesCore = found.findFirst().orElseThrow();
        }
        try (JarFile jar = new JarFile(karafFeaturesCore.toFile());
                InputStream xsd = jar.getInputStream(jar.getEntry("org/apache/karaf/features/karaf-features-1.6.0.xsd"))) {
            var validator = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                    .newSchema(new StreamSource(xsd)).newValidator();
            for (String file : List.of("twingress.features", "twingress.features.camelKaraf")) {
                validator.validate(new StreamSource(Path.of(System.getProperty(file)).toFile()));
            }
        }
        assertThat(Files.readString(Path.of(System.getProperty("twingress.features"))))
                .contains("<bundle start-level=\"80\">mvn:io.twingress/twingress-karaf/" + VERSION + "</bundle>")
                .doesNotContain("<repository>");
        assertThat(Files.readString(Path.of(System.getProperty("twingress.features.camelKaraf"))))
                .contains("mvn:io.twingress/twingress-karaf/" + VERSION + "/jar/camel-karaf</bundle>")
                .contains("<repository>mvn:org.apache.camel.karaf/apache-camel/");
    }

    @Test
    void theSelfContainedBundleEmbedsCamelAndImportsOnlyWhatKarafHas() throws IOException {
        try (JarFile bundle = new JarFile(System.getProperty("twingress.bundle"))) {
            Attributes manifest = bundle.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.twingress");
            assertThat(manifest.getValue("Twingress-Camel")).isNull();
            List<String> classPath = classPath(manifest);
            assertThat(classPath).contains("lib/camel-main-4.17.0.jar", "lib/camel-yaml-dsl-4.17.0.jar")
                    .noneMatch(e -> e.contains("slf4j-api") || e.contains("logback"));
            classPath.stream().filter(e -> !e.equals(".")).forEach(e -> assertThat(bundle.getEntry(e)).as(e).isNotNull());
            assertThat(manifest.getValue("Import-Package")).doesNotContain("org.apache.camel", "com.fasterxml");
            assertThat(bundle.getEntry("db/migration/sqlite/V1__twin_graph.sql")).isNotNull();
        }
    }

    @Test
    void theCamelKarafBundleImportsCamelAndEmbedsNone() throws IOException {
        try (JarFile bundle = new JarFile(System.getProperty("twingress.bundle.camelKaraf"))) {
            Attributes manifest = bundle.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.twingress.camel-karaf");
            assertThat(manifest.getValue(OsgiCamel.HEADER)).isEqualTo(OsgiCamel.CAMEL_KARAF);
            List<String> classPath = classPath(manifest);
            assertThat(classPath).contains("lib/twingress-routes-" + VERSION + ".jar")
                    .noneMatch(e -> e.startsWith("lib/camel-") || e.contains("jackson-databind"));
            classPath.stream().filter(e -> !e.equals(".")).forEach(e -> assertThat(bundle.getEntry(e)).as(e).isNotNull());
            assertThat(manifest.getValue("Import-Package"))
                    .contains("org.apache.camel.main;version=\"[4.14,5)\"")
                    .contains("com.fasterxml.jackson.databind;version=\"[2.16,3)\"");
            assertThat(bundle.getEntry("db/migration/sqlite/V1__twin_graph.sql")).isNotNull();
        }
    }

    static List<String> classPath(Attributes manifest) {
        return Arrays.stream(manifest.getValue("Bundle-ClassPath").split(",")).map(String::strip).toList();
    }
}
