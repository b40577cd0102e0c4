package io.twingress.store;

/**
 * One change event in the outbox, as written in the unit that made the change. {@code data} is the event's JSON
 * data as ADT defines it; {@code extra} holds what Twingress adds on request (the state after the change, the
 * previous values), or null. {@code onlyFor} names the one endpoint a replayed dead letter goes to, whose
 * {@code data} is then the whole CloudEvent as first sent. The position is assigned by the store; an event's time to
 * live counts from {@code recorded}, not from its {@code time}, which for telemetry is the sender's.
 */
public record OutboxEvent(OutboxPosition position, long recorded, String eventId, String type, String source,
        String subject, String time, String dataschema, String traceparent, String data, String extra,
        String onlyFor) {

    /** An event to append; the store gives it its position. {@code recorded} is in epoch milliseconds. */
    public static OutboxEvent of(long recorded, String eventId, String type, String source, String subject,
            String time, String dataschema, String traceparent, String data, String extra) {
        return new OutboxEvent(null, recorded, eventId, type, source, subject, time, dataschema, traceparent, data,
                extra, null);
    }
}
