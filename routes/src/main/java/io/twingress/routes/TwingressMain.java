package io.twingress.routes;

import org.apache.camel.main.Main;

/** Runs Twingress on Camel Main: configuration in application.properties, beans in {@link TwingressConfiguration}. */
public final class TwingressMain {

    private TwingressMain() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(TwingressConfiguration.class);
        main.run(args);
    }
}
