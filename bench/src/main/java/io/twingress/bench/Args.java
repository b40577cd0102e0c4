package io.twingress.bench;

/** {@code --name value} arguments, each with a default, so that the plain command reproduces BENCHMARKS.md. */
final class Args {

    private Args() {
    }

    static String value(String[] args, String name, String defaultValue) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return defaultValue;
    }

    /** {@code --app k=v,k2=v2}: application properties a run sets, for comparing settings in the same harness. */
    static java.util.Map<String, String> appProperties(String[] args) {
        java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
        for (String kv : value(args, "--app", "").split(",")) {
            if (kv.contains("=")) {
                props.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        return props;
    }
}
