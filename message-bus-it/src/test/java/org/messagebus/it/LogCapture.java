// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
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

  /** One captured line: level, logger, message and the first line of its throwable, if any. */
  record Line(String level, String logger, String thread, String message, String throwable) {
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
            t == null ? null : t.getClassName() + ": " + t.getMessage());
    synchronized (lines) {
      lines.add(line);
    }
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
