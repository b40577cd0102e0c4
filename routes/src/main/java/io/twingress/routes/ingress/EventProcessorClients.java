package io.twingress.routes.ingress;

import java.util.function.Consumer;

import com.azure.messaging.eventhubs.EventProcessorClient;
import com.azure.messaging.eventhubs.models.ErrorContext;
import com.azure.messaging.eventhubs.models.EventContext;
import org.apache.camel.component.azure.eventhubs.EventHubsConfiguration;
import org.apache.camel.component.azure.eventhubs.client.EventHubsClientFactory;

/**
 * Makes the Event Hubs SDK's processor client for an endpoint's configuration (connection, consumer group, blob
 * checkpoint store), calling back for each event and each error. The default is camel-azure-eventhubs' own factory;
 * a single bean of this type in the registry replaces it (tests hand events to the consumer through it).
 */
@FunctionalInterface
public interface EventProcessorClients {

    EventProcessorClients DEFAULT = EventHubsClientFactory::createEventProcessorClient;

    EventProcessorClient create(EventHubsConfiguration configuration, Consumer<EventContext> onEvent,
            Consumer<ErrorContext> onError);
}
