package io.twingress.event;

/**
 * How Twingress signs in to an endpoint, as ADT names it. {@code IdentityBased} (an Azure identity instead of a
 * connection string) exists for Event Hubs and Service Bus only.
 */
public enum AuthenticationType {
    KeyBased, IdentityBased
}
