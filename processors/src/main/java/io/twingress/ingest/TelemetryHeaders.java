package io.twingress.ingest;

/** Headers a telemetry message carries from the API to the telemetry route. */
public final class TelemetryHeaders {

    public static final String TWIN_ID = "TwingressTwinId";
    public static final String COMPONENT = "TwingressComponent";
    public static final String MODEL_ID = "TwingressModelId";
    public static final String MESSAGE_ID = "TwingressMessageId";
    public static final String SOURCE_TIME = "TwingressSourceTime";
    /** The W3C trace context the sender gave, if any. */
    public static final String TRACEPARENT = "TwingressTraceparent";

    private TelemetryHeaders() {
    }
}
