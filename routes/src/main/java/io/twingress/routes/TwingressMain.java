package io.twingress.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/** Runs Twingress on Camel Main: configuration in application.properties, beans in {@link TwingressConfiguration}. */
public final class TwingressMain {

    private TwingressMain() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** A configured, not yet started Twingress; tests add override properties before starting it. */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(TwingressConfiguration.class);
        main.addMainListener(new UserRoutesDirectory());
        return main;
    }

    /** camel.main.routesIncludePattern fails on a missing directory, so the user routes directory is made first. */
    static final class UserRoutesDirectory extends MainListenerSupport {
        @Override
        public void beforeConfigure(BaseMainSupport main) {
            String dir = main.getCamelContext().getPropertiesComponent().resolveProperty("twingress.routes.dir")
                    .orElse("routes");
            try {
                Files.createDirectories(Path.of(dir));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the user routes directory " + dir, e);
            }
        }
    }
}
