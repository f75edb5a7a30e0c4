// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.diagnostics.Diagnostics;

/**
 * The routes under {@code <base>message-bus/_diagnostics} (SPEC §6.2): the diagnostics page (with
 * this process's live dashboard), the dashboard's numbers ({@code stats.json}, our own route), the
 * discovery and restart requests, and a whitelist of scripts. Every route is for administrators
 * only ({@link EngineOptions#isAdminLookup()}); the page is our own (no React, no jQuery),
 * listening with plain {@code fetch} long polls. Without the dashboard ({@link
 * EngineOptions#dashboardEnabled()} false) the page lists the processes only and {@code stats.json}
 * answers 404. The routes that change state (discover, hup) take POST only, unless {@link
 * EngineOptions#allowGetForActions()}.
 */
final class DiagnosticsRoutes {

  static final String ROUTE = "_diagnostics";
  static final String SCRIPT_CONTENT_TYPE = "application/javascript;charset=UTF-8";

  /**
   * Whitelisted asset names → class-path resources; {@code message-bus.js} if on the class path.
   */
  private static final Map<String, String> ASSETS =
      Map.of(
          "diagnostics.js", "org/messagebus/http/diagnostics/diagnostics.js",
          "message-bus.js", "META-INF/resources/message-bus-assets/message-bus.js");

  private final MessageBus bus;
  private final EngineOptions options;
  private final Map<String, Optional<Asset>> assets = new LinkedHashMap<>();
  private final ObjectMapper json;
  private final @Nullable DashboardStats stats;

  DiagnosticsRoutes(
      MessageBus bus, EngineOptions options, ObjectMapper json, @Nullable DashboardStats stats) {
    this.bus = bus;
    this.options = options;
    this.json = json;
    this.stats = stats;
    ASSETS.forEach((name, resource) -> assets.put(name, Asset.load(resource)));
  }

  static boolean matches(String rest) {
    return rest.startsWith(ROUTE);
  }

  /**
   * Answers a diagnostics request.
   *
   * @param prefix the bus prefix within the web application, e.g. {@code /message-bus/}
   * @param rest the path after the prefix, starting with {@code _diagnostics}
   */
  /** How the engine answers with one line of plain text. */
  @FunctionalInterface
  interface PlainReply {
    void send(HttpExchange x, int status, String body, Map<String, String> headers)
        throws IOException;
  }

  void handle(HttpExchange x, String prefix, String rest, PlainReply plain) throws IOException {
    if (options.isAdminLookup() == null || !options.isAdminLookup().test(x)) {
      plain.send(x, 403, "not allowed", Map.of());
      return;
    }
    if (rest.equals(ROUTE)) {
      page(x, x.contextPath() + prefix);
    } else if (rest.equals(ROUTE + "/stats.json") && stats != null) {
      stats(x, stats);
    } else if (rest.equals(ROUTE + "/discover")) {
      HttpEngine.requirePost(x, options);
      discover(x, plain);
    } else if (rest.startsWith(ROUTE + "/hup/")) {
      HttpEngine.requirePost(x, options);
      hup(x, rest.substring((ROUTE + "/hup/").length()), plain);
    } else if (rest.startsWith(ROUTE + "/assets/")) {
      asset(x, rest.substring((ROUTE + "/assets/").length()), plain);
    } else {
      plain.send(x, 404, "not found", Map.of());
    }
  }

  private void page(HttpExchange x, String busPath) throws IOException {
    Asset script = assets.getOrDefault("diagnostics.js", Optional.empty()).orElseThrow();
    String html =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            + "<title>Message Bus Diagnostics</title></head>\n<body>\n"
            + "<div id=\"app\" data-bus-path=\""
            + escape(busPath)
            + "\" data-dashboard=\""
            + (stats != null)
            + "\"></div>\n<script src=\""
            + escape(busPath + ROUTE + "/assets/diagnostics.js?" + script.sha1)
            + "\" type=\"text/javascript\"></script>\n</body></html>\n";
    x.status(200);
    x.header("Cache-Control", "no-store");
    x.header("Content-Type", "text/html; charset=utf-8");
    x.send(html.getBytes(StandardCharsets.UTF_8));
  }

  /** The live dashboard's numbers for this process (admins only, like every route here). */
  private void stats(HttpExchange x, DashboardStats st) throws IOException {
    byte[] body = json.writeValueAsBytes(st.snapshot());
    x.status(200);
    x.header("Cache-Control", "no-store");
    x.contentType(Wire.JSON_CONTENT_TYPE);
    x.send(body);
  }

  private void discover(HttpExchange x, PlainReply plain) throws IOException {
    Object userId =
        options.userIdLookup() == null
            ? null
            : Permissions.normalizeId(options.userIdLookup().apply(x));
    if (userId == null) {
      throw new BadRequestException(
          400, "discovery answers go to the requesting user: configure userIdLookup and sign in");
    }
    Diagnostics.requestDiscovery(bus, userId);
    plain.send(x, 200, "ok", Map.of());
  }

  private void hup(HttpExchange x, String target, PlainReply plain) throws IOException {
    int slash = target.lastIndexOf('/');
    if (slash <= 0) {
      throw new BadRequestException(400, "expected _diagnostics/hup/<hostname>/<pid>");
    }
    long pid;
    try {
      pid = Long.parseLong(target.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new BadRequestException(400, "the pid must be a number");
    }
    Diagnostics.requestRestart(bus, target.substring(0, slash), pid);
    plain.send(x, 200, "ok", Map.of());
  }

  private void asset(HttpExchange x, String name, PlainReply plain) throws IOException {
    Optional<Asset> asset = assets.getOrDefault(name, Optional.empty());
    if (asset.isEmpty()) {
      plain.send(x, 404, "not found", Map.of());
      return;
    }
    x.status(200);
    x.header("Cache-Control", "private, max-age=86400");
    x.contentType(SCRIPT_CONTENT_TYPE);
    x.send(asset.get().bytes);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
  }

  @SuppressWarnings("ArrayRecordComponent") // never compared nor hashed, only sent
  private record Asset(byte[] bytes, String sha1) {
    static Optional<Asset> load(String resource) {
      ClassLoader loader = DiagnosticsRoutes.class.getClassLoader();
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          return Optional.empty();
        }
        byte[] bytes = in.readAllBytes();
        return Optional.of(
            new Asset(
                bytes, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is missing from this JDK", e);
      }
    }
  }
}
