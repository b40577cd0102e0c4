package io.twingress.store;

/**
 * A place in the outbox's commit order: the writing transaction's id (0 on SQLite, whose single writer commits in
 * sequence order) and the event's sequence number. Positions compare by transaction, then sequence.
 */
public record OutboxPosition(long txId, long seq) implements Comparable<OutboxPosition> {

    /** Before every event. */
    public static final OutboxPosition START = new OutboxPosition(0, 0);

    @Override
    public int compareTo(OutboxPosition other) {
        int byTx = Long.compare(txId, other.txId);
        return byTx != 0 ? byTx : Long.compare(seq, other.seq);
    }
}
