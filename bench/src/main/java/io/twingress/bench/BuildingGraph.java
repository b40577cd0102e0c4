package io.twingress.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;

/**
 * A synthetic campus: 10 buildings x 10 floors x 100 rooms x 9 devices (100,110 twins) and 300,100
 * relationships. Rooms and devices come in derived models (ConferenceRoom extends Room, Thermostat and Sensor
 * extend Device) so that IS_OF_MODEL has to expand a model family. Values come from a fixed seed, so every run
 * and every store holds the same graph.
 */
final class BuildingGraph {

    static final String NS = "dtmi:twingress:bench:";
    static final String SPACE = NS + "Space;1";
    static final String BUILDING = NS + "Building;1";
    static final String FLOOR = NS + "Floor;1";
    static final String ROOM = NS + "Room;1";
    static final String CONFERENCE_ROOM = NS + "ConferenceRoom;1";
    static final String DEVICE = NS + "Device;1";
    static final String THERMOSTAT = NS + "Thermostat;1";
    static final String SENSOR = NS + "Sensor;1";

    static final int BUILDINGS = 10;
    static final int FLOORS = 10;
    static final int ROOMS = 100;
    static final int DEVICES = 9;

    private static final String NOW = "2026-11-26T00:00:00.0000000Z";

    private BuildingGraph() {
    }

    static List<JsonNode> models() {
        return List.of(
                model(SPACE, null, property("name", "string")),
                model(BUILDING, SPACE, relationship("hasFloor", FLOOR)),
                model(FLOOR, SPACE, property("level", "integer"), relationship("hasRoom", ROOM)),
                model(ROOM, SPACE, property("temperature", "double"), property("occupied", "boolean"),
                        relationship("hasDevice", DEVICE), relationship("adjacentTo", ROOM),
                        relationship("servedBy", DEVICE)),
                model(CONFERENCE_ROOM, ROOM, property("capacity", "integer")),
                model(DEVICE, null, property("serial", "string"), property("temperature", "double"),
                        relationship("locatedIn", ROOM), relationship("connectedTo", DEVICE)),
                model(THERMOSTAT, DEVICE, property("setpoint", "double")),
                model(SENSOR, DEVICE, property("battery", "integer")));
    }

    private static ObjectNode model(String id, String parent, ObjectNode... contents) {
        ObjectNode m = Json.object();
        m.put("@context", "dtmi:dtdl:context;3");
        m.put("@id", id);
        m.put("@type", "Interface");
        if (parent != null) {
            m.put("extends", parent);
        }
        var array = m.putArray("contents");
        for (ObjectNode c : contents) {
            array.add(c);
        }
        return m;
    }

    private static ObjectNode property(String name, String schema) {
        ObjectNode p = Json.object();
        p.put("@type", "Property");
        p.put("name", name);
        p.put("schema", schema);
        return p;
    }

    private static ObjectNode relationship(String name, String target) {
        ObjectNode r = Json.object();
        r.put("@type", "Relationship");
        r.put("name", name);
        r.put("target", target);
        return r;
    }

    static String building(int b) {
        return String.format(Locale.ROOT, "b%02d", b);
    }

    static String floor(int b, int f) {
        return building(b) + "-f" + f;
    }

    static String room(int b, int f, int r) {
        return String.format(Locale.ROOT, "%s-r%03d", floor(b, f), r);
    }

    static String device(int b, int f, int r, int d) {
        return room(b, f, r) + "-d" + d;
    }

    static int twinCount() {
        return BUILDINGS * (1 + FLOORS * (1 + ROOMS * (1 + DEVICES)));
    }

