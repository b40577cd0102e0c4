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
}
