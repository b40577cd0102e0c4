package io.twingress.model;

import java.util.Map;

/** One element of an interface's {@code contents}. Commands are rejected by the parser (ADT has none). */
public sealed interface Content {

    String name();

    record Property(String name, Schema schema, boolean writable) implements Content {
    }

    record Telemetry(String name, Schema schema) implements Content {
    }

    /**
     * @param target     the target interface DTMI, or null when any twin may be the target
     * @param properties relationship properties by name
     */
    record Relationship(String name, String target, Integer maxMultiplicity, Map<String, Property> properties)
            implements Content {
    }

    /** @param schema the component's interface DTMI */
    record Component(String name, String schema) implements Content {
    }
}
