package io.twingress.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of kustomize that deploy/kubernetes uses, so that the overlays can be rendered without kubectl: a
 * kustomization's {@code resources} (files, or directories with their own kustomization) and {@code patches} given as
 * strategic-merge patch files. Anything else in a kustomization fails the build rather than being skipped, so a new
 * feature used in the manifests is noticed here. Lists of objects with a {@code name} (containers, env, volumes,
 * ports, volumeMounts) merge by name, as Kubernetes' patch strategy for them does; other lists are replaced.
 */
final class Kustomize {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "patches");

    private Kustomize() {
    }

    /** The resources a kustomization directory renders to. */
    static List<ObjectNode> build(Path dir) {
        JsonNode kustomization = readAll(dir.resolve("kustomization.yaml")).get(0);
        kustomization.fieldNames().forEachRemaining(field -> {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalStateException(dir + ": kustomization field '" + field + "' is not supported by this "
                        + "renderer (supported: " + SUPPORTED + ")");
            }
        });
        List<ObjectNode> resources = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path path = dir.resolve(resource.asText()).normalize();
            resources.addAll(Files.isDirectory(path) ? build(path) : readAll(path));
        }
        for (JsonNode patch : kustomization.path("patches")) {
            if (!patch.has("path") || patch.size() != 1) {
                throw new IllegalStateException(dir + ": only patches: [{path: <file>}] is supported, not " + patch);
            }
            for (ObjectNode p : readAll(dir.resolve(patch.get("path").asText()))) {
                ObjectNode target = resources.stream().filter(r -> sameResource(r, p)).findFirst()
                        .orElseThrow(() -> new IllegalStateException(dir + ": patch " + patch + " matches no resource"));
                merge(target, p);
            }
        }
        return resources;
    }

    static List<ObjectNode> readAll(Path file) {
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(file.toFile())) {
            List<ObjectNode> documents = new ArrayList<>();
            Iterator<ObjectNode> it = YAML.readValues(parser, ObjectNode.class);
            while (it.hasNext()) {
                ObjectNode document = it.next();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static boolean sameResource(JsonNode a, JsonNode b) {
        return a.path("kind").equals(b.path("kind")) && a.path("apiVersion").equals(b.path("apiVersion"))
                && a.at("/metadata/name").equals(b.at("/metadata/name"));
    }

    static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode current = target.get(field.getKey());
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (current instanceof ObjectNode object && value.isObject()) {
                merge(object, value);
            } else if (current instanceof ArrayNode array && value.isArray() && namedObjects(array)
                    && namedObjects(value)) {
                mergeByName(array, value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    private static void mergeByName(ArrayNode target, JsonNode patch) {
        for (JsonNode element : patch) {
            ObjectNode existing = null;
            for (JsonNode candidate : target) {
                if (candidate.get("name").equals(element.get("name"))) {
                    existing = (ObjectNode) candidate;
                }
            }
            if (existing == null) {
                target.add(element.deepCopy());
            } else {
                merge(existing, element);
            }
        }
    }

    private static boolean namedObjects(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isObject() || !element.has("name")) {
                return false;
            }
        }
        return true;
    }
}
