package io.twingress.ingest;

/**
 * The envelope every ingress connector route puts on a message before it hands it to the twin-update entry point
 * ({@code direct:twin-update}), whatever the connector: the body is the message as received.
 */
public final class IngressHeaders {

    /** Where the message came from, e.g. {@code kafka:telemetry}, {@code mqtt}, {@code http}; scopes the message id. */
    public static final String SOURCE = "TwingressIngressSource";
    /** The source's id of the message; a second message with the same source and id is dropped. */
    public static final String MESSAGE_ID = "TwingressIngressMessageId";
    /**
     * What the HTTP sources' names start with ({@code http:devices}, {@code http:webhook:<name>}): their senders pick
     * their own message ids, so an id is a device's, not the source's.
     */
    public static final String HTTP_SOURCE = "http:";
    /** The device that sent it; by default the twin it updates. */
    public static final String DEVICE_ID = "TwingressIngressDeviceId";
    /** When the source received it (RFC 3339). */
    public static final String ENQUEUED_TIME = "TwingressIngressEnqueuedTime";
    /** When the device measured it (RFC 3339), the properties' sourceTime. */
    public static final String SOURCE_TIME = "TwingressIngressSourceTime";
    public static final String CONTENT_TYPE = "TwingressIngressContentType";
    /** {@code base64} if the body is base64 text of the payload (IoT Hub's contentEncoding). */
    public static final String CONTENT_ENCODING = "TwingressIngressContentEncoding";

    private IngressHeaders() {
    }
}
