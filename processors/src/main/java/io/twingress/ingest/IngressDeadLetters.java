package io.twingress.ingest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.store.IngressDeadLetterRow;
import io.twingress.store.TwinStore;

/**
 * Ingress messages that could not be applied, kept in the store with the original message, its source and the
 * reason: listed, shown, replayed through the pipeline (after the rules or the twins were fixed; one that is refused
 * again stays, with the new reason and its replays counted) and purged.
 */
public final class IngressDeadLetters {

    private final TwinStore store;
    private final IngressPipeline pipeline;
    private final CamelContext context;

    public IngressDeadLetters(TwinStore store, IngressPipeline pipeline, CamelContext context) {
        this.store = store;
        this.pipeline = pipeline;
        this.context = context;
    }

    public List<IngressDeadLetterRow> list(long afterId, int limit) {
        return store.read(tx -> tx.ingressDeadLetters(afterId, limit));
    }

    public IngressDeadLetterRow get(long id) {
        List<IngressDeadLetterRow> found = store.read(tx -> tx.ingressDeadLettersById(List.of(id)));
        if (found.isEmpty()) {
            throw AdtError.DEAD_LETTER_NOT_FOUND.with("There is no ingress dead letter " + id + ".");
        }
        return found.get(0);
    }

    /**
     * What a replay came to: how many letters it took, and of their messages how many were applied, dropped as
     * duplicates (their message id was applied meanwhile) and refused again (kept, under the same ids).
     */
    public record Replayed(int count, int applied, int duplicates, int deadLettered) {
    }

    /** Applies the given dead letters (all if {@code ids} is null, at most {@code limit}) again. */
    public Replayed replay(Collection<Long> ids, int limit) {
        List<IngressDeadLetterRow> rows = rows(ids, limit);
        if (rows.isEmpty()) {
            return new Replayed(0, 0, 0, 0);
        }
        List<Exchange> batch = new ArrayList<>(rows.size());
        for (IngressDeadLetterRow row : rows) {
            IngressMessage message = IngressMessage.fromJson(Json.parse(row.message()));
            Exchange exchange = new DefaultExchange(context);
            message.writeTo(exchange.getMessage());
            exchange.setProperty(IngressPipeline.REPLAY_OF, row.id());
            batch.add(exchange);
        }
        Exchange carrier = new DefaultExchange(context);
        carrier.getMessage().setBody(batch);
        pipeline.apply(carrier);
        List<Long> done = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (batch.get(i).getProperty(IngressPipeline.REFUSED) == null) {
                done.add(rows.get(i).id());
            }
        }
        if (!done.isEmpty()) {
            store.write(tx -> tx.deleteIngressDeadLetters(done));
        }
        return new Replayed(rows.size(), carrier.getProperty(IngressPipeline.APPLIED, 0, Integer.class),
                carrier.getProperty(IngressPipeline.DUPLICATES, 0, Integer.class),
                carrier.getProperty(IngressPipeline.DEAD_LETTERED, 0, Integer.class));
    }

    public int purge(Collection<Long> ids, int limit) {
        List<IngressDeadLetterRow> rows = rows(ids, limit);
        return store.write(tx -> tx.deleteIngressDeadLetters(rows.stream().map(IngressDeadLetterRow::id).toList()));
    }

    private List<IngressDeadLetterRow> rows(Collection<Long> ids, int limit) {
        return store.read(tx -> ids == null ? tx.ingressDeadLetters(0, limit)
                : tx.ingressDeadLettersById(ids.stream().limit(limit).toList()));
    }
}
