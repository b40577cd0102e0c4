package io.twingress.routes.ingress;

import java.util.Map;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;

/**
 * {@code twingress-servicebus:queueOrTopic}: camel-azure-servicebus, every option the same, with Twingress's consumer
 * ({@link ServiceBusIngressConsumer}), which settles each message by what became of it: complete, dead-letter with
 * the reason, or abandon. camel-azure-servicebus 4.17 settles by configuration only (abandon every failure, or
 * dead-letter every failure), so it cannot tell a poison message from a store outage. Producing is unchanged.
 */
// the name picks the configurers (META-INF/services/org/apache/camel/configurer): camel-azure's own, same options
@Component("twingress-servicebus")
public class ServiceBusIngressComponent extends ServiceBusComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ServiceBusEndpoint endpoint = (ServiceBusEndpoint) super.createEndpoint(uri, remaining, parameters);
        return new Ingress(uri, this, endpoint.getConfiguration());
    }

    static final class Ingress extends ServiceBusEndpoint {

        Ingress(String uri, ServiceBusIngressComponent component, ServiceBusConfiguration configuration) {
            super(uri, component, configuration);
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            ServiceBusProcessorClients clients = getCamelContext().getRegistry()
                    .findSingleByType(ServiceBusProcessorClients.class);
            if (clients == null) {
                clients = (configuration, onMessage, onError) -> configuration.isSessionEnabled()
                        ? getServiceBusClientFactory().createServiceBusSessionProcessorClient(configuration, onMessage,
                                onError)
                        : getServiceBusClientFactory().createServiceBusProcessorClient(configuration, onMessage,
                                onError);
            }
            ServiceBusIngressConsumer consumer = new ServiceBusIngressConsumer(this, processor, clients);
            configureConsumer(consumer);
            return consumer;
        }
    }
}
