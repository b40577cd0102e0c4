package io.twingress.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress rules, read from {@code twingress.ingress.rulesFile} and read again when the file changes. A file that
 * does not parse is refused with a log line saying why, and the rules read before stay in force; no file means no
 * rules (the default mapping alone).
 */
public final class RulesFile {

    private static final Logger LOG = LoggerFactory.getLogger(RulesFile.class);

    private final Path file;
    private final CamelContext context;
    private volatile MappingRules rules = MappingRules.NONE;
    private FileTime loaded;

    public RulesFile(Path file, CamelContext context) {
        this.file = file;
        this.context = context;
        reloadIfChanged();
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
            FileTime modified = Files.getLastModifiedTime(file);
            if (modified.equals(loaded)) {
                return false;
            }
            loaded = modified;
            MappingRules parsed = MappingRules.parse(Files.readString(file), context);
            rules = parsed;
            LOG.info("ingress rules from {}: {} mappings, {} propagations", file, parsed.mappings().size(),
                    parsed.propagations().size());
            return true;
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("ingress rules file {} refused, the previous rules stay in force: {}", file, e.getMessage());
            return false;
        }
    }
}
