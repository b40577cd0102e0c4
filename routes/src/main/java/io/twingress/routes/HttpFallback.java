package io.twingress.routes;

import java.util.List;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import io.twingress.AdtError;
import io.twingress.api.ApiErrors;

/**
 * The HTTP layer's own replies in ADT's error shape: an unknown path (404), a known path with another method (405),
 * and the failures Vert.x reports before a route runs (a body over the limit, a request the router cannot read).
 */
final class HttpFallback {

    private HttpFallback() {
    }

    static void install(CamelContext context) {
        int port = Integer.parseInt(context.getPropertiesComponent().resolveProperty("camel.server.port").orElseThrow());
        Router router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        List<Pattern> paths = context.getRestRegistry().listAllRestServices().stream()
                .map(s -> Pattern.compile(s.getUrl().replaceAll("^https?://[^/]*", "")
                        .replaceAll("\\{[^/}]+}", "[^/]+")))
                .distinct().toList();
        router.route().last().handler(ctx -> {
            String path = ctx.request().path();
            boolean known = path != null && paths.stream().anyMatch(p -> p.matcher(path).matches());
            reply(ctx, known ? AdtError.METHOD_NOT_ALLOWED : AdtError.NOT_FOUND, known
                    ? ctx.request().method() + " is not supported on " + path + "."
                    : "There is no resource at " + path + ".");
        });
        router.errorHandler(413, ctx -> reply(ctx, AdtError.PAYLOAD_TOO_LARGE, "The request body is larger than"
                + " the server accepts."));
        router.errorHandler(400, ctx -> reply(ctx, AdtError.BAD_REQUEST, "The request is malformed."));
        router.errorHandler(500, ctx -> reply(ctx, AdtError.BAD_REQUEST, "The request could not be read."));
    }

    private static void reply(RoutingContext ctx, AdtError error, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                .putHeader("x-ms-error-code", error.code())
                .end(ApiErrors.body(error.with(message)));
    }
}
