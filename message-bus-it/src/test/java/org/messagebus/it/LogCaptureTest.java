// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which captured lines the fuzzers may take for Jetty's own double release (#12939). */
class LogCaptureTest {

  private static final Logger LOG = LoggerFactory.getLogger("org.eclipse.jetty.test");

  private static IllegalStateException released(StackTraceElement... frames) {
    IllegalStateException e =
        new IllegalStateException("already released oeji.Retainable$ReferenceCounter@1[rc=0]");
    e.setStackTrace(frames);
    return e;
  }

  private static NullPointerException npe(String message, StackTraceElement... frames) {
    NullPointerException e = new NullPointerException(message);
    e.setStackTrace(frames);
    return e;
  }

  private static StackTraceElement frame(String className, String method) {
    return new StackTraceElement(className, method, null, -1);
  }

  private static List<LogCapture.Line> logged(Throwable t) {
    try (LogCapture capture = LogCapture.install()) {
      LOG.warn("Job failed", t);
      return capture.all();
    }
  }

  @Test
  void jettyOnlyStack_isJettysDoubleRelease() {
    List<LogCapture.Line> lines =
        logged(
            released(
                frame("org.eclipse.jetty.io.Retainable$ReferenceCounter", "release"),
                frame("org.eclipse.jetty.server.internal.HttpConnection", "releaseRequestBuffer"),
                frame("java.lang.Thread", "run")));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).isJettysOwnBufferRace()).isTrue();
  }

  @Test
  void theGuardsRefusal_ofJettysSecondRelease_isJettysDoubleRelease() {
    IllegalStateException e =
        released(
            frame("org.messagebus.servlet.GuardedBufferPool$Once", "release"),
            frame("org.eclipse.jetty.io.RetainableByteBuffer$FixedCapacity", "release"),
            frame("org.eclipse.jetty.server.internal.HttpConnection", "releaseRequestBuffer"),
            frame("java.lang.Thread", "run"));
    assertThat(logged(e).get(0).isJettysOwnBufferRace()).isTrue();
  }

  @Test
  void theGuardWithAnotherFrameOfTheBus_isNotJettysAlone() {
    IllegalStateException e =
        released(
            frame("org.messagebus.servlet.GuardedBufferPool$Once", "release"),
            frame("org.messagebus.servlet.JettyCoreExchange", "complete"),
            frame("java.lang.Thread", "run"));
    assertThat(logged(e).get(0).isJettysOwnBufferRace()).isFalse();
  }

  @Test
  void aFrameOfTheBus_isNotJettysAlone() {
    List<LogCapture.Line> lines =
        logged(
            released(
                frame("org.eclipse.jetty.io.Retainable$ReferenceCounter", "release"),
                frame("org.messagebus.servlet.JettyCoreExchange", "complete"),
                frame("java.lang.Thread", "run")));
    assertThat(lines.get(0).isJettysOwnBufferRace()).isFalse();
  }

  @Test
  void anotherException_isNotJettysDoubleRelease() {
    IllegalStateException other = new IllegalStateException("something else");
    other.setStackTrace(new StackTraceElement[] {frame("org.eclipse.jetty.io.X", "y")});
    assertThat(logged(other).get(0).isJettysOwnBufferRace()).isFalse();
  }

  private static List<LogCapture.Line> closedByFailure(Throwable t) {
    try (LogCapture capture = LogCapture.install()) {
      LoggerFactory.getLogger("org.messagebus.servlet.MessageBusServer")
          .warn(LogCapture.CLOSED_BY_FAILURE, t);
      return capture.all();
    }
  }

  @Test
  void aConnectionClosedOnJettysOwnRace_isJettysDoubleRelease() {
    NullPointerException npe =
        npe(
            "Cannot invoke getByteBuffer() because _requestBuffer is null",
            frame("org.eclipse.jetty.server.internal.HttpConnection", "fillRequestBuffer"),
            frame("org.eclipse.jetty.server.internal.HttpConnection", "onFillable"),
            frame("java.lang.Thread", "run"));
    assertThat(closedByFailure(npe).get(0).isJettysOwnBufferRace()).isTrue();
  }

  @Test
  void aConnectionClosedOnAFailureWithAFrameOfTheBus_isNotJettysAlone() {
    NullPointerException npe =
        npe(
            "ours",
            frame("org.messagebus.servlet.JettyCoreExchange", "readBody"),
            frame("org.eclipse.jetty.server.internal.HttpConnection", "onFillable"));
    assertThat(closedByFailure(npe).get(0).isJettysOwnBufferRace()).isFalse();
  }

  @Test
  void jettysRaceSurfacingInAPoolJob_isJettysDoubleRelease() {
    NullPointerException npe =
        npe(
            "_requestBuffer is null",
            frame("org.eclipse.jetty.server.internal.HttpConnection", "fillRequestBuffer"),
            frame("org.eclipse.jetty.util.thread.QueuedThreadPool", "runJob"));
    assertThat(logged(npe).get(0).isJettysOwnBufferRace()).isTrue();
    NullPointerException ours =
        npe(
            "ours",
            frame("org.messagebus.http.HttpEngine", "poll"),
            frame("org.eclipse.jetty.util.thread.QueuedThreadPool", "runJob"));
    assertThat(logged(ours).get(0).isJettysOwnBufferRace()).isFalse();
  }
}
