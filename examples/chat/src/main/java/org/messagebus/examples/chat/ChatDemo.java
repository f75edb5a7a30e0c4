// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.chat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.diagnostics.Diagnostics;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.spi.Backend;
import org.messagebus.spi.DaemonThreads;

/**
 * The live chat demo: an embedded Jetty on 127.0.0.1 serving a chat page whose messages travel over
 * the bus. Configuration comes from the environment:
 *
 * <ul>
 *   <li>{@code PORT}: the port, default 9292;
 *   <li>{@code MESSAGE_BUS_BACKEND}: {@code memory} (default), {@code redis} or {@code postgres};
 *   <li>{@code MESSAGE_BUS_REDIS_URL}: the Redis URI, default {@code redis://127.0.0.1:6379/0};
 *   <li>{@code MESSAGE_BUS_POSTGRES_URL}: the JDBC URL, default {@code
 *       jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}.
 * </ul>
 *
 * <p>Run it with {@code bin/demo} from the repository root.
 */
public final class ChatDemo {

  /** The channel chat messages are published to. */
  public static final String CHANNEL = "/chat";

  private ChatDemo() {}

  /**
   * Starts the demo and blocks until the process is stopped.
   *
   * @param args ignored
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    int port = port(env.get("PORT"));
    String backendName = env.getOrDefault("MESSAGE_BUS_BACKEND", "memory");
    MessageBus bus = MessageBus.builder().backend(backend(env)).build();
    MessageBusServer server = start(bus, port);
    Runtime.getRuntime()
        .addShutdownHook(
            DaemonThreads.newThread(
                "chat-demo-shutdown",
                () -> {
                  server.close();
                  bus.close();
                }));

    System.out.printf(
        "MessageBus chat demo: http://127.0.0.1:%d/  (backend: %s)%n", server.port(), backendName);
    server.join();
  }

  /**
   * Starts the demo server on a bus: the chat page at {@code /}, the publish endpoint {@code /say},
   * the bus endpoint under {@code /message-bus/} with the broadcast route enabled, and the
   * diagnostics page {@code /message-bus/_diagnostics} for local visitors.
   *
   * @param bus the bus
   * @param port the port, 0 for a free one
   * @return the started server
   */
  public static MessageBusServer start(MessageBus bus, int port) {
    // Diagnostics: this process answers discovery requests; the page at /message-bus/_diagnostics
    // is open to local visitors only, who all count as the user "demo".
    Diagnostics.builder(bus).enable();
    return MessageBusServer.builder(bus)
        .port(port)
        .httpOptions(
            HttpTransportOptions.builder()
                .allowBroadcast(true)
                .isAdminLookup(ChatDemo::isLocal)
                .userIdLookup(req -> isLocal(req) ? "demo" : null)
                .build())
        .staticResources("static/")
        .servlet("/say", new SayServlet(bus))
        .build()
        .start();
  }

  private static boolean isLocal(HttpServletRequest req) {
    try {
      return InetAddress.getByName(req.getRemoteAddr()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static int port(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return MessageBusServer.DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("PORT must be a number from 0 to 65535: " + value);
    }
  }

  /** The Redis the demo uses with {@code MESSAGE_BUS_BACKEND=redis} and no URL. */
  static final String DEFAULT_REDIS_URL = RedisBackend.DEFAULT_URI;

  /** The database the demo uses with {@code MESSAGE_BUS_BACKEND=postgres} and no URL. */
  static final String DEFAULT_POSTGRES_URL =
      "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

  /**
   * Chooses the backend from the environment: {@code MESSAGE_BUS_BACKEND} ({@code memory}, {@code
   * redis} or {@code postgres}), with {@code MESSAGE_BUS_REDIS_URL} or {@code
   * MESSAGE_BUS_POSTGRES_URL}.
   */
  static Backend backend(Map<String, String> env) {
    String name = env.getOrDefault("MESSAGE_BUS_BACKEND", "memory");
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "memory", "" -> MemoryBackend.create();
      case "redis" ->
          RedisBackend.create(nonBlank(env, "MESSAGE_BUS_REDIS_URL", DEFAULT_REDIS_URL));
      case "postgres", "postgresql" ->
          PostgresBackend.builder()
              .jdbcUrl(nonBlank(env, "MESSAGE_BUS_POSTGRES_URL", DEFAULT_POSTGRES_URL))
              .build();
      default ->
          throw new IllegalArgumentException(
              "MESSAGE_BUS_BACKEND must be memory, redis or postgres: " + name);
    };
  }

  private static String nonBlank(Map<String, String> env, String name, String fallback) {
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /** {@code POST /say} with form fields {@code name} and {@code text}: publishes to the chat. */
  static final class SayServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient MessageBus bus;

    SayServlet(MessageBus bus) {
      this.bus = bus;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      req.setCharacterEncoding("UTF-8");
      String name = trimmed(req.getParameter("name"));
      String text = trimmed(req.getParameter("text"));
      if (text.isEmpty()) {
        reject(resp, "text must not be empty");
        return;
      }
      if (text.length() > 500 || name.length() > 40) {
        reject(resp, "name is limited to 40 characters and text to 500");
        return;
      }
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("name", name.isEmpty() ? "anonymous" : name);
      message.put("text", text);
      message.put("at", System.currentTimeMillis());
      bus.publish(CHANNEL, message);
      resp.setStatus(204);
    }

    private static String trimmed(String s) {
      return s == null ? "" : s.strip();
    }

    private static void reject(HttpServletResponse resp, String reason) throws IOException {
      resp.setStatus(400);
      resp.setContentType("text/plain; charset=utf-8");
      resp.getOutputStream().write(reason.getBytes(StandardCharsets.UTF_8));
    }
  }
}
