package org.messagebus.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * streaming, every message is sent as it arrives until the interval passes. Request bodies are read
 * with non-blocking I/O after {@code startAsync}, so a slow client holds no thread (the lookups run
 * first, on the request thread). Held polls are capped per identity (user, else client address):
 * past the cap a poll gets 429. Bad input gets a 4xx status with a one-line reason, never a 500,
 * and is logged at DEBUG at most (every failure is mapped in one place).
 *
 * <p>Routing follows the container: a request is the bus's when its normalised path (servlet path
 * and path info) is under the route; its raw path must then be plain (no dot or empty segments,
 * path parameters, or encoded dots and slashes), else 400.
 *
 * <p>The filter subscribes to the bus when constructed (unless the bus is off) and unsubscribes in
 * {@link #close()} / {@link #destroy()}, which also answer every held poll.
 */
public final class MessageBusFilter implements Filter, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusFilter.class);
  private static final AtomicBoolean WARNED_SYNC = new AtomicBoolean();

  private final MessageBus bus;
  private final HttpTransportOptions options;
  private final String prefix;
  private final ObjectMapper json;
  private final ConnectionManager manager;
  private final TimeoutWheel timeouts;
  private final Subscription subscription;
  private final DiagnosticsRoutes diagnostics;
  private final HeldPollLimits heldPollLimits;
  private final Failures failures = new Failures();

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
    this.heldPollLimits = new HeldPollLimits(options);
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
    Exchange x = new Exchange(req, resp);
    String rest;
    try {
      rest = busPath(req);
    } catch (BadRequestException e) {
      fail(x, e);
      return;
    }
    if (rest == null) {
      chain.doFilter(request, response);
      return;
    }
    try {
      handle(x, rest);
    } catch (Exception e) {
      fail(x, e);
    }
  }

  /**
   * The path after the bus prefix, or null when the request is not for the bus. The container's
   * normalised path (servlet path and path info: dot segments resolved, path parameters removed,
   * decoded) decides whether it is, so the bus answers exactly the requests the container maps to
   * its route, as security constraints and filters see them. Its raw form must then be plain, so
   * both views agree: it starts with the prefix and has no {@code .} or {@code ..} segment, no
   * empty segment ({@code //}), no {@code ;} path parameter, no backslash and no encoded dot, slash
   * or backslash; otherwise 400. The rest is returned raw (not decoded), as Ruby reads {@code
   * PATH_INFO}.
   */
  private String busPath(HttpServletRequest req) {
    String raw = req.getRequestURI();
    String context = req.getContextPath();
    if (context != null && raw.startsWith(context)) {
      raw = raw.substring(context.length());
    }
    String normalized;
    try {
      String info = req.getPathInfo();
      normalized = req.getServletPath() + (info == null ? "" : info);
    } catch (RuntimeException ambiguous) {
      normalized = null; // the container refuses to decode an ambiguous path: judge the raw one
    }
    if (!(normalized != null ? normalized : raw).startsWith(prefix)) {
      return null;
    }
    if (!raw.startsWith(prefix) || !isPlain(raw, prefix.length())) {
      throw new BadRequestException(
          400,
          "unsupported path: dot segments, empty segments, path parameters and encoded slashes"
              + " or dots are not accepted");
    }
    return raw.substring(prefix.length());
  }

  private static boolean isPlain(String raw, int from) {
    int segmentStart = from;
    for (int i = from; i <= raw.length(); i++) {
      char c = i < raw.length() ? raw.charAt(i) : '/';
      if (c == ';' || c == '\\') {
        return false;
      }
      if (c == '%' && i + 2 < raw.length()) {
        String code = raw.substring(i + 1, i + 3).toLowerCase(java.util.Locale.ROOT);
        if (code.equals("2e") || code.equals("2f") || code.equals("5c")) {
          return false;
        }
      }
      if (c == '/') {
        String segment = raw.substring(segmentStart, i);
        // An empty segment is allowed only at the very end (a trailing slash).
        if ((segment.isEmpty() && i < raw.length())
            || segment.equals(".")
            || segment.equals("..")) {
          return false;
        }
        segmentStart = i + 1;
      }
    }
    return true;
  }

  private void handle(Exchange x, String rest) throws IOException {
    HttpServletRequest req = x.req;
    HttpServletResponse resp = x.resp;
    if (DiagnosticsRoutes.matches(rest)) {
      diagnostics.handle(req, resp, prefix, rest);
      return;
    }
    if (options.allowBroadcast() && rest.equals("broadcast")) {
      broadcast(x);
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
    x.extra = extra;
    if ("OPTIONS".equals(req.getMethod())) {
      writeHeaders(req, resp, extra, Wire.JSON_CONTENT_TYPE);
      byte[] ok = "OK".getBytes(StandardCharsets.US_ASCII);
      resp.setContentLength(ok.length);
      resp.getOutputStream().write(ok);
      return;
    }
    // The lookups run here, on the request thread (they may read thread-bound state such as a
    // security context); the body may be read later, on a container callback.
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
    String identity = heldPollLimits.identityOf(req, userId);
    PollRequest forced = PollRequest.forced(req, options);
    if (forced != null) {
      poll(x, clientId, userId, groupIds, siteId, identity, forced);
      return;
    }
    String contentType = req.getHeader("Content-Type");
    FormData.charset(contentType, StandardCharsets.UTF_8); // 415 before reading anything
    withBody(
        x,
        body ->
            poll(
                x,
                clientId,
                userId,
                groupIds,
                siteId,
                identity,
                PollRequest.parse(body, contentType, options, json)));
  }

  /** Answers a poll whose channels are known: at once, or by holding it. */
  private void poll(
      Exchange x,
      String clientId,
      Object userId,
      List<Object> groupIds,
      String siteId,
      String identity,
      PollRequest poll)
      throws IOException {
    HttpServletRequest req = x.req;
    Client client = new Client(clientId, userId, groupIds, siteId, poll.seq, poll.channels, json);
    List<Message> backlog = client.backlog(bus);
    failures.backendAnswered();

    String query = req.getQueryString();
    boolean longPolling =
        options.longPollingEnabled()
            && (query == null || !query.contains("dlp=t"))
            && isListening()
            && manager.clientCount() < options.maxActiveClients()
            && req.isAsyncSupported();
    boolean chunked =
        options.chunkedEncodingEnabled()
            && "HTTP/1.1".equals(req.getProtocol())
            && req.getHeader("Dont-Chunk") == null;

    if ((!backlog.isEmpty() && !chunked) || !longPolling) {
      HttpServletResponse resp = x.out();
      writeHeaders(req, resp, x.extra, Wire.JSON_CONTENT_TYPE);
      byte[] body = Wire.json(json, backlog);
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
      return;
    }
    Runnable release = heldPollLimits.acquire(identity, clientId);
    AsyncContext ac;
    try {
      ac = x.async != null ? x.async : startAsync(x);
      ac.addListener(new ReleaseWhenDone(release));
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    x.held = true;
    hold(ac, req, x.resp, client, backlog, x.extra, chunked);
  }

  /**
   * Reads the request body without blocking a thread, then hands it on (see {@link BodyReader}).
   */
  private void withBody(Exchange x, BodyHandler next) throws IOException {
    long declared = x.req.getContentLengthLong();
    int max = options.maxBodyBytes();
    if (declared > max) {
      throw BodyReader.tooLarge(max);
    }
    if (declared == 0) {
      next.accept(new byte[0]);
      return;
    }
    if (!x.req.isAsyncSupported()) {
      // Mounted without async support: no held polls either. Read as before, and say so once.
      if (WARNED_SYNC.compareAndSet(false, true)) {
        LOG.warn(
            "the message-bus filter is mounted without async support: request bodies are read"
                + " with blocking I/O and polls are never held; set asyncSupported=true on it and"
                + " on every filter in front of it");
      }
      byte[] body = x.req.getInputStream().readNBytes(max + 1);
      if (body.length > max) {
        throw BodyReader.tooLarge(max);
      }
      next.accept(body);
      return;
    }
    startAsync(x);
    BodyReader.start(
        x.req.getInputStream(),
        max,
        declared,
        new BodyReader.Sink() {
          @Override
          public void body(byte[] body) {
            try {
              next.accept(body);
              if (!x.held) {
                x.async.complete();
              }
            } catch (Exception | LinkageError e) {
              fail(x, e);
            }
          }

          @Override
          public void failed(Throwable failure) {
            fail(x, failure);
          }
        });
  }

  private static AsyncContext startAsync(Exchange x) {
    AsyncContext ac = x.req.startAsync();
    ac.setTimeout(0); // held polls have their own timeout; the body read has the container's
    x.async = ac;
    return ac;
  }

  /** Continues with a request body once it is in. */
  @FunctionalInterface
  private interface BodyHandler {
    void accept(byte[] body) throws IOException;
  }

  /** Gives a held poll's per-identity slot back when its exchange ends, however it ends. */
  private static final class ReleaseWhenDone implements AsyncListener {
    private final Runnable release;

    ReleaseWhenDone(Runnable release) {
      this.release = release;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      release.run();
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }

  /**
   * One bus request on its way from the request thread to container callbacks: the body read and
   * the answer may happen on another thread (the container orders them).
   */
  private static final class Exchange {
    final HttpServletRequest req;
    final HttpServletResponse resp;
    // Set once the request went async (to read its body or to hold it).
    AsyncContext async;
    // The response belongs to a held poll's Client from then on.
    boolean held;
    // The extra response headers, once looked up (on the request thread).
    Map<String, String> extra;

    Exchange(HttpServletRequest req, HttpServletResponse resp) {
      this.req = req;
      this.resp = resp;
    }

    /**
     * Where an answer goes: the filter's response, or once async the exchange's own (upstream
     * wrappers have returned by then and would not pass the bytes on).
     */
    HttpServletResponse out() {
      return async != null ? (HttpServletResponse) async.getResponse() : resp;
    }
  }

  private void hold(
      AsyncContext ac,
      HttpServletRequest req,
      HttpServletResponse resp,
      Client client,
      List<Message> backlog,
      Map<String, String> extra,
      boolean streaming)
      throws IOException {
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

  /**
   * The debug broadcast route (SPEC §4.10). Its parameters are parsed here, strictly, not by the
   * container: the query, then a form body; the first value of a name wins, as with {@code
   * getParameter}.
   */
  private void broadcast(Exchange x) throws IOException {
    int maxFields = options.maxChannels() + 1;
    List<FormData.Field> query = FormData.parseQuery(x.req.getQueryString(), maxFields);
    String contentType = x.req.getHeader("Content-Type");
    if (!FormData.mediaType(contentType).equals("application/x-www-form-urlencoded")) {
      publishBroadcast(x, query, List.of());
      return;
    }
    Charset charset = FormData.charset(contentType, StandardCharsets.UTF_8);
    withBody(
        x,
        body ->
            publishBroadcast(x, query, FormData.parse(body, charset, maxFields, "the form body")));
  }

  private void publishBroadcast(Exchange x, List<FormData.Field> query, List<FormData.Field> form)
      throws IOException {
    String channel = parameter("channel", query, form);
    String data = parameter("data", query, form);
    if (channel == null || channel.isEmpty()) {
      throw new BadRequestException(400, "broadcast needs a channel parameter");
    }
    if (channel.contains("$|$")) {
      throw new BadRequestException(400, "invalid channel name: " + Reasons.echo(channel));
    }
    bus.publish(channel, data);
    failures.backendAnswered();
    HttpServletResponse resp = x.out();
    resp.setStatus(200);
    resp.setContentType("text/html");
    resp.getOutputStream().write("sent".getBytes(StandardCharsets.US_ASCII));
  }

  /** The first value of a parameter: from the query, else the form; "" for a name without "=". */
  private static String parameter(
      String name, List<FormData.Field> query, List<FormData.Field> form) {
    for (List<FormData.Field> fields : List.of(query, form)) {
      for (FormData.Field f : fields) {
        if (f.key().equals(name)) {
          return f.value() == null ? "" : f.value();
        }
      }
    }
    return null;
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

  /**
   * Ends a failed bus request: {@link Failures} decides the status, the reason and the log level
   * (the one place that does); the reply keeps the extra headers (CORS: without them a cross-origin
   * browser sees status 0 instead of the 4xx/5xx and its reason); {@code onMiddlewareError} may
   * choose another reply for a server-side failure. A held poll's response belongs to its client:
   * it is only completed.
   */
  private void fail(Exchange x, Throwable e) {
    Failures.Reply reply = failures.handle(e);
    if (!x.held && reply != null) {
      HttpServletRequest req = x.req;
      Map<String, String> headers =
          new LinkedHashMap<>(x.extra != null ? x.extra : extraHeadersOrNone(req));
      int status = reply.status();
      String body = reply.reason();
      headers.putAll(reply.headers());
      MiddlewareErrorHandler handler = options.onMiddlewareError();
      if (reply.serverSide() && handler != null && e instanceof Exception error) {
        MiddlewareErrorHandler.ErrorResponse custom;
        try {
          custom = handler.handle(req, error);
        } catch (RuntimeException handlerFailure) {
          LOG.warn("onMiddlewareError failed", handlerFailure);
          custom = null;
        }
        if (custom != null) {
          headers = new LinkedHashMap<>(x.extra != null ? x.extra : extraHeadersOrNone(req));
          headers.putAll(custom.headers());
          status = custom.status();
          body = custom.body();
        }
      }
      try {
        sendPlain(x.out(), status, body, headers);
      } catch (IOException | RuntimeException unsent) {
        LOG.debug("could not answer a failed message-bus request: {}", unsent.toString());
      }
    }
    if (x.async != null) {
      try {
        x.async.complete();
      } catch (IllegalStateException alreadyCompleted) {
        // completed by the client's own error handling, or by the container
      }
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
    if (status == 413 || status == 408) {
      // The body was not (all) read: tell the client not to reuse this connection.
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
