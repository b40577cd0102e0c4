package io.twingress.model;

import java.util.Map;

/**
 * One element of an interface's {@code contents}. Commands are validated and kept so that a model reads back as
 * written, but twins never use them: ADT has no way to invoke one either.
 */
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

    /**
     * @param schema the component's interface DTMI
     * @param inline that interface when it is written inline in the component, else null: it is then part of the
     *               model that declares the component, and not a model of its own
     */
    record Component(String name, String schema, InterfaceModel inline) implements Content {

        public Component(String name, String schema) {
            this(name, schema, null);
        }
    }

    /**
     * @param commandType "synchronous" or "asynchronous" as a DTDL v2 model declares it, else null (v3 dropped it)
     * @param request     the request payload, or null when the command takes none
     * @param response    the response payload, or null when it returns none
     */
    record Command(String name, String commandType, Payload request, Payload response) implements Content {

        /** A CommandRequest, CommandResponse or (v2) CommandPayload. */
        public record Payload(String name, Schema schema) {
        }
    }
}
