// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * Talks to a load server's control routes: {@code GET /control/stats[?gc=true]} ({@link
 * ServerStats}), {@code POST /control/publish?rate=R&count=C&warmup=B} (publish C messages at R per
 * second, {@code {"n": index or -1, "t": epoch µs}}), {@code POST /control/stop}. Thread-safe.
 */
final class ControlClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  ControlClient(String host, int port) {
    this.base = "http://" + host + ":" + port + "/control/";
  }

  /**
   * Reads the server's state.
   *
   * @param gc whether the server should collect garbage twice first (for heap used)
   * @return the state
   * @throws IOException if the server cannot be reached or answers badly
   * @throws InterruptedException if interrupted while waiting
   */
  ServerStats stats(boolean gc) throws IOException, InterruptedException {
    String body = send(HttpRequest.newBuilder(URI.create(base + "stats?gc=" + gc)).GET());
    return JSON.readValue(body, ServerStats.class);
  }

  /**
   * Asks the server to publish messages at a fixed rate, starting now.
   *
   * @param rate messages per second
   * @param count how many
   * @param warmup whether they are warm-up messages ({@code n = -1})
   * @param channels how many channels to publish on, round-robin (1: the load channel only; more is
   *     sent as {@code &channels=K}, which only the Java load server knows)
   * @throws IOException if the server refuses
   * @throws InterruptedException if interrupted while waiting
   */
  void publish(double rate, int count, boolean warmup, int channels)
      throws IOException, InterruptedException {
    String q =
        String.format(Locale.ROOT, "publish?rate=%s&count=%d&warmup=%b", rate, count, warmup)
            + (channels > 1 ? "&channels=" + channels : "");
    send(HttpRequest.newBuilder(URI.create(base + q)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * Reads the server's memory diagnostics (heap, native memory, class histogram).
   *
   * @return the text, as jcmd prints it
   * @throws IOException if the server cannot be reached or has no such route
   * @throws InterruptedException if interrupted while waiting
   */
  String diagnostics() throws IOException, InterruptedException {
    String body = send(HttpRequest.newBuilder(URI.create(base + "diagnostics")).GET());
    return JSON.readTree(body).path("text").asText();
  }

  /**
   * Asks the server to stop.
   *
   * @throws IOException if the server cannot be reached
   * @throws InterruptedException if interrupted while waiting
   */
  void stop() throws IOException, InterruptedException {
    send(
        HttpRequest.newBuilder(URI.create(base + "stop"))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private String send(HttpRequest.Builder req) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(req.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("control " + r.uri() + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }
}
