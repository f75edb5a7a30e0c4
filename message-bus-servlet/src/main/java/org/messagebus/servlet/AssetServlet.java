// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Serves the JavaScript client files of {@code message-bus-js} at {@value #PATH}{@code <name>} from
 * the class path ({@value #RESOURCE_FOLDER}), the folder Servlet containers also serve from jars by
 * themselves. Only the listed names are served; anything else is 404, so no other class-path
 * resource can be read. Answers GET and HEAD with a strong ETag and {@code Cache-Control: no-cache}
 * (revalidated, answered 304 when unchanged).
 *
 * <p>Thread-safe: files are read once and kept.
 */
final class AssetServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** The URL path the files are served under; never collides with {@code /message-bus/<id>}. */
  static final String PATH = "/message-bus-assets/";

  /** The class-path folder the files are read from. */
  static final String RESOURCE_FOLDER = "META-INF/resources/message-bus-assets/";

  private static final Map<String, String> TYPES =
      Map.of(
          "message-bus.js", "text/javascript; charset=utf-8",
          "message-bus.mjs", "text/javascript; charset=utf-8",
          "message-bus.d.ts", "text/plain; charset=utf-8",
          "message-bus.d.mts", "text/plain; charset=utf-8");

  @SuppressWarnings("ArrayRecordComponent") // never compared nor hashed, only sent
  private record Asset(byte[] bytes, String etag) {}

  private final transient ClassLoader loader;
  private final transient Map<String, Asset> cache = new ConcurrentHashMap<>();

  AssetServlet(ClassLoader loader) {
    this.loader = loader;
  }

  /** An answer of the asset route, whatever carries it (the servlet, or the Jetty core handler). */
  @SuppressWarnings("ArrayRecordComponent") // never compared nor hashed, only sent
  record Reply(int status, Map<String, String> headers, byte[] body) {}

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Reply r =
        answer(
            req.getMethod(),
            req.getRequestURI().substring(req.getContextPath().length()),
            req.getHeader("If-None-Match"));
    resp.setStatus(r.status());
    r.headers().forEach(resp::setHeader);
    if (r.body().length > 0) {
      resp.getOutputStream().write(r.body());
    }
  }

  /** Answers a request for {@code path} (within the web application). */
  Reply answer(String method, String path, String ifNoneMatch) throws IOException {
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return plain(405, "method not allowed", Map.of("Allow", "GET, HEAD"));
    }
    String name = path.startsWith(PATH) ? path.substring(PATH.length()) : "";
    String type = TYPES.get(name);
    Asset asset = type == null ? null : load(name);
    if (asset == null) {
      return plain(404, "not found", Map.of());
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ETag", asset.etag());
    headers.put("Cache-Control", "no-cache");
    headers.put("X-Content-Type-Options", "nosniff");
    if (asset.etag().equals(ifNoneMatch)) {
      return new Reply(304, headers, new byte[0]);
    }
    headers.put("Content-Type", type);
    headers.put("Content-Length", Integer.toString(asset.bytes().length));
    return new Reply(200, headers, "GET".equals(method) ? asset.bytes() : new byte[0]);
  }

  private @Nullable Asset load(String name) throws IOException {
    Asset cached = cache.get(name);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = loader.getResourceAsStream(RESOURCE_FOLDER + name)) {
      if (in == null) {
        return null;
      }
      byte[] bytes = in.readAllBytes();
      String etag =
          "\""
              + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16)
              + "\"";
      Asset asset = new Asset(bytes, etag);
      cache.put(name, asset);
      return asset;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static Reply plain(int status, String body, Map<String, String> extra) {
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Content-Type", "text/plain; charset=utf-8");
    return new Reply(status, headers, body.getBytes(StandardCharsets.UTF_8));
  }
}
