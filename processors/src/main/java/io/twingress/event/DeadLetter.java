package io.twingress.event;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an event goes when its time to live runs out before the endpoint accepted it.
 *
 * @param type      where
 * @param directory for {@link Type#Files}, else null
 * @param kafka     for {@link Type#Kafka}, else null
 */
public record DeadLetter(Type type, Path directory, KafkaConnection kafka) {

    public enum Type {
        /** Twingress's own store, listed and replayed through {@code /endpoints/{name}/deadletters}. */
        Store,
        /** One JSON file per event under a directory, laid out as ADT lays out its blob container. */
        Files,
        /** A Kafka topic. */
        Kafka,
        /** Dropped, as ADT drops them when no dead-letter location is set. */
        None
    }

    public static final DeadLetter STORE = new DeadLetter(Type.Store, null, null);

    public DeadLetter {
        Objects.requireNonNull(type, "type");
        if ((type == Type.Files) != (directory != null) || (type == Type.Kafka) != (kafka != null)) {
            throw new IllegalArgumentException("a " + type + " dead letter needs exactly its own settings");
        }
    }
}
