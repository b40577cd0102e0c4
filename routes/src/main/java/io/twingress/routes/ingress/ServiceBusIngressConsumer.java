package io.twingress.routes.ingress;

import java.util.List;

import com.azure.messaging.servicebus.ServiceBusErrorContext;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.ingest.IngressPipeline;

/**
 * Consumes a queue or a topic's subscription in peek-lock mode and settles each message after the route returns:
 * <ul>
 * <li>applied (or dropped as a duplicate): <b>completed</b>, so after the commit;</li>
 * <li>refused by the pipeline (unparsable, unknown twin, a value the model refuses, nothing matched): it is already in
 * Twingress's ingress dead letters; with {@code enableDeadLettering} (the default of the ingress route) it is also
 * <b>dead-lettered</b> on Service Bus with the reason, so that it shows where Service Bus users look (the entity's
 * dead-letter queue, its metrics and alerts); without, it is completed;</li>
 * <li>failed (the store, after the route's retries): <b>abandoned</b>, so Service Bus delivers it again, and after
 * the entity's max delivery count dead-letters it itself ({@code MaxDeliveryCountExceeded}): never redelivered forever.</li>
 * </ul>
 * In receive-and-delete mode nothing is settled: Service Bus deleted the message when it handed it over.
 */
public class ServiceBusIngressConsumer extends DefaultConsumer {

    /** The queue, or topic/subscriptions/subscription, the message came from. */
    public static final String ENTITY_PATH = "TwingressServiceBusEntityPath";

    /** Service Bus caps the dead-letter properties with the message's headers; the full reasons stay in Twingress. */
    static final int MAX_REASON = 1024;
    static final int MAX_DESCRIPTION = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(ServiceBusIngressConsumer.class);

    private final ServiceBusProcessorClients clients;
    private ServiceBusProcessorClient client;

    public ServiceBusIngressConsumer(ServiceBusEndpoint endpoint, Processor processor,
            ServiceBusProcessorClients clients) {
        super(endpoint, processor);
        this.clients = clients;
    }

    private ServiceBusConfiguration configuration() {
        return ((ServiceBusEndpoint) getEndpoint()).getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        client = clients.create(configuration(), this::onMessage, this::onError);
        client.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (client != null) {
            client.close();
            client = null;
        }
        super.doStop();
    }

    void onMessage(ServiceBusReceivedMessageContext context) {
        ServiceBusReceivedMessage received = context.getMessage();
        Exchange exchange = exchange(received);
        exchange.getIn().setHeader(ENTITY_PATH, context.getEntityPath());
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        try {
            settle(context, exchange);
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private void settle(ServiceBusReceivedMessageContext context, Exchange exchange) {
        if (configuration().getServiceBusReceiveMode() != ServiceBusReceiveMode.PEEK_LOCK) {
            return;
        }
        ServiceBusReceivedMessage received = context.getMessage();
        Exception failure = exchange.getException();
        if (failure != null) {
            getExceptionHandler().handleException("Service Bus message " + received.getMessageId() + " (delivery "
                    + received.getDeliveryCount() + ") was not applied and is abandoned", exchange, failure);
            context.abandon();
            return;
        }
        List<?> refusals = exchange.getProperty(IngressPipeline.REFUSALS, List.class);
        if (refusals != null && !refusals.isEmpty() && configuration().isEnableDeadLettering()) {
            String reasons = String.join("; ", refusals.stream().map(String::valueOf).toList());
            LOG.debug("Service Bus message {} refused and dead-lettered: {}", received.getMessageId(), reasons);
            context.deadLetter(new DeadLetterOptions()
                    .setDeadLetterReason(cap(String.valueOf(refusals.get(0)), MAX_REASON))
                    .setDeadLetterErrorDescription(cap("Refused by Twingress, kept in its ingress dead letters"
                            + " (GET /ingress/deadletters): " + reasons, MAX_DESCRIPTION)));
            return;
        }
        context.complete();
    }

    private void onError(ServiceBusErrorContext error) {
        getExceptionHandler().handleException("Service Bus " + error.getEntityPath() + " (" + error.getErrorSource()
                + ")", error.getException());
    }

    private Exchange exchange(ServiceBusReceivedMessage received) {
        Exchange exchange = createExchange(false);
        Message message = exchange.getIn();
        message.setBody(received.getBody() == null ? null : received.getBody().toBytes());
        message.setHeader(ServiceBusConstants.APPLICATION_PROPERTIES, received.getApplicationProperties());
        message.setHeader(ServiceBusConstants.CONTENT_TYPE, received.getContentType());
        message.setHeader(ServiceBusConstants.MESSAGE_ID, received.getMessageId());
        message.setHeader(ServiceBusConstants.CORRELATION_ID, received.getCorrelationId());
        message.setHeader(ServiceBusConstants.DELIVERY_COUNT, received.getDeliveryCount());
        message.setHeader(ServiceBusConstants.ENQUEUED_TIME, received.getEnqueuedTime());
        message.setHeader(ServiceBusConstants.SEQUENCE_NUMBER, received.getSequenceNumber());
        message.setHeader(ServiceBusConstants.SESSION_ID, received.getSessionId());
        message.setHeader(ServiceBusConstants.SUBJECT, received.getSubject());
        message.setHeader(ServiceBusConstants.PARTITION_KEY, received.getPartitionKey());
        message.setHeader(ServiceBusConstants.TO, received.getTo());
        return exchange;
    }

    private static String cap(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
