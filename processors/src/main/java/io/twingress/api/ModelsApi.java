package io.twingress.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.model.DtdlParser;
import io.twingress.model.ModelService;

/** ADT's {@code /models} operations. */
public final class ModelsApi {

    static final int MAX_PAGE = 100;

    private final ModelService models;

    public ModelsApi(ModelService models) {
        this.models = models;
    }

    public void create(Exchange exchange) {
        JsonNode body = ApiSupport.body(exchange);
        if (!body.isArray()) {
            throw AdtError.INVALID_ARGUMENT.with("The body must be a JSON array of DTDL interfaces.");
        }
        List<JsonNode> batch = new ArrayList<>();
        body.forEach(batch::add);
        ArrayNode created = Json.MAPPER.createArrayNode();
        models.upload(batch).forEach(e -> created.add(modelData(e, true)));
        ApiSupport.reply(exchange, 201, created, Map.of());
    }

    public void list(Exchange exchange) {
        boolean includeDefinition = Boolean.parseBoolean(ApiRequest.of(exchange).query("includeModelDefinition"));
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String[] token = ApiSupport.continuation(exchange, 1);
        int offset = token == null ? 0 : (int) Math.min(Integer.MAX_VALUE, ApiSupport.tokenNumber(token[0]));
        // an empty dependenciesFor (what the SDKs send for "no filter") lists every model; the JavaScript SDK sends
        // several ids as one comma-separated value, the others as repeated parameters (a DTMI holds no comma)
        List<ModelService.Entry> all = models.list(ApiRequest.of(exchange).queryAll("dependenciesFor").stream()
                .flatMap(ids -> Arrays.stream(ids.split(","))).map(String::trim).filter(id -> !id.isEmpty())
                .toList());
        List<JsonNode> page = all.stream().skip(offset).limit(size).map(e -> (JsonNode) modelData(e, includeDefinition))
                .toList();
        int next = offset + page.size();
        ApiSupport.page(exchange, page, next < all.size()
                ? ApiSupport.encodeToken(exchange, Integer.toString(next)) : null);
    }

    public void get(Exchange exchange) {
        boolean includeDefinition = Boolean.parseBoolean(ApiRequest.of(exchange).query("includeModelDefinition"));
        ApiSupport.reply(exchange, 200, modelData(models.get(id(exchange)), includeDefinition),
                Map.of());
    }

    /** Only {@code replace /decommissioned true} is accepted, as in ADT. */
    public void update(Exchange exchange) {
        JsonNode patch = ApiSupport.body(exchange);
        boolean valid = patch.isArray() && patch.size() == 1
                && "replace".equals(patch.get(0).path("op").asText())
                && "/decommissioned".equals(patch.get(0).path("path").asText())
                && patch.get(0).path("value").isBoolean() && patch.get(0).path("value").booleanValue();
        if (!valid) {
            throw AdtError.JSON_PATCH_INVALID.with("A model can only be decommissioned:"
                    + " [{\"op\":\"replace\",\"path\":\"/decommissioned\",\"value\":true}].");
        }
        models.decommission(id(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void delete(Exchange exchange) {
        models.delete(id(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    /** {@code /models/{id}} */
    private static String id(Exchange exchange) {
        String id = ApiRequest.of(exchange).segment(1);
        if (!DtdlParser.isDtmi(id)) {
            throw AdtError.INVALID_ARGUMENT.with("The model id is invalid: '" + id + "' is not a DTMI.");
        }
        return id;
    }

    /** ADT's DigitalTwinsModelData: display names and descriptions as language maps. */
    private static ObjectNode modelData(ModelService.Entry entry, boolean includeDefinition) {
        JsonNode definition = entry.model().definition();
        ObjectNode data = Json.object();
        data.put("id", entry.model().id());
        data.set("displayName", languageMap(definition.get("displayName")));
        data.set("description", languageMap(definition.get("description")));
        data.put("uploadTime", entry.stored().uploadTime().toString());
        data.put("decommissioned", entry.stored().decommissioned());
        if (includeDefinition) {
            data.set("model", definition);
        }
        return data;
    }

    private static JsonNode languageMap(JsonNode value) {
        ObjectNode map = Json.object();
        DtdlParser.languageMap(value).forEach(map::put);
        return map;
    }
}
