package io.twingress.karaf;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The {@code twingress-camel-karaf} feature's bundle embeds no Camel: Camel and the connectors are camel-karaf's
 * bundles, whose components, languages and type converters a plain CamelContext cannot find (their service files are
 * in other bundles). camel-karaf's {@code OsgiDefaultCamelContext} finds them through the OSGi service registry. It is
 * looked up by name so that this module builds where camel-karaf cannot be fetched (camel-karaf's artifacts are not
 * on the package mirror this project builds from), and used only by the bundle whose manifest asks for it: the
 * self-contained bundle must not reach for a camel-karaf installed beside it.
 */
final class OsgiCamel {

    /** The manifest header of the bundle that runs on camel-karaf's Camel. */
    static final String HEADER = "Twingress-Camel";
    static final String CAMEL_KARAF = "camel-karaf";
    static final String CONTEXT_CLASS = "org.apache.camel.karaf.core.OsgiDefaultCamelContext";

    private OsgiCamel() {
    }

    static boolean wanted(Bundle bundle) {
        return CAMEL_KARAF.equals(bundle.getHeaders().get(HEADER));
    }

    /** A Camel Main whose CamelContext is camel-karaf's OSGi-aware one, for this bundle. */
    static final class OsgiMain extends Main {
        private final BundleContext bundleContext;

        OsgiMain(BundleContext bundleContext) {
            this.bundleContext = bundleContext;
        }

        @Override
        protected CamelContext createCamelContext() {
            try {
                return (CamelContext) Class.forName(CONTEXT_CLASS, true, OsgiCamel.class.getClassLoader())
                        .getConstructor(BundleContext.class).newInstance(bundleContext);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the twingress-camel-karaf feature needs camel-karaf's " + CONTEXT_CLASS
                        + " (feature camel-core); install the twingress feature instead where camel-karaf is not", e);
            }
        }
    }
}
