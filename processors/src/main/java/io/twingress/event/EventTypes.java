package io.twingress.event;

/** ADT's event types and the CloudEvents attributes Twingress fills, as ADT names them. */
public final class EventTypes {

    public static final String TWIN_CREATE = "Microsoft.DigitalTwins.Twin.Create";
    public static final String TWIN_UPDATE = "Microsoft.DigitalTwins.Twin.Update";
    public static final String TWIN_DELETE = "Microsoft.DigitalTwins.Twin.Delete";
    public static final String RELATIONSHIP_CREATE = "Microsoft.DigitalTwins.Relationship.Create";
    public static final String RELATIONSHIP_UPDATE = "Microsoft.DigitalTwins.Relationship.Update";
    public static final String RELATIONSHIP_DELETE = "Microsoft.DigitalTwins.Relationship.Delete";
    public static final String TELEMETRY = "microsoft.iot.telemetry";

    /** Keys Twingress adds to an update's data when an event route asks for them; a twin property cannot start with $. */
    public static final String STATE = "$state";
    public static final String PREVIOUS = "$previous";

    private EventTypes() {
    }
}
