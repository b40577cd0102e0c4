package io.twingress.routes.ingress;

import java.util.Map;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.spi.annotations.Component;

/**
 * {@code twingress-kafka:topics}: camel-kafka, every option the same, with Twingress's consumer
 * ({@link KafkaIngressConsumer}), which hands each poll's records on as one batch as soon as the poll returns and
 * commits their offsets once the route has applied them. Producing goes through camel-kafka unchanged.
 */
// the name picks the configurers (META-INF/services/org/apache/camel/configurer): camel-kafka's own, same options
@Component("twingress-kafka")
public class KafkaIngressComponent extends KafkaComponent {

    @Override
    protected KafkaEndpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters)
            throws Exception {
        KafkaEndpoint endpoint = super.createEndpoint(uri, remaining, parameters);
        Ingress ingress = new Ingress(uri, this);
        ingress.setConfiguration(endpoint.getConfiguration());
        ingress.setKafkaClientFactory(endpoint.getKafkaClientFactory());
        ingress.setBridgeErrorHandler(endpoint.isBridgeErrorHandler());
        ingress.setExceptionHandler(endpoint.getExceptionHandler());
        ingress.setExchangePattern(endpoint.getExchangePattern());
        return ingress;
    }

    static final class Ingress extends KafkaEndpoint {

        Ingress(String uri, KafkaIngressComponent component) {
            super(uri, component);
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            KafkaIngressConsumer consumer = new KafkaIngressConsumer(this, processor);
            configureConsumer(consumer);
            return consumer;
        }
    }
}
