package io.twingress.karaf;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.wiring.BundleWiring;

/**
 * Camel lists a {@code classpath:dir/*.camel.yaml} pattern by reading a {@code file:} directory or a {@code jar:}
 * file, and a bundle's resources are neither ({@code bundle://} URLs): such a pattern is turned into the list of the
 * files it matches here, where the bundle can list its class path, the embedded jars included.
 */
final class BundleResources {

    private BundleResources() {
    }

    /** {@code patterns}, comma-separated, with each {@code classpath:} one holding a {@code *} replaced by its matches. */
    static String expand(String patterns, BundleWiring wiring) {
        List<String> expanded = new ArrayList<>();
        for (String pattern : patterns.split(",")) {
            String p = pattern.strip();
            if (p.startsWith("classpath:") && p.contains("*")) {
                String path = p.substring("classpath:".length());
                int slash = path.lastIndexOf('/');
                String dir = slash < 0 ? "/" : path.substring(0, slash);
                String file = path.substring(slash + 1);
                wiring.listResources(dir, file, 0).stream().sorted().forEach(r -> expanded.add("classpath:" + r));
            } else if (!p.isEmpty()) {
                expanded.add(p);
            }
        }
        return String.join(",", expanded);
    }
}