    /** Emits every twin in a fixed order. */
    static void twins(Consumer<StoredTwin> out) {
        Random random = new Random(42);
        for (int b = 0; b < BUILDINGS; b++) {
            String name = "Building " + b;
            out.accept(twin(building(b), BUILDING, random, t -> t.put("name", name)));
            for (int f = 0; f < FLOORS; f++) {
                int level = f;
                out.accept(twin(floor(b, f), FLOOR, random, t -> {
                    t.put("name", "Floor " + level);
                    t.put("level", level);
                }));
                for (int r = 0; r < ROOMS; r++) {
                    boolean conference = r % 5 == 0;
                    String roomId = room(b, f, r);
                    out.accept(twin(roomId, conference ? CONFERENCE_ROOM : ROOM, random, t -> {
                        t.put("name", roomId);
                        t.put("temperature", temperature(random));
                        t.put("occupied", random.nextBoolean());
                        if (conference) {
                            t.put("capacity", 4 + random.nextInt(20));
                        }
                    }));
                    for (int d = 0; d < DEVICES; d++) {
                        String deviceId = device(b, f, r, d);
                        String model = d < 3 ? THERMOSTAT : d < 6 ? SENSOR : DEVICE;
                        out.accept(twin(deviceId, model, random, t -> {
                            t.put("serial", deviceId.toUpperCase(Locale.ROOT));
                            t.put("temperature", temperature(random));
                            if (model.equals(THERMOSTAT)) {
                                t.put("setpoint", 21.0);
                            } else if (model.equals(SENSOR)) {
                                t.put("battery", random.nextInt(101));
                            }
                        }));
                    }
                }
            }
        }
    }

    /** Emits every relationship; both ends of each were emitted by {@link #twins} already. */
    static void relationships(Consumer<StoredRelationship> out) {
        for (int b = 0; b < BUILDINGS; b++) {
            for (int f = 0; f < FLOORS; f++) {
                out.accept(relationship(building(b), "hasFloor", floor(b, f)));
                for (int r = 0; r < ROOMS; r++) {
                    String roomId = room(b, f, r);
                    out.accept(relationship(floor(b, f), "hasRoom", roomId));
                    int next = (r + 1) % ROOMS;
                    out.accept(relationship(roomId, "adjacentTo", room(b, f, next)));
                    out.accept(relationship(roomId, "servedBy", device(b, f, next, 0)));
                    for (int d = 0; d < DEVICES; d++) {
                        String deviceId = device(b, f, r, d);
                        out.accept(relationship(roomId, "hasDevice", deviceId));
                        out.accept(relationship(deviceId, "locatedIn", roomId));
                        out.accept(relationship(deviceId, "connectedTo", device(b, f, r, (d + 1) % DEVICES)));
                    }
                }
            }
        }
    }

    private interface Content {
        void fill(ObjectNode twin);
    }

    private static double temperature(Random random) {
        return Math.round((15 + random.nextDouble() * 15) * 10) / 10.0;
    }

    /** Shaped as the API stores a twin: system properties, content, then $metadata with per-property times. */
    private static StoredTwin twin(String id, String model, Random random, Content content) {
        ObjectNode twin = Json.object();
        twin.put("$dtId", id);
        String etag = "W/\"" + new UUID(random.nextLong(), random.nextLong()) + "\"";
        twin.put("$etag", etag);
        ObjectNode values = Json.object();
        content.fill(values);
        twin.setAll(values);
        ObjectNode metadata = twin.putObject("$metadata");
        metadata.put("$model", model);
        metadata.put("$lastUpdateTime", NOW);
        List<String> names = new ArrayList<>();
        values.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            metadata.putObject(name).put("lastUpdateTime", NOW);
        }
        return new StoredTwin(id, model, etag, Json.write(twin));
    }

    private static StoredRelationship relationship(String source, String name, String target) {
        String id = name + "-" + target;
        String etag = "W/\"" + UUID.nameUUIDFromBytes((source + "/" + id).getBytes()) + "\"";
        ObjectNode r = Json.object();
        r.put("$relationshipId", id);
        r.put("$etag", etag);
        r.put("$sourceId", source);
        r.put("$targetId", target);
        r.put("$relationshipName", name);
        return new StoredRelationship(source, id, target, name, etag, Json.write(r));
    }
}
