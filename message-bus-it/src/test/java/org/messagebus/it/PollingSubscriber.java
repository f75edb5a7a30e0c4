// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * A web client of one targeting scenario, polling over HTTP as the JavaScript client does: it keeps
 * a position per channel, sends it with every poll (form or JSON body, increasing {@code __seq}),
 * takes each message's id as the channel's new position, and applies a {@code /__status} after the
 * messages of the same reply. It never de-duplicates: whatever the server sends is recorded, so a
 * repeated or forbidden delivery shows. It stops once it has received the scenario's closing
 * message (the fence) on each of its channels, then makes one last immediate poll, which must bring
 * nothing new.
 */
final class PollingSubscriber implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] SEPARATOR = "\r\n|\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One delivered message. */
  record Delivery(String channel, long messageId, String key, boolean fence, boolean afterFences) {}

  final String clientId;
  private final TargetingScenario.Sub sub;
  private final List<String> channels;
  private final HttpClient http;
  private final int port;
  private final Semaphore pollStarted;
  private final PublishClock publishes;
  private final java.util.concurrent.CountDownLatch started;
  private final Duration deadline;

  final Map<String, Long> positions = new LinkedHashMap<>();

  /** The position each channel started from: 0, or what the first {@code /__status} said. */
  final Map<String, Long> startedAt = new LinkedHashMap<>();

  final List<Delivery> deliveries = new ArrayList<>();
  final List<String> problems = new ArrayList<>();
  private final Set<String> fencesSeen = new java.util.HashSet<>();
  private final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();
  private int seq;
  int polls;

  PollingSubscriber(
      String clientId,
      TargetingScenario.Sub sub,
      List<String> channels,
      HttpClient http,
      int port,
      Semaphore pollStarted,
      PublishClock publishes,
      java.util.concurrent.CountDownLatch started,
      Duration deadline) {
    this.clientId = clientId;
    this.sub = sub;
    this.channels = channels;
    this.http = http;
    this.port = port;
    this.pollStarted = pollStarted;
    this.publishes = publishes;
    this.started = started;
    this.deadline = deadline;
    for (String c : channels) {
      positions.put(c, sub.start() == TargetingScenario.Start.ZERO ? 0L : -1L);
      if (sub.start() == TargetingScenario.Start.ZERO) {
        startedAt.put(c, 0L);
      }
    }
  }

  @Override
  public void run() {
    long end = System.nanoTime() + deadline.toNanos();
    try {
      while (fencesSeen.size() < channels.size()) {
        if (System.nanoTime() > end) {
          problems.add(
              "did not receive the closing message of every channel within "
                  + deadline.toSeconds()
                  + " s (got "
                  + fencesSeen
                  + "); its last polls:\n      "
                  + String.join("\n      ", trace));
          return;
        }
        long seen = publishes.count();
        int had = deliveries.size();
        poll(sub.mode(), false);
        if (sub.mode() == TargetingScenario.Mode.POLL && deliveries.size() == had) {
          // like a polling browser, do not hammer the server: poll again once something was
          // published (or after a short while)
          publishes.awaitAfter(seen, Duration.ofMillis(100));
        }
      }
      // The server now has nothing more for this client: an immediate poll must bring no message.
      poll(TargetingScenario.Mode.POLL, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("interrupted");
    } catch (Exception e) {
      problems.add("poll failed: " + e);
    } finally {
      markStarted();
    }
  }

  private boolean startedMarked;

  /** Tells the publisher, once, that this subscriber knows where it starts. */
  private void markStarted() {
    if (!startedMarked) {
      startedMarked = true;
      started.countDown();
    }
  }

  private void poll(TargetingScenario.Mode mode, boolean last) throws Exception {
    pollStarted.release();
    polls++;
    String query = mode == TargetingScenario.Mode.POLL ? "?dlp=t" : "";
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + port + "/message-bus/" + clientId + "/poll" + query))
            .timeout(Duration.ofSeconds(30))
            .header("X-Silence-Logger", "true");
    if (sub.userId() != null) {
      b.header("X-User-Json", JSON.writeValueAsString(sub.userId()));
      b.header("X-User-As-Long", String.valueOf(sub.userAsLong()));
    }
    if (sub.groups() != null) {
      b.header("X-Groups-Json", JSON.writeValueAsString(sub.groups()));
    }
    if (sub.site() != null) {
      b.header("X-Site", sub.site());
    }
    if (mode == TargetingScenario.Mode.LONG_POLL) {
      b.header("Dont-Chunk", "true");
    }
    seq++;
    if (sub.json()) {
      Map<String, Object> body = new LinkedHashMap<>(positions);
      body.put("__seq", seq);
      b.header("Content-Type", "application/json");
      b.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    } else {
      StringBuilder form = new StringBuilder();
      positions.forEach(
          (c, p) ->
              form.append(URLEncoder.encode(c, StandardCharsets.UTF_8))
                  .append('=')
                  .append(p)
                  .append('&'));
      form.append("__seq=").append(seq);
      b.header("Content-Type", "application/x-www-form-urlencoded");
      b.POST(HttpRequest.BodyPublishers.ofString(form.toString()));
    }
    traceLine(mode + " " + positions);
    if (sub.start() == TargetingScenario.Start.ZERO) {
      markStarted(); // its start is known: 0
    }
    HttpResponse<InputStream> response =
        http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        problems.add(
            "status "
                + response.statusCode()
                + ": "
                + new String(in.readAllBytes(), StandardCharsets.UTF_8));
        throw new IllegalStateException("poll answered " + response.statusCode());
      }
      boolean streamed =
          response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain");
      if (!streamed) {
        handle(in.readAllBytes(), last);
        return;
      }
      // A stream: handle each piece as it arrives; leave once every fence is in.
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        buffer.write(chunk, 0, n);
        byte[] all = buffer.toByteArray();
        int from = 0;
        int at;
        while ((at = RawHttp.indexOf(all, from, SEPARATOR)) >= 0) {
          handle(java.util.Arrays.copyOfRange(all, from, at), last);
          from = at + SEPARATOR.length;
        }
        buffer.reset();
        buffer.write(all, from, all.length - from);
        if (fencesSeen.size() == channels.size()) {
          return; // closing the stream abandons the held poll, as a leaving browser does
        }
      }
    }
  }

  /** The last polls and replies, for a failure report. */
  String trace() {
    return String.join("\n      ", trace);
  }

  private void traceLine(String line) {
    String entry = line.length() > 3000 ? line.substring(0, 3000) + "..." : line;
    // repeated identical request/reply pairs are counted, not listed
    trace.addLast(entry);
    collapse();
    while (trace.size() > 40) {
      trace.removeFirst();
    }
  }

  /** Turns "req, reply, req, reply" with equal pairs into "req, reply, (x2)". */
  private void collapse() {
    String[] t = trace.toArray(new String[0]);
    int n = t.length;
    if (n >= 5
        && t[n - 1].startsWith("  <- ")
        && t[n - 3].startsWith("  (x")
        && t[n - 2].equals(t[n - 5])
        && t[n - 1].equals(t[n - 4])) {
      int times = Integer.parseInt(t[n - 3].substring(4, t[n - 3].length() - 1)) + 1;
      trace.removeLast();
      trace.removeLast();
      trace.removeLast();
      trace.addLast("  (x" + times + ")");
    } else if (n >= 4
        && t[n - 1].startsWith("  <- ")
        && t[n - 2].equals(t[n - 4])
        && t[n - 1].equals(t[n - 3])) {
      trace.removeLast();
      trace.removeLast();
      trace.addLast("  (x2)");
    }
  }

  private void handle(byte[] json, boolean last) throws IOException {
    traceLine("  <- " + new String(json, StandardCharsets.UTF_8));
    List<Map<String, Object>> messages =
        JSON.readValue(json, new TypeReference<List<Map<String, Object>>>() {});
    Map<String, Object> status = null;
    for (Map<String, Object> m : messages) {
      String channel = (String) m.get("channel");
      if ("/__status".equals(channel)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) m.get("data");
        status = s;
        continue;
      }
      long id = ((Number) m.get("message_id")).longValue();
      Object data = m.get("data");
      String key = data instanceof Map<?, ?> d ? String.valueOf(d.get("k")) : String.valueOf(data);
      boolean fence = data instanceof Map<?, ?> d && Boolean.TRUE.equals(d.get("fence"));
      deliveries.add(new Delivery(channel, id, key, fence, last));
      if (positions.containsKey(channel)) {
        positions.put(channel, id);
        if (fence) {
          fencesSeen.add(channel);
        }
      }
    }
    if (status != null) {
      // applied after the messages of the same reply, as the JavaScript clients do
      for (Map.Entry<String, Object> e : status.entrySet()) {
        if (positions.containsKey(e.getKey())) {
          long p = ((Number) e.getValue()).longValue();
          positions.put(e.getKey(), p);
          startedAt.putIfAbsent(e.getKey(), p);
        }
      }
    }
    if (startedAt.size() == channels.size()) {
      markStarted(); // a -1 start is known once the first /__status has told every position
    }
  }
}
