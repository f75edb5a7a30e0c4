package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server answering garbage, truncated streams, 500s and 429s: the client reports each failure,
 * backs off, never crashes and never busy-loops.
 */
class HostileServerTest {

  private HttpServer server;
  private MessageBusClient client;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<Long> requestTimes = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.stop(0);
  }

  private interface Reply {
    void write(com.sun.net.httpserver.HttpExchange ex) throws IOException;
  }

  private void serve(Reply reply) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          requests.incrementAndGet();
          requestTimes.add(System.nanoTime());
          ex.getRequestBody().readAllBytes();
          try {
            reply.write(ex);
          } finally {
            ex.close();
          }
        });
    server.start();
    client =
        MessageBusClient.builder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
            .minPollInterval(Duration.ofMillis(50))
            .maxPollInterval(Duration.ofSeconds(2))
            .minRetryAfter(Duration.ofMillis(100))
            .errorListener(
                new ClientErrorListener() {
                  @Override
                  public void onPollFailed(Throwable error, int consecutive, Duration retryIn) {
                    failures.add(error);
                  }
                })
            .build();
  }

  private static void send(
      com.sun.net.httpserver.HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (type != null) {
      ex.getResponseHeaders().set("Content-Type", type);
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Test
  void garbageJson_isReportedAndBackedOff() throws Exception {
    serve(ex -> send(ex, 200, "application/json; charset=utf-8", "<html>surprise</html>"));
    client.subscribe("/x", m -> {});

    assertThat(failures.poll(10, TimeUnit.SECONDS)).hasMessageContaining("not valid JSON");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.consecutiveFailures() >= 3);
    assertThat(client.status()).isEqualTo(MessageBusClient.Status.STARTED);
  }

  @Test
  void serverErrors_backOffExponentially_noBusyLoop() throws Exception {
    serve(ex -> send(ex, 500, "text/plain", "boom"));
    client.subscribe("/x", m -> {});

    assertThat(failures.poll(10, TimeUnit.SECONDS)).hasMessageContaining("HTTP 500");
    await().atMost(Duration.ofSeconds(10)).until(() -> requests.get() >= 4);

    // Gaps double from 100 ms: the fourth request comes at least 100 + 200 + 400 ms after the
    // first.
    long spanMillis = TimeUnit.NANOSECONDS.toMillis(requestTimes.get(3) - requestTimes.get(0));
    assertThat(spanMillis).isGreaterThanOrEqualTo(650);
    assertThat(client.backoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(client.backoff(30)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void truncatedStream_isAFailure_andNothingIsDispatched() throws Exception {
    serve(
        ex -> {
          ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
          ex.sendResponseHeaders(200, 0);
          OutputStream out = ex.getResponseBody();
          out.write(
              "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/x\",\"da"
                  .getBytes(StandardCharsets.UTF_8));
          out.close();
        });
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    client.subscribe("/x", got::add);

    assertThat(failures.poll(10, TimeUnit.SECONDS))
        .hasMessageContaining("stream ended inside a piece");
    assertThat(got).isEmpty();
  }

  @Test
  void tooManyRequests_waitsForRetryAfter() throws Exception {
    serve(
        ex -> {
          ex.getResponseHeaders().set("Retry-After", "1");
          send(ex, 429, "text/plain", "slow down");
        });
    client.subscribe("/x", m -> {});

    assertThat(failures.poll(10, TimeUnit.SECONDS)).hasMessageContaining("429");
    await().atMost(Duration.ofSeconds(10)).until(() -> requests.get() >= 2);
    long gapMillis = TimeUnit.NANOSECONDS.toMillis(requestTimes.get(1) - requestTimes.get(0));
    assertThat(gapMillis).isGreaterThanOrEqualTo(900);
  }

  @Test
  void unreachableServer_staysStartedAndCountsFailures() throws Exception {
    serve(ex -> send(ex, 200, "application/json; charset=utf-8", "[]"));
    int port = server.getAddress().getPort();
    server.stop(0);
    client.close();
    client =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + port + "/"))
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(200))
            .build();

    client.subscribe("/x", m -> {});

    await().atMost(Duration.ofSeconds(10)).until(() -> client.consecutiveFailures() >= 2);
    assertThat(client.status()).isEqualTo(MessageBusClient.Status.STARTED);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0); // for @AfterEach
  }
}
