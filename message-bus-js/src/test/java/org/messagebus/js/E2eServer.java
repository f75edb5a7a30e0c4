// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.js;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.HttpRequestView;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The server of the end-to-end tests: our real {@link MessageBusServer} on a memory bus, plus a
 * control server the Node tests drive. Started by {@code src/test/js/support/server.mjs}; prints
 * one line {@code E2E {"bus":<port>,"control":<port>}} when ready and runs until killed.
 *
 * <p>Bus server (port 0 at first, the same port after a restart): the bus endpoint with the
 * broadcast route on; {@code /message-bus-assets/} (our client, from this module's classes); {@code
 * /index.html} (an empty page, from the test resources); {@code /stock/message-bus.js} and {@code
 * /stock/jquery.js} (the stock client and jQuery from {@code node_modules}, for the compatibility
 * runs). Identity comes from request headers, which both clients can set through their {@code
 * headers} setting: {@code X-User-Id} (a number, or else a string) and {@code X-Group-Ids}
 * (comma-separated numbers); {@code X-Admin: 1} makes a request an administrator's (the diagnostics
 * page and its dashboard).
 *
 * <p>Control server, JSON in and out: {@code POST /publish {channel, data, maxBacklogSize?,
 * userIds?, groupIds?, clientIds?}} → {@code {"id":n}}; {@code POST /stop}, {@code POST /start}
 * (the bus server only; the bus and its backlog live on); {@code POST /rate-limit {count,
 * retryAfter}} answers the next {@code count} polls 429 with that {@code Retry-After}; {@code GET
 * /polls} lists every poll seen ({@code at}, {@code clientId}, {@code dlp}, {@code chunked}, {@code
 * sse}, {@code lastEventId}, {@code status}); {@code POST /polls/clear}; {@code POST /refuse-sse
 * {refuse}} answers the Server-Sent Events route 404 while {@code refuse} is true; {@code POST
 * /refuse-ws {refuse}} restarts the bus server without (or again with) its WebSocket endpoint, so
 * an upgrade is not answered 101. WebSocket upgrades are not filters' business, so {@code /polls}
 * does not list them. Server-Sent Events streams end after the long-polling interval and tell the
 * browser to reconnect after 200 ms.
 *
 * <p>It exits when its standard input reaches end of file: the Node side keeps that pipe open, so
 * when the test process ends in any way (a failed hook, a crash, {@code kill -9}) the server goes
 * too instead of outliving it.
 */
