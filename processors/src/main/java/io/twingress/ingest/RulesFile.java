package io.twingress.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.Json;

/**
 * The ingress rules, read from {@code twingress.ingress.rulesFile} and read again when its content changes (compared
 * byte for byte, not by modification time: {@code cp -p}, {@code rsync -a} and {@code tar x} keep the old one). A
 * file that does not parse stops the start; later, it is refused with a log line saying why, and the rules read
 * before stay in force. No file means no rules (the default mapping alone).
 */
public final class RulesFile {

    private static final Logger LOG = LoggerFactory.getLogger(RulesFile.class);

    private final Path file;
    private final CamelContext context;
    private volatile MappingRules rules = MappingRules.NONE;
    /** The content last read, whether its rules were taken or refused; null if there was no file. */
    private byte[] loaded;

    /** @throws IllegalArgumentException if the file is there but cannot be read or its rules are refused */
    public RulesFile(Path file, CamelContext context) {
        this.file = file;
        this.context = context;
        if (file == null) {
            return;
        }
        if (!Files.exists(file)) {
            LOG.warn("ingress rules file {} does not exist: the default mapping alone applies until it does", file);
            return;
        }
        try {
            loaded = Files.readAllBytes(file);
            rules = parse(loaded);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("ingress rules file " + file + " (twingress.ingress.rulesFile) is"
                    + " refused: " + e.getMessage(), e);
        }
    }

    public MappingRules rules() {
        return rules;
    }

    /** Reads the file again if it changed since it was last read; returns true if new rules are in force. */
    public synchronized boolean reloadIfChanged() {
        if (file == null) {
            return false;
        }
        try {
            if (!Files.exists(file)) {
                if (loaded != null) {
                    LOG.warn("ingress rules file {} is gone: the default mapping alone applies now", file);
                    rules = MappingRules.NONE;
                    loaded = null;
                    return true;
                }
                return false;
            }
            byte[] content = Files.readAllBytes(file);
            if (Arrays.equals(content, loaded)) {
                return false;
            }
            loaded = content;
            rules = parse(content);
            return true;
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("ingress rules file {} refused, the previous rules stay in force: {}", file, e.getMessage());
            return false;
        }
    }

    private MappingRules parse(byte[] content) {
        MappingRules parsed = MappingRules.parse(Json.utf8(content), context);
        LOG.info("ingress rules from {}: {} mappings, {} propagations", file, parsed.mappings().size(),
                parsed.propagations().size());
        return parsed;
    }
}
