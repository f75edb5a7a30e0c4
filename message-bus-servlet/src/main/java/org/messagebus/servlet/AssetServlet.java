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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

  private record Asset(byte[] bytes, String etag) {}

  private final transient ClassLoader loader;
  private final transient Map<String, Asset> cache = new ConcurrentHashMap<>();

  AssetServlet(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String method = req.getMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      resp.setHeader("Allow", "GET, HEAD");
      plain(resp, 405, "method not allowed");
      return;
    }
    String path = req.getRequestURI().substring(req.getContextPath().length());
    String name = path.startsWith(PATH) ? path.substring(PATH.length()) : "";
    String type = TYPES.get(name);
    Asset asset = type == null ? null : load(name);
    if (asset == null) {
      plain(resp, 404, "not found");
      return;
    }
    resp.setHeader("ETag", asset.etag());
    resp.setHeader("Cache-Control", "no-cache");
    resp.setHeader("X-Content-Type-Options", "nosniff");
    if (asset.etag().equals(req.getHeader("If-None-Match"))) {
      resp.setStatus(304);
      return;
    }
    resp.setStatus(200);
    resp.setContentType(type);
    resp.setContentLength(asset.bytes().length);
    if ("GET".equals(method)) {
      resp.getOutputStream().write(asset.bytes());
    }
  }

  private Asset load(String name) throws IOException {
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

  private static void plain(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
