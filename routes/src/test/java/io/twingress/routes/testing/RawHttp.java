package io.twingress.routes.testing;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client that sends exactly the bytes given, so a request target, a header or a body can hold what
 * {@link java.net.http.HttpClient} refuses to build (malformed escapes, a body that is not UTF-8).
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** A reply: status, headers (lower-case names) and body. */
    public record Reply(int status, Map<String, String> headers, String body) {
    }

    /** Sends one request on its own connection to the server at {@code baseUrl} (http://host:port). */
    public static Reply send(String baseUrl, String method, String target, byte[] body, Map<String, String> headers)
            throws Exception {
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            byte[] bytes = body == null ? new byte[0] : body;
            StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\nContent-Length: " + bytes.length + "\r\n");
            headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            // one char per byte, so that chunk sizes (in bytes) can be counted off; the body is decoded at the end
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int headerEnd = reply.indexOf("\r\n\r\n");
            String[] lines = reply.substring(0, headerEnd).split("\r\n");
            Map<String, String> replyHeaders = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                replyHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            String content = reply.substring(headerEnd + 4);
            String text = "chunked".equalsIgnoreCase(replyHeaders.get("transfer-encoding")) ? dechunk(content)
                    : content;
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), replyHeaders,
                    new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        }
    }

    /** The body of a chunked reply: each chunk is a hex size line, the bytes and a line end; size 0 ends it. */
    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                // the server closed the connection before the last chunk: what came is the reply
                return body.toString();
            }
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
