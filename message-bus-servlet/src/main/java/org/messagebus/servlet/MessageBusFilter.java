package org.messagebus.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.messagebus.BackendException;
import org.messagebus.JsonTransportCodec;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message_bus HTTP subscriber endpoint (SPEC §4–5) as an async-supported Jakarta Servlet
 * filter: mount it on {@code /*} (after authentication filters, so the lookups can see the user)
 * with {@code asyncSupported=true}. Requests under {@code <baseRoute>message-bus/} are answered
 * here; every other request passes through untouched. The filter never creates an HTTP session.
 *
 * <pre>{@code
 * MessageBusFilter filter = new MessageBusFilter(bus, HttpTransportOptions.builder()
 *     .userIdLookup(req -> currentUserId(req))
 *     .build());
 * FilterRegistration.Dynamic reg = servletContext.addFilter("message-bus", filter);
 * reg.setAsyncSupported(true);
 * reg.addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>A poll with something to say is answered at once. Otherwise it is held without a thread
 * (Servlet async with non-blocking output) until a permitted message arrives, the long-polling
 * interval passes (answered {@code []}), or a newer poll of the same client replaces it; with
 * streaming, every message is sent as it arrives until the interval passes. Bad input gets a 4xx
 * status with a one-line reason, never a 500.
 *
 * <p>The filter subscribes to the bus when constructed (unless the bus is off) and unsubscribes in
 * {@link #close()} / {@link #destroy()}, which also answer every held poll.
 */
public final class MessageBusFilter implements Filter, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusFilter.class);

  private final MessageBus bus;
  private final HttpTransportOptions options;
  private final String prefix;
  private final ObjectMapper json;
  private final ConnectionManager manager;
  private final TimeoutWheel timeouts;
  private final Subscription subscription;
  private final DiagnosticsRoutes diagnostics;

  /**
   * Creates the endpoint with default options.
   *
   * @param bus the bus to serve
   */
  public MessageBusFilter(MessageBus bus) {
    this(bus, HttpTransportOptions.defaults());
  }

  /**
   * Creates the endpoint.
   *
   * @param bus the bus to serve
   * @param options routes, modes, lookups and limits
   */
  public MessageBusFilter(MessageBus bus, HttpTransportOptions options) {
    this.bus = bus;
    this.options = options;
    this.prefix = options.baseRoute() + "message-bus/";
    this.json =
        bus.codec() instanceof JsonTransportCodec codec
            ? codec.mapper()
            : JsonTransportCodec.defaultMapper();
    this.manager = new ConnectionManager(bus, json, options.fanOutThreads());
    this.diagnostics = new DiagnosticsRoutes(bus, options);
    this.timeouts =
        new TimeoutWheel(
            options.longPollingInterval(),
            client -> {
              client.close();
              manager.remove(client);
            });
    this.subscription = bus.isOff() ? null : bus.subscribeAll(manager::notify);
  }

  /**
   * Tells whether the filter listens to the bus (false when the bus was off at construction).
   *
   * @return true when live messages reach held polls
   */
  public boolean isListening() {
    return subscription != null && subscription.isActive();
  }

  /**
   * Returns the number of polls held right now.
   *
   * @return the count
   */
  public int heldPolls() {
    return manager.clientCount();
  }

  ConnectionManager connectionManager() {
    return manager;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest req)
        || !(response instanceof HttpServletResponse resp)) {
      chain.doFilter(request, response);
      return;
    }
    String path = req.getRequestURI().substring(req.getContextPath().length());
    if (!path.startsWith(prefix)) {
      chain.doFilter(request, response);
      return;
    }
    try {
      handle(req, resp, path.substring(prefix.length()));
    } catch (Exception e) {
      fail(req, resp, e);
    }
  }

  private void handle(HttpServletRequest req, HttpServletResponse resp, String rest)
      throws IOException {
    if (DiagnosticsRoutes.matches(rest)) {
      diagnostics.handle(req, resp, prefix, rest);
      return;
    }
    if (options.allowBroadcast() && rest.equals("broadcast")) {
      broadcast(req, resp);
      return;
    }
    int slash = rest.indexOf('/');
    String clientId = slash < 0 ? rest : rest.substring(0, slash);
    if (clientId.isEmpty()) {
      resp.setStatus(404);
      resp.getOutputStream().write("not found".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    if (clientId.length() > options.maxClientIdLength()) {
      throw new BadRequestException(
          400, "client id too long: at most " + options.maxClientIdLength() + " characters");
    }
    Map<String, String> extra = extraHeaders(req);
    if ("OPTIONS".equals(req.getMethod())) {
      writeHeaders(req, resp, extra, Wire.JSON_CONTENT_TYPE);
      byte[] ok = "OK".getBytes(StandardCharsets.US_ASCII);
      resp.setContentLength(ok.length);
      resp.getOutputStream().write(ok);
      return;
    }
    Object userId =
        options.userIdLookup() == null
            ? null
            : Permissions.normalizeId(options.userIdLookup().apply(req));
    List<Object> groupIds = new ArrayList<>();
    if (options.groupIdsLookup() != null) {
      List<?> groups = options.groupIdsLookup().apply(req);
      if (groups != null) {
        groups.forEach(g -> groupIds.add(Permissions.normalizeId(g)));
      }
    }
    String siteId =
        options.siteIdLookup() != null ? options.siteIdLookup().apply(req) : bus.currentSiteId();
    PollRequest poll = PollRequest.read(req, options, json);
    Client client = new Client(clientId, userId, groupIds, siteId, poll.seq, poll.channels, json);
    List<Message> backlog = client.backlog(bus);

    String query = req.getQueryString();
    boolean longPolling =
        options.longPollingEnabled()
            && (query == null || !query.contains("dlp=t"))
            && isListening()
            && manager.clientCount() < options.maxActiveClients();
    boolean chunked =
        options.chunkedEncodingEnabled()
            && "HTTP/1.1".equals(req.getProtocol())
            && req.getHeader("Dont-Chunk") == null;

    if ((!backlog.isEmpty() && !chunked) || !longPolling) {
      writeHeaders(req, resp, extra, Wire.JSON_CONTENT_TYPE);
      byte[] body = Wire.json(json, backlog);
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
      return;
    }
    hold(req, resp, client, backlog, extra, chunked);
  }

  private void hold(
      HttpServletRequest req,
      HttpServletResponse resp,
      Client client,
      List<Message> backlog,
      Map<String, String> extra,
      boolean streaming)
      throws IOException {
    AsyncContext ac = req.startAsync();
    ac.setTimeout(0);
    writeHeaders(req, resp, extra, null);
    boolean framed = false;
    if (streaming) {
      ExactContentType.set(req, resp, Wire.STREAM_CONTENT_TYPE);
      // Each piece one complete chunk, as Ruby sends it (SPEC §4.12), whatever the request says.
      framed = StreamFraming.prepare(req, resp);
      resp.setHeader("X-Content-Type-Options", "nosniff");
      resp.setHeader("X-Accel-Buffering", "no");
    } else {
      resp.setHeader("Connection", "close");
      ExactContentType.set(req, resp, Wire.JSON_CONTENT_TYPE);
    }
    Map<String, Long> delivered = client.positionsAfter(backlog);
    client.hold(ac, streaming, framed, backlog, () -> manager.remove(client));
    if (!manager.add(client)) {
      client.close();
      return;
    }
    try {
      client.goLive(caughtUp(client, delivered), delivered);
    } catch (RuntimeException e) {
      LOG.warn("poll of client {} could not catch up: {}", client.id, e.toString());
      client.goLive(List.of(), delivered);
    }
    if (client.isClosed()) {
      manager.remove(client);
      return;
    }
    client.timeout(timeouts, System.nanoTime() + options.longPollingInterval().toNanos());
    client.watch(() -> Disconnects.watch(req, resp, client::gone));
  }

  /**
   * Reads what was published between the backlog read and the registration, so that nothing falls
   * between the two.
   */
  private List<Message> caughtUp(Client client, Map<String, Long> delivered) {
    List<String> channels = new ArrayList<>(client.subscriptions.keySet());
    if (channels.isEmpty()) {
      return List.of();
    }
    Map<String, Long> current = bus.lastIds(channels, client.siteId);
    List<Message> missed = new ArrayList<>();
    for (String channel : channels) {
      long had = delivered.getOrDefault(channel, 0L);
      if (current.get(channel) > had) {
        for (Message m : bus.backlog(channel, Math.max(0, had), client.siteId)) {
          if (m.messageId() > had && Permissions.allowed(bus, client, m)) {
            missed.add(m);
          }
        }
      }
    }
    missed.sort(Comparator.comparingLong(Message::globalId));
    return missed;
  }

  private void broadcast(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String channel = req.getParameter("channel");
    String data = req.getParameter("data");
    if (channel == null || channel.isEmpty()) {
      throw new BadRequestException(400, "broadcast needs a channel parameter");
    }
    if (channel.contains("$|$")) {
      throw new BadRequestException(
          400, "invalid channel name: " + PollRequest.abbreviate(channel));
    }
    bus.publish(channel, data);
    resp.setStatus(200);
    resp.setContentType("text/html");
    resp.getOutputStream().write("sent".getBytes(StandardCharsets.US_ASCII));
  }

  private Map<String, String> extraHeaders(HttpServletRequest req) {
    if (options.extraResponseHeadersLookup() == null) {
      return Map.of();
    }
    Map<String, String> extra = options.extraResponseHeadersLookup().apply(req);
    return extra == null ? Map.of() : new LinkedHashMap<>(extra);
  }

  private static void writeHeaders(
      HttpServletRequest req,
      HttpServletResponse resp,
      Map<String, String> extra,
      String contentType) {
    resp.setStatus(200);
    resp.setHeader("Cache-Control", "must-revalidate, private, max-age=0");
    if (contentType != null) {
      ExactContentType.set(req, resp, contentType);
    }
    resp.setHeader("Pragma", "no-cache");
    resp.setHeader("Expires", "0");
    extra.forEach(resp::setHeader);
  }

  private void fail(HttpServletRequest req, HttpServletResponse resp, Exception e)
      throws IOException {
    if (req.isAsyncStarted()) {
      // Headers may be out already: end the exchange rather than leave it hanging.
      LOG.warn("held poll failed", e);
      try {
        req.getAsyncContext().complete();
      } catch (IllegalStateException alreadyCompleted) {
        // completed by the client's own error handling
      }
      return;
    }
    // Error replies keep the extra headers (CORS): without them a cross-origin browser sees
    // status 0 instead of the 4xx/5xx and its reason.
    Map<String, String> extra = extraHeadersOrNone(req);
    if (options.onMiddlewareError() != null && !(e instanceof BadRequestException)) {
      MiddlewareErrorHandler.ErrorResponse custom;
      try {
        custom = options.onMiddlewareError().handle(req, e);
      } catch (RuntimeException handlerFailure) {
        LOG.warn("onMiddlewareError failed", handlerFailure);
        custom = null;
      }
      if (custom != null) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.putAll(custom.headers());
        sendPlain(resp, custom.status(), custom.body(), headers);
        return;
      }
    }
    if (e instanceof BadRequestException bad) {
      LOG.debug("bad message-bus request: {}", bad.getMessage());
      sendPlain(resp, bad.status, bad.getMessage(), extra);
    } else if (e instanceof BackendException) {
      LOG.warn("message-bus backend failed", e);
      sendPlain(resp, 503, "message bus backend unavailable", extra);
    } else if (e instanceof IOException) {
      LOG.debug("message-bus request I/O failed: {}", e.toString());
    } else {
      LOG.error("message-bus request failed", e);
      sendPlain(resp, 500, "internal error", extra);
    }
  }

  /** The extra headers for an error reply; none if the lookup itself fails. */
  private Map<String, String> extraHeadersOrNone(HttpServletRequest req) {
    try {
      return extraHeaders(req);
    } catch (RuntimeException lookupFailure) {
      LOG.debug("extraResponseHeadersLookup failed while answering an error", lookupFailure);
      return Map.of();
    }
  }

  /** Answers with a one-line plain-text body (and extra headers), unless already committed. */
  static void sendPlain(
      HttpServletResponse resp, int status, String body, Map<String, String> headers)
      throws IOException {
    if (resp.isCommitted()) {
      return;
    }
    resp.reset();
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    headers.forEach(resp::setHeader);
    if (status == 413) {
      // The body was not read: tell the client not to reuse this connection.
      resp.setHeader("Connection", "close");
    }
    byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  /** Stops listening to the bus and answers every held poll. Idempotent. */
  @Override
  public void close() {
    if (subscription != null) {
      subscription.unsubscribe();
    }
    manager.closeAll();
    timeouts.close();
  }

  @Override
  public void destroy() {
    close();
  }
}
