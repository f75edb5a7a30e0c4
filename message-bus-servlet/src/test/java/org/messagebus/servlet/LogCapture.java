// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what is logged while it is open. The tests log through slf4j-simple, which writes every
 * line (and a throwable's stack trace) to the {@code System.err} of the moment; this puts a tee in
 * front of it, so the lines still reach the console. Levels below the configured ones
 * (simplelogger.properties: WARN, INFO for the filter) are not printed and so not captured.
 */
final class LogCapture implements AutoCloseable {

  private final PrintStream original;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private LogCapture() {
    this.original = System.err;
    OutputStream tee =
        new OutputStream() {
          @Override
          public void write(int b) {
            synchronized (captured) {
              captured.write(b);
            }
            original.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (captured) {
              captured.write(b, off, len);
            }
            original.write(b, off, len);
          }

          @Override
          public void flush() {
            original.flush();
          }
        };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  static LogCapture start() {
    return new LogCapture();
  }

  /** Every line logged so far. */
  List<String> lines() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
  }

  /** The lines of one level ({@code "WARN"}, {@code "ERROR"}, ...) from our packages. */
  List<String> at(String level) {
    return lines().stream().filter(l -> l.contains(" " + level + " org.messagebus.")).toList();
  }

  /** The lines that belong to a stack trace. */
  List<String> stackTraceLines() {
    return lines().stream()
        .filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"))
        .toList();
  }

  @Override
  public void close() {
    System.err.flush();
    System.setErr(original);
  }
}
