// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.messagebus.spi.DaemonThreads;

/**
 * A well-behaved web client that long-polls one channel of its own for the whole fuzzing run, the
 * way the JavaScript client does ({@code Dont-Chunk}, form body, increasing {@code __seq}, the
 * position of the last message it got). It records every message and every failed poll, so a test
 * can check that the hostile traffic around it changed nothing for it: each message published to
 * its channel arrives exactly once, in order, and every poll is answered 200.
 */
final class Bystander implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The channel: random, so no generated input can name it. */
  final String channel = "/bystander/" + UUID.randomUUID();

  private final String clientId = "bystander" + UUID.randomUUID().toString().replace("-", "");
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Thread thread;
  private final List<String> received = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private volatile boolean running = true;
  private long position = -1;
  private int seq;
  private int polls;

  Bystander(int port) {
    this.port = port;
    this.thread = DaemonThreads.newThread("bystander", this::loop);
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        String form =
            URLEncoder.encode(channel, StandardCharsets.UTF_8)
                + "="
                + position
                + "&__seq="
                + (++seq);
        HttpRequest request =
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/message-bus/" + clientId + "/poll"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Dont-Chunk", "true")
                .header("X-Silence-Logger", "true")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        synchronized (this) {
          polls++;
          if (response.statusCode() != 200) {
            failures.add("status " + response.statusCode() + ": " + response.body());
            continue;
          }
          for (Map<String, Object> m :
              JSON.readValue(response.body(), new TypeReference<List<Map<String, Object>>>() {})) {
            Object data = m.get("data");
            if ("/__status".equals(m.get("channel"))) {
              @SuppressWarnings("unchecked")
              Map<String, Object> status = (Map<String, Object>) data;
              Object p = status.get(channel);
              if (p != null) {
                position = ((Number) p).longValue();
              }
            } else if (channel.equals(m.get("channel"))) {
              received.add(String.valueOf(data));
              position = ((Number) m.get("message_id")).longValue();
            } else {
              failures.add("message of another channel: " + m);
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (running) {
          synchronized (this) {
            failures.add(e.toString());
          }
        }
      }
    }
  }

  /** The data of every message received so far, in order. */
  synchronized List<String> received() {
    return new ArrayList<>(received);
  }

  /** Every poll that failed (non-200, unreadable, connection error). */
  synchronized List<String> failures() {
    return new ArrayList<>(failures);
  }

  synchronized int polls() {
    return polls;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller is being stopped: let it see that
    }
  }
}
