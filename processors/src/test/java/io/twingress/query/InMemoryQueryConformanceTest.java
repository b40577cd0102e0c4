package io.twingress.query;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class InMemoryQueryConformanceTest extends QueryConformanceSuite {

    private final InMemoryGraphSource source = new InMemoryGraphSource();

    @Override
    protected GraphSource source() {
        return source;
    }

    @Override
    protected void loadGraph(List<ObjectNode> twins, List<ObjectNode> relationships, List<JsonNode> models) {
        source.clear();
        models.forEach(source::addModel);
        twins.forEach(source::putTwin);
        relationships.forEach(source::putRelationship);
    }

    @Override
    protected void putTwin(ObjectNode twin) {
        source.putTwin(twin);
    }

    @Override
    protected void deleteTwin(String id) {
        source.deleteTwin(id);
    }
}
