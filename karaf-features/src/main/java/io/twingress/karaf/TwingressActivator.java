package io.twingress.karaf;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;

/**
 * Runs Twingress while its bundle is active. Configuration admin hands it the configuration of PID {@code io.twingress}
 * (Karaf's {@code etc/io.twingress.cfg}); each new configuration restarts Twingress with it.
 */
public final class TwingressActivator implements BundleActivator {

    /** The configuration admin PID: {@code etc/io.twingress.cfg} in Karaf. */
    public static final String PID = "io.twingress";

    private KarafTwingress twingress;
    private ServiceRegistration<ManagedService> registration;

    @Override
    public void start(BundleContext context) {
        twingress = new KarafTwingress(context);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_PID, PID);
        properties.put(Constants.SERVICE_DESCRIPTION, "Twingress configuration: the keys of application.properties");
        registration = context.registerService(ManagedService.class, twingress::configure, properties);
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
        twingress.close();
    }
}
