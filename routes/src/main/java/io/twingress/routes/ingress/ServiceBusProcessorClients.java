package io.twingress.routes.ingress;

import java.util.function.Consumer;

import com.azure.messaging.servicebus.ServiceBusErrorContext;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;

/**
 * Makes the Service Bus SDK's processor client for an endpoint's configuration (queue, or topic and subscription;
 * auto-complete off), calling back for each message and each error. The default is camel-azure-servicebus' own
 * factory; a single bean of this type in the registry replaces it (tests hand messages to the consumer through it).
 */
@FunctionalInterface
public interface ServiceBusProcessorClients {

    ServiceBusProcessorClient create(ServiceBusConfiguration configuration,
            Consumer<ServiceBusReceivedMessageContext> onMessage, Consumer<ServiceBusErrorContext> onError);
}
