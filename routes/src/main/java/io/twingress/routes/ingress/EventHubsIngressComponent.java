package io.twingress.routes.ingress;

import java.util.Map;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.component.azure.eventhubs.EventHubsComponent;
import org.apache.camel.component.azure.eventhubs.EventHubsConfiguration;
import org.apache.camel.component.azure.eventhubs.EventHubsEndpoint;

/**
 * {@code twingress-eventhubs:namespace/hub}: camel-azure-eventhubs, every option the same, with Twingress's consumer
 * ({@link EventHubsIngressConsumer}), which gives the route the event's system properties (IoT Hub's device id,
 * content type and encoding live there, and camel-azure-eventhubs 4.17 drops them) and checkpoints only events the
 * route applied. Producing goes through camel-azure-eventhubs unchanged.
 */
// the name picks the configurers (META-INF/services/org/apache/camel/configurer): camel-azure's own, same options
@Component("twingress-eventhubs")
public class EventHubsIngressComponent extends EventHubsComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        EventHubsEndpoint endpoint = (EventHubsEndpoint) super.createEndpoint(uri, remaining, parameters);
        return new Ingress(uri, this, endpoint.getConfiguration());
    }

    static final class Ingress extends EventHubsEndpoint {

        Ingress(String uri, EventHubsIngressComponent component, EventHubsConfiguration configuration) {
            super(uri, component, configuration);
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            EventProcessorClients clients = getCamelContext().getRegistry()
                    .findSingleByType(EventProcessorClients.class);
            EventHubsIngressConsumer consumer = new EventHubsIngressConsumer(this, processor,
                    clients != null ? clients : EventProcessorClients.DEFAULT);
            configureConsumer(consumer);
            return consumer;
        }
    }
}
