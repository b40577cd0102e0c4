package io.twingress.routes.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventProcessorClient;
import com.azure.messaging.eventhubs.models.ErrorContext;
import com.azure.messaging.eventhubs.models.EventContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.azure.eventhubs.EventHubsConfiguration;
import org.apache.camel.component.azure.eventhubs.EventHubsConstants;
import org.apache.camel.component.azure.eventhubs.EventHubsEndpoint;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes an event hub (or IoT Hub's built-in endpoint) with the SDK's processor client, one event at a time per
 * partition, in order. An event the route applied counts towards the partition's checkpoint, written every
 * {@code checkpointBatchSize} applied events or {@code checkpointBatchTimeout} ms after the first one not yet
 * checkpointed, and when the consumer stops. An event the route failed on (the store, after the route's retries) is
 * neither skipped nor checkpointed: it is processed again with backoff until it applies or the consumer stops, and
 * whoever owns the partition next starts from the last checkpoint. Camel's own consumer would go on to the next event,
 * whose checkpoint would cover the failed one.
 */
public class EventHubsIngressConsumer extends DefaultConsumer {

    /** The event's system properties: AMQP properties and annotations, IoT Hub's {@code iothub-*} among them. */
    public static final String SYSTEM_PROPERTIES = "TwingressEventHubsSystemProperties";
    public static final String EVENT_HUB_NAME = "TwingressEventHubsName";
    public static final String CONTENT_TYPE = "TwingressEventHubsContentType";

    private static final Logger LOG = LoggerFactory.getLogger(EventHubsIngressConsumer.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final EventProcessorClients clients;
    /** Per partition, the last applied event not yet checkpointed. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private ScheduledExecutorService flusher;
    private EventProcessorClient client;

    private record Pending(EventContext context, int count, long since) {
    }

    public EventHubsIngressConsumer(EventHubsEndpoint endpoint, Processor processor, EventProcessorClients clients) {
        super(endpoint, processor);
        this.clients = clients;
    }

    private EventHubsConfiguration configuration() {
        return ((EventHubsEndpoint) getEndpoint()).getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        long period = Math.max(100, configuration().getCheckpointBatchTimeout() / 4);
        flusher = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "twingress-eventhubs-checkpoints");
        flusher.scheduleWithFixedDelay(this::checkpointDue, period, period, TimeUnit.MILLISECONDS);
        client = clients.create(configuration(), this::onEvent, this::onError);
        client.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (client != null) {
            client.stop();
            client = null;
        }
        if (flusher != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(flusher);
            flusher = null;
        }
        pending.keySet().forEach(this::checkpoint);
        super.doStop();
    }

    /** Called by the SDK on the partition's thread, one event after the other. */
    void onEvent(EventContext context) {
        if (context.getEventData() == null) {
            return;
        }
        long backoff = 200;
        while (true) {
            Exchange exchange = exchange(context);
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            Exception failure = exchange.getException();
            releaseExchange(exchange, false);
            if (failure == null) {
                break;
            }
            if (!isRunAllowed()) {
                LOG.warn("Event hub {} partition {}: stopping before event {} was applied; it is read again from the"
                        + " last checkpoint", context.getPartitionContext().getEventHubName(),
                        context.getPartitionContext().getPartitionId(), context.getEventData().getSequenceNumber());
                return;
            }
            getExceptionHandler().handleException("Event hub " + context.getPartitionContext().getEventHubName()
                    + " partition " + context.getPartitionContext().getPartitionId() + ": event "
                    + context.getEventData().getSequenceNumber() + " was not applied, tried again in " + backoff
                    + " ms", failure);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
        String partition = context.getPartitionContext().getPartitionId();
        Pending now = pending.merge(partition, new Pending(context, 1, System.currentTimeMillis()),
                (old, next) -> new Pending(context, old.count() + 1, old.since()));
        if (now.count() >= configuration().getCheckpointBatchSize()) {
            checkpoint(partition);
        }
    }

    private void onError(ErrorContext error) {
        getExceptionHandler().handleException("Event hub " + error.getPartitionContext().getEventHubName()
                + " partition " + error.getPartitionContext().getPartitionId(), error.getThrowable());
    }

    private void checkpointDue() {
        long due = System.currentTimeMillis() - configuration().getCheckpointBatchTimeout();
        pending.forEach((partition, p) -> {
            if (p.since() <= due) {
                checkpoint(partition);
            }
        });
    }

    /** Serialized, so that an older checkpoint of a partition never lands after a newer one. */
    private synchronized void checkpoint(String partition) {
        Pending p = pending.remove(partition);
        if (p == null) {
            return;
        }
        try {
            p.context().updateCheckpoint();
        } catch (RuntimeException e) {
            // the applied events after the last checkpoint are read again and dropped as duplicates
            LOG.warn("Event hub {} partition {}: checkpoint at event {} failed: {}",
                    p.context().getPartitionContext().getEventHubName(), partition,
                    p.context().getEventData().getSequenceNumber(), e.getMessage());
        }
    }

    private Exchange exchange(EventContext context) {
        Exchange exchange = createExchange(false);
        Message message = exchange.getIn();
        EventData event = context.getEventData();
        message.setBody(event.getBody());
        message.setHeader(EventHubsConstants.PARTITION_ID, context.getPartitionContext().getPartitionId());
        message.setHeader(EventHubsConstants.PARTITION_KEY, event.getPartitionKey());
        message.setHeader(EventHubsConstants.OFFSET, event.getOffset());
        message.setHeader(EventHubsConstants.SEQUENCE_NUMBER, event.getSequenceNumber());
        message.setHeader(EventHubsConstants.ENQUEUED_TIME, event.getEnqueuedTime());
        message.setHeader(EventHubsConstants.METADATA, event.getProperties());
        message.setHeader(SYSTEM_PROPERTIES, event.getSystemProperties());
        message.setHeader(EVENT_HUB_NAME, context.getPartitionContext().getEventHubName());
        message.setHeader(CONTENT_TYPE, event.getContentType());
        return exchange;
    }
}
