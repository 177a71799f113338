package io.shopdb.operator.sandbox.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of the sandbox API server (Vert.x, plain HTTP on loopback). It hands every request to
 * the dispatcher off the event loop, and serves watches both ways kube-apiserver does: as a websocket
 * (what fabric8 clients use) and as a streamed HTTP response of newline-separated watch events (what
 * kubectl and client-go use), which fabric8's MockWebServer cannot do.
 */
public final class ApiHttpServer implements AutoCloseable {
    private static final List<String> SUB_PROTOCOLS = List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");
    private final Vertx vertx = Vertx.vertx();
    private final Dispatcher dispatcher;
    private final ApiFaults faults;
    private HttpServer server;

    public ApiHttpServer(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.faults = dispatcher instanceof ApiServerDispatcher api ? api.faults() : null;
    }

    /** Listens on {@code port} (0: any free one) and returns the port. */
    public int start(InetAddress address, int port) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost(address.getHostAddress()).setPort(port)
                .setWebSocketSubProtocols(SUB_PROTOCOLS).setHandle100ContinueAutomatically(true));
        server.requestHandler(this::handle);
        return server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
    }

    private void handle(HttpServerRequest event) {
        if ("websocket".equalsIgnoreCase(event.getHeader("Upgrade"))) {
            // a websocket watch: the upgrade must happen before the request is read, so dispatch right here
            // (a watch only registers a listener), as fabric8's MockWebServer does
            RecordedRequest request = request(event, null);
            respond(event, request, dispatcher.dispatch(request));
            return;
        }
        event.body().onFailure(e -> fail(event, e)).onSuccess(body -> {
            RecordedRequest request = request(event, body);
            vertx.<MockResponse>executeBlocking(() -> dispatcher.dispatch(request), false)
                    .onFailure(e -> fail(event, e))
                    .onSuccess(response -> respond(event, request, response));
        });
    }

    private static RecordedRequest request(HttpServerRequest event, io.vertx.core.buffer.Buffer body) {
        Headers.Builder headers = Headers.builder();
        event.headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
        return new RecordedRequest(event.version().alpnName().toUpperCase(Locale.ROOT), HttpMethod.fromVertx(event.method()),
                event.uri(), headers.build(), new Buffer(body == null ? new byte[0] : body.getBytes()));
    }

    private void respond(HttpServerRequest event, RecordedRequest request, MockResponse response) {
        WebSocketListener listener = response.getWebSocketListener();
        if (listener != null) {
            if ("websocket".equalsIgnoreCase(event.getHeader("Upgrade"))) {
                ServerWebSocketHandler handler = new ServerWebSocketHandler(request, response);
                event.toWebSocket().onFailure(e -> fail(event, e)).onSuccess(ws -> {
                    handler.handle(ws);
                    // the fault layer may end it as kube-apiserver ends a watch: a normal close, the client watches again
                    watched(request, () -> {
                        if (!ws.isClosed()) {
                            ws.close((short) 1000, "watch ended by the server");
                        }
                    }, () -> !ws.isClosed());
                });
            } else {
                stream(event, request, response, listener);
            }
            return;
        }
        HttpServerResponse out = event.response().setStatusCode(response.code());
        response.getHeaders().toMultimap().forEach((key, values) -> out.headers().add(key, values));
        if (response.getBody() != null && response.getBody().size() > 0) {
            out.end(io.vertx.core.buffer.Buffer.buffer(response.getBody().getBytes()));
        } else {
            out.end();
        }
    }

    /** An HTTP watch: one JSON watch event per line until the client goes or timeoutSeconds pass. */
    private void stream(HttpServerRequest event, RecordedRequest request, MockResponse response, WebSocketListener listener) {
        HttpServerResponse out = event.response().setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "application/json").putHeader("Transfer-Encoding", "chunked");
        WebSocket lines = new WebSocket() {
            @Override
            public RecordedRequest request() {
                return request;
            }

            @Override
            public boolean send(String text) {
                if (!out.ended() && !out.closed()) {
                    out.write(text + "\n");
                }
                return true;
            }

            @Override
            public boolean send(byte[] bytes) {
                return send(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public boolean close(int code, String reason) {
                if (!out.ended() && !out.closed()) {
                    out.end();
                }
                return true;
            }
        };
        out.writeHead();
        watched(request, () -> lines.close(1000, "watch ended by the server"), () -> !out.ended() && !out.closed());
        String timeout = ApiPath.query(request.getPath().contains("?") ? request.getPath().substring(request.getPath().indexOf('?') + 1) : "").get("timeoutSeconds");
        long timer = timeout == null || !timeout.matches("[0-9]+") ? -1
                : vertx.setTimer(Math.max(1, Long.parseLong(timeout)) * 1000, t -> lines.close(1000, "timeout"));
        out.closeHandler(v -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            vertx.executeBlocking(() -> {
                listener.onClosed(lines, 1000, "client closed");
                return null;
            }, false);
        });
        out.endHandler(v -> vertx.executeBlocking(() -> {
            listener.onClosed(lines, 1000, "ended");
            return null;
        }, false));
        listener.onOpen(lines, response);
    }

    /** Registers an open watch with the fault layer until it closes. */
    private void watched(RecordedRequest request, Runnable end, java.util.function.BooleanSupplier open) {
        if (faults == null) {
            return;
        }
        String agent = request.getHeader("User-Agent");
        ApiFaults.OpenWatch watch = new ApiFaults.OpenWatch() {
            @Override
            public String userAgent() {
                return agent;
            }

            @Override
            public boolean open() {
                return open.getAsBoolean();
            }

            @Override
            public void end() {
                vertx.runOnContext(v -> end.run());
            }
        };
        faults.opened(watch);
    }

    private static void fail(HttpServerRequest event, Throwable e) {
        if (!event.response().headWritten()) {
            event.response().setStatusCode(500).end(String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
