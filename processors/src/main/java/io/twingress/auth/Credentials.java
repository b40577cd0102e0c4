package io.twingress.auth;

/**
 * What a request presented, as sent: the {@code Authorization} header's value and the API-key header's value, each
 * possibly null. Never logged: {@link #toString()} hides both.
 */
public record Credentials(String authorization, String apiKey) {

    /** The token of {@code Authorization: Bearer <token>} (scheme case-insensitive), or null. */
    public String bearer() {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = value.substring(7).strip();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    @Override
    public String toString() {
        return "Credentials[authorization=" + (authorization == null ? "none" : "***") + ", apiKey="
                + (apiKey == null ? "none" : "***") + "]";
    }
}
