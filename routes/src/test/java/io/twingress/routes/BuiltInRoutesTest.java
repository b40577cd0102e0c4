package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The built-in route files are named one by one in application.properties, so that the data plane's HTTP routes start
 * (and are matched) first; a file added beside them and not named there would silently never load.
 */
class BuiltInRoutesTest {

    @Test
    void everyBuiltInRouteFileIsLoadedOnceAndTheDataPlaneFirst() throws Exception {
        List<String> named = Arrays.stream(includePattern().split(",")).map(String::trim).toList();
        assertThat(named).doesNotHaveDuplicates();
        assertThat(named).first().isEqualTo("classpath:camel/api.camel.yaml");
        assertThat(named).containsExactlyInAnyOrderElementsOf(builtInFiles());
    }

    private static String includePattern() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = BuiltInRoutesTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        return properties.getProperty("camel.main.routesIncludePattern");
    }

    private static List<String> builtInFiles() throws Exception {
        try (Stream<Path> files = Files.list(classpathDirectory("camel"))) {
            List<String> found = files.map(file -> "classpath:camel/" + file.getFileName())
                    .filter(name -> name.endsWith(".camel.yaml")).toList();
            assertThat(found).as("route files on the classpath").isNotEmpty();
            return found;
        }
    }

    private static Path classpathDirectory(String name) throws URISyntaxException {
        return Path.of(BuiltInRoutesTest.class.getClassLoader().getResource(name).toURI());
    }
}
