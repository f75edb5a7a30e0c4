// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures, in-process, the log lines of the server under test that a client must never be able to
 * cause: every ERROR, and every WARN that carries a stack trace. Installed on the root logger of
 * Logback (the SLF4J provider of this module), so Jetty's, Lettuce's and the bus's loggers are all
 * covered. Thread-safe.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  /** The server's buffer pool guard (message-bus-servlet), whose count refuses a second release. */
  private static final String GUARD = "org.messagebus.servlet.GuardedBufferPool";

  // DeadlineConnection's read callback, registered when a held poll's connection waits for its
  // next request in place: it only calls Jetty's onFillable
  private static final String RESUMED_READ =
      "org.messagebus.servlet.DeadlineHttpConnectionFactory$DeadlineConnection$1.";

  /** What the server logs when Jetty closes a connection on a failure of its own handling. */
  static final String CLOSED_BY_FAILURE = "HTTP connection closed by a failure in the server";

  /** One captured line: level, logger, message and the first line of its throwable, if any. */
  record Line(
      String level,
      String logger,
      String thread,
      String message,
      String throwable,
      List<String> frames) {

    /**
     * Whether this is Jetty's own double release of a pooled buffer (jetty/jetty.project#12939,
     * open on 12.1.14): a WARN of an {@code IllegalStateException "already released ..."} thrown
     * with only Jetty's and the JDK's frames on the stack — no frame of the bus, so the bus's code
     * did not take part in it. Seen on both adapters: on the Servlet adapter once in several
     * hundred fuzz runs; on the Jetty core adapter, in {@code HttpConnection.onFillable}'s failure
     * path, a few times in a hundred runs after the adapter stopped parsing a body on a worker
     * while the I/O thread still worked on the connection (which made it, and requests left
     * unanswered, about one run in eight). Behind the server's pool guard ({@code
     * GuardedBufferPool}, whose own count per acquisition now refuses the second release) the
     * exception is the guard's and its frames are on the stack: they count as Jetty's, being where
     * Jetty's release lands; any other frame of the bus does not.
     *
     * <p>The same race also shows as a connection Jetty closes on a failure of its own request
     * handling ({@code onFillable} catches it; the server logs it as {@value #CLOSED_BY_FAILURE}):
     * a {@code NullPointerException} in {@code fillRequestBuffer} or a failed assertion in {@code
     * onFillable} (the fuzzers run with assertions on) when the thread answering a refused request
     * and the one that parsed it touch the connection's request buffer at once; the same two
     * exceptions may surface in a job of Jetty's thread pool instead ({@code Job failed}). Counted
     * as Jetty's when, again, no frame but Jetty's, the JDK's and the guard's is on the stack.
     */
    boolean isJettysOwnBufferRace() {
      return level.equals("WARN")
          && throwable != null
          && (throwable.startsWith("java.lang.IllegalStateException: already released")
              || throwable.startsWith("java.lang.NullPointerException")
              || throwable.startsWith("java.lang.AssertionError")
              || message.startsWith(CLOSED_BY_FAILURE))
          && !frames.isEmpty()
          && frames.stream()
              .allMatch(
                  f ->
                      f.startsWith("org.eclipse.jetty.")
                          || f.startsWith("java.")
                          || f.startsWith(GUARD)
                          // the connection's read callback after a held poll: Jetty's onFillable
                          || f.startsWith(RESUMED_READ));
    }

    /** The line without its thread name. */
    String withoutThread() {
      return level + " " + logger + " - " + message + (throwable == null ? "" : " :: " + throwable);
    }

    @Override
    public String toString() {
      return level
          + " ["
          + thread
          + "] "
          + logger
          + " - "
          + message
          + (throwable == null ? "" : " :: " + throwable);
    }
  }

  private final List<Line> lines = new ArrayList<>();

  private LogCapture() {}

  /** Starts capturing on the root logger. */
  static LogCapture install() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCapture capture = new LogCapture();
    capture.setContext(context);
    capture.setName("log-capture");
    capture.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    return capture;
  }

  @Override
  protected void append(ILoggingEvent event) {
    boolean error = event.getLevel().isGreaterOrEqual(Level.ERROR);
    boolean warnWithTrace = event.getLevel() == Level.WARN && event.getThrowableProxy() != null;
    if (!error && !warnWithTrace) {
      return;
    }
    IThrowableProxy t = event.getThrowableProxy();
    Line line =
        new Line(
            event.getLevel().toString(),
            event.getLoggerName(),
            event.getThreadName(),
            event.getFormattedMessage(),
            t == null ? null : t.getClassName() + ": " + t.getMessage(),
            frames(t));
    synchronized (lines) {
      lines.add(line);
    }
  }

  /** The frames of a throwable and of its causes, class and method only (e.g. {@code a.B.c}). */
  private static List<String> frames(IThrowableProxy t) {
    List<String> frames = new ArrayList<>();
    for (IThrowableProxy p = t; p != null && frames.size() < 200; p = p.getCause()) {
      for (StackTraceElementProxy e : p.getStackTraceElementProxyArray()) {
        StackTraceElement el = e.getStackTraceElement();
        frames.add(el.getClassName() + "." + el.getMethodName());
      }
    }
    return List.copyOf(frames);
  }

  /** The number of lines captured so far (a mark for {@link #since}). */
  int mark() {
    synchronized (lines) {
      return lines.size();
    }
  }

  /** The lines captured after a mark. */
  List<Line> since(int mark) {
    synchronized (lines) {
      return new ArrayList<>(lines.subList(Math.min(mark, lines.size()), lines.size()));
    }
  }

  /** Every line captured so far. */
  List<Line> all() {
    return since(0);
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
    stop();
  }
}