public final class E2eServer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final Path nodeModules;
  private final Duration longPollingInterval;
  private final List<Map<String, Object>> polls = new CopyOnWriteArrayList<>();
  private final AtomicInteger rateLimited = new AtomicInteger();
  private volatile int retryAfterSeconds = 1;
  private volatile boolean refuseSse;
  private volatile boolean refuseWebSocket;
  private volatile int port;
  private MessageBusServer server;

  private E2eServer(Path nodeModules, Duration longPollingInterval) {
    this.nodeModules = nodeModules;
    this.longPollingInterval = longPollingInterval;
  }

  /**
   * Starts both servers.
   *
   * @param args the {@code node_modules} folder, then the long-polling interval in milliseconds
   * @throws Exception if a server cannot start
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: E2eServer <node_modules> <longPollingMillis>");
    }
    exitWhenStdinCloses();
    E2eServer e2e = new E2eServer(Path.of(args[0]), Duration.ofMillis(Long.parseLong(args[1])));
    e2e.startBusServer();
    HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    control.createContext("/", e2e::control);
    control.start();
    System.out.println(
        "E2E {\"bus\":" + e2e.port + ",\"control\":" + control.getAddress().getPort() + "}");
    System.out.flush();
  }

  /** The parent (the Node test run) holds our standard input; its end means the parent is gone. */
  private static void exitWhenStdinCloses() {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // nothing is sent; only the end of the stream matters
                }
              } catch (IOException e) {
                // a broken pipe means the parent is gone just the same
              }
              System.exit(0);
            },
            "e2e-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private synchronized void startBusServer() {
    if (server != null) {
      return;
    }
    HttpTransportOptions options =
        HttpTransportOptions.builder()
            .allowBroadcast(true)
            .longPollingInterval(longPollingInterval)
            // Server-Sent Events end as often as long polls, so that resumption is exercised.
            .sseMaxDuration(longPollingInterval)
            .sseRetry(Duration.ofMillis(200))
            .userIdFromRequest(E2eServer::userId)
            // The diagnostics page and its live dashboard: for requests with X-Admin: 1.
            .isAdminFromRequest(req -> "1".equals(req.header("X-Admin")))
            .groupIdsFromRequest(E2eServer::groupIds)
            .build();
    MessageBusServer.Builder builder = MessageBusServer.builder(bus);
    if (!refuseWebSocket) {
      builder.webSocket(WebSocketOptions.defaults());
    }
    server =
        builder
            .port(port)
            .httpOptions(options)
            .filter(pollRecorder())
            .staticResources("e2e/")
            .servlet("/stock/*", new StockServlet())
            .build()
            .start();
    port = server.port();
  }

  private synchronized void stopBusServer() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  private static Object userId(HttpRequestView req) {
    String v = req.header("X-User-Id");
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return v.trim();
    }
  }

  private static List<?> groupIds(HttpRequestView req) {
    String v = req.header("X-Group-Ids");
    if (v == null || v.isBlank()) {
      return List.of();
    }
    return Arrays.stream(v.split(",")).map(String::trim).map(Long::parseLong).toList();
  }

  /** Records every poll and answers 429 while a rate limit is armed. */
  private Filter pollRecorder() {
    return (request, response, chain) -> {
      HttpServletRequest req = (HttpServletRequest) request;
      String path = req.getRequestURI();
      if (!path.startsWith("/message-bus/") || path.equals("/message-bus/broadcast")) {
        chain.doFilter(request, response);
        return;
      }
      String rest = path.substring("/message-bus/".length());
      Map<String, Object> poll = new LinkedHashMap<>();
      poll.put("at", System.currentTimeMillis());
      poll.put("clientId", rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
      poll.put("dlp", req.getQueryString() != null && req.getQueryString().contains("dlp=t"));
      poll.put("chunked", req.getHeader("Dont-Chunk") == null);
      poll.put("sse", rest.endsWith("/sse"));
      String lastEventId = req.getHeader("Last-Event-ID");
      poll.put("lastEventId", lastEventId == null ? "" : lastEventId);
      HttpServletResponse resp = (HttpServletResponse) response;
      if (refuseSse && rest.endsWith("/sse")) {
        poll.put("status", 404);
        polls.add(poll);
        resp.setStatus(404);
        resp.setContentType("text/plain; charset=utf-8");
        resp.getOutputStream().write("refused".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        poll.put("status", 429);
        polls.add(poll);
        resp.setStatus(429);
        resp.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        resp.setContentType("text/plain; charset=utf-8");
        resp.getOutputStream().write("slow down".getBytes(StandardCharsets.UTF_8));
        return;
      }
      poll.put("status", 200);
      polls.add(poll);
      chain.doFilter(request, response);
    };
  }

  private void control(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      Map<?, ?> body =
          "POST".equals(ex.getRequestMethod())
              ? bodyOf(ex.getRequestBody().readAllBytes())
              : Map.of();
      Object result;
      switch (path) {
        case "/publish" -> result = Map.of("id", publish(body));
        case "/stop" -> {
          stopBusServer();
          result = Map.of("ok", true);
        }
        case "/start" -> {
          startBusServer();
          result = Map.of("ok", true);
        }
        case "/rate-limit" -> {
          retryAfterSeconds = ((Number) body.get("retryAfter")).intValue();
          rateLimited.set(((Number) body.get("count")).intValue());
          result = Map.of("ok", true);
        }
        case "/polls" -> result = new ArrayList<>(polls);
        case "/refuse-ws" -> {
          // A server without the endpoint, as behind a proxy that drops the upgrade: the same port,
          // bus and backlog; the upgrade request is answered as a poll, not with 101.
          refuseWebSocket = Boolean.TRUE.equals(body.get("refuse"));
          stopBusServer();
          startBusServer();
          result = Map.of("refuse", refuseWebSocket);
        }
        case "/refuse-sse" -> {
          refuseSse = Boolean.TRUE.equals(body.get("refuse"));
          result = Map.of("refuse", refuseSse);
        }
        case "/polls/clear" -> {
          polls.clear();
          result = Map.of("ok", true);
        }
        default -> {
          reply(ex, 404, Map.of("error", "no such control route: " + path));
          return;
        }
      }
      reply(ex, 200, result);
    } catch (RuntimeException e) {
      reply(ex, 400, Map.of("error", String.valueOf(e)));
    }
  }

  private static Map<?, ?> bodyOf(byte[] bytes) throws IOException {
    return bytes.length == 0 ? Map.of() : JSON.readValue(bytes, Map.class);
  }

  private long publish(Map<?, ?> body) {
    PublishOptions.Builder options = PublishOptions.builder();
    if (body.get("userIds") instanceof List<?> users) {
      options.userIds(users);
    }
    if (body.get("groupIds") instanceof List<?> groups) {
      options.groupIds(groups);
    }
    if (body.get("maxBacklogSize") instanceof Number size) {
      options.maxBacklogSize(size.intValue());
    }
    if (body.get("clientIds") instanceof List<?> clients) {
      options.clientIds(clients.stream().map(String::valueOf).toList());
    }
    return bus.publish((String) body.get("channel"), body.get("data"), options.build());
  }

  private static void reply(HttpExchange ex, int status, Object value) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(value);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Serves the stock client and jQuery from node_modules, for the compatibility runs. */
  private final class StockServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Path file =
          switch (req.getRequestURI()) {
            case "/stock/message-bus.js" ->
                nodeModules.resolve("message-bus-client/assets/message-bus.js");
            case "/stock/jquery.js" -> nodeModules.resolve("jquery/dist/jquery.min.js");
            default -> null;
          };
      if (file == null || !Files.isRegularFile(file)) {
        resp.sendError(404);
        return;
      }
      resp.setContentType("text/javascript; charset=utf-8");
      resp.getOutputStream().write(Files.readAllBytes(file));
    }
  }
}
