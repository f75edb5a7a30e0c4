// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.testkit.ForwardingBackend;

/**
 * A backend outage is answered 503 with a reason and logged once per outage (not a stack trace per
 * poll); the endpoint recovers with the backend. A closed bus is a 503 too, not a 500 with an
 * ERROR.
 */
class BackendOutageTest {

  /** A memory backend whose reads fail while {@link #down} is set. */
  static final class FlakyBackend extends ForwardingBackend {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicBoolean closing = new AtomicBoolean();

    private void check() {
      if (closing.get()) {
        // What reads on a closed bus throw (issue 11, item 6).
        throw new BusClosedException("cannot read: the message bus is closed");
      }
      if (down.get()) {
        throw new BackendException("store unreachable (simulated)");
      }
    }

    @Override
    public long publish(String channel, String payload, BackendPublishOptions options) {
      check();
      return delegate.publish(channel, payload, options);
    }

    @Override
    public long lastId(String channel) {
      check();
      return delegate.lastId(channel);
    }

    @Override
    public long[] lastIds(List<String> channels) {
      check();
      return delegate.lastIds(channels);
    }

    @Override
    public List<BackendMessage> backlog(String channel, long lastId) {
      check();
      return delegate.backlog(channel, lastId);
    }
  }

  @Test
  void outage_is503WithReason_thenServiceResumes() throws Exception {
    FlakyBackend backend = new FlakyBackend();
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    try (ServerFixture f = new ServerFixture(bus, HttpTransportOptions.builder().build())) {
      bus.publish("/foo", "before");
      backend.down.set(true);

      HttpResponse<String> during = f.poll("/message-bus/abc/poll?dlp=t", "/foo=0");

      assertThat(during.statusCode()).isEqualTo(503);
      assertThat(during.body()).isEqualTo("message bus backend unavailable");

      backend.down.set(false);
      assertThat(f.pollNow("abc", "/foo=0"))
          .extracting(m -> m.get("data"))
          .containsExactly("before");
    }
  }

  @Test
  void outage_logsOneWarnPerOutage_withoutStackTraces_andOneInfoWhenItEnds() throws Exception {
    FlakyBackend backend = new FlakyBackend();
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    try (ServerFixture f = new ServerFixture(bus, HttpTransportOptions.builder().build());
        LogCapture log = LogCapture.start()) {
      backend.down.set(true);
      for (int i = 0; i < 5; i++) {
        assertThat(f.poll("/message-bus/abc/poll?dlp=t", "/foo=0").statusCode()).isEqualTo(503);
      }
      backend.down.set(false);
      assertThat(f.poll("/message-bus/abc/poll?dlp=t", "/foo=0").statusCode()).isEqualTo(200);
      assertThat(f.poll("/message-bus/abc/poll?dlp=t", "/foo=0").statusCode()).isEqualTo(200);
      backend.down.set(true);
      for (int i = 0; i < 3; i++) {
        assertThat(f.poll("/message-bus/abc/poll?dlp=t", "/foo=0").statusCode()).isEqualTo(503);
      }

      assertThat(log.at("WARN"))
          .hasSize(2)
          .allSatisfy(l -> assertThat(l).contains("backend unavailable"));
      assertThat(log.at("INFO")).singleElement().asString().contains("answers again");
      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }
  }

  @Test
  void pollWhileTheBusCloses_is503_withoutAnErrorLog() throws Exception {
    FlakyBackend backend = new FlakyBackend();
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    try (ServerFixture f = new ServerFixture(bus, HttpTransportOptions.builder().build());
        LogCapture log = LogCapture.start()) {
      backend.closing.set(true);

      HttpResponse<String> r = f.poll("/message-bus/abc/poll?dlp=t", "/foo=0");

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("message bus is closed");
      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.at("WARN")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }
  }

  @Test
  void broadcastToAClosedBus_is503_withoutAnErrorLog() throws Exception {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    try (ServerFixture f =
            new ServerFixture(bus, HttpTransportOptions.builder().allowBroadcast(true).build());
        LogCapture log = LogCapture.start()) {
      bus.close();

      HttpResponse<String> r = f.poll("/message-bus/broadcast", "channel=%2Fa&data=x");

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("message bus is closed");
      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }
  }
}
