// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.ManualScheduler;
import org.messagebus.Message;
import org.messagebus.MessageBus;

// "try": a Diagnostics is opened for its effect (it answers on the bus) and closed after the body.
@SuppressWarnings("try")
class DiagnosticsTest {

  private final AtomicReference<String> site = new AtomicReference<>("magic");
  private final MessageBus bus = MessageBus.builder().siteIdLookup(site::get).build();

  @AfterEach
  void tearDown() {
    bus.close();
  }

  @Test
  void discovery_answersTheRequestingUser_inTheRequestsSite_withHooks() throws Exception {
    BlockingQueue<String> hooks = new LinkedBlockingQueue<>();
    BlockingQueue<Message> answers = new LinkedBlockingQueue<>();
    bus.subscribe(Diagnostics.DISCOVERY_CHANNEL, answers::add);
    try (Diagnostics d =
        Diagnostics.builder(bus)
            .hostname("app-1")
            .onConnect(s -> hooks.add("connect " + s))
            .onDisconnect(s -> hooks.add("disconnect " + s))
            .enable()) {
      Diagnostics.requestDiscovery(bus, 42);
      Message answer = answers.poll(10, TimeUnit.SECONDS);
      assertThat(answer).isNotNull();
      assertThat(answer.userIds()).containsExactly(42L);
      assertThat(answer.siteId()).isEqualTo("magic");
      @SuppressWarnings("unchecked")
      Map<String, Object> data = (Map<String, Object>) answer.data();
      assertThat(data.keySet())
          .containsExactly("pid", "process_name", "full_path", "uptime", "hostname");
      assertThat(data)
          .containsEntry("pid", ProcessHandle.current().pid())
          .containsEntry("hostname", "app-1");
      assertThat(((Number) data.get("uptime")).longValue()).isBetween(0L, 60L);
      assertThat((String) data.get("full_path")).isNotEmpty();
      assertThat(hooks.poll(10, TimeUnit.SECONDS)).isEqualTo("connect magic");
      assertThat(hooks.poll(10, TimeUnit.SECONDS)).isEqualTo("disconnect magic");
    }
  }

  @Test
  void restartRequest_runsTheHookOnlyInTheNamedProcess() throws Exception {
    BlockingQueue<String> restarts = new LinkedBlockingQueue<>();
    long pid = ProcessHandle.current().pid();
    try (Diagnostics mine =
            Diagnostics.builder(bus)
                .hostname("app-1")
                .restartDelay(Duration.ZERO)
                .restartHook(() -> restarts.add("app-1"))
                .enable();
        Diagnostics other =
            Diagnostics.builder(bus)
                .hostname("app-2")
                .restartDelay(Duration.ZERO)
                .restartHook(() -> restarts.add("app-2"))
                .enable()) {
      Diagnostics.requestRestart(bus, "app-1", pid + 1); // wrong pid: nobody
      Diagnostics.requestRestart(bus, "app-2", pid);
      assertThat(restarts.poll(10, TimeUnit.SECONDS)).isEqualTo("app-2");
      Diagnostics.requestRestart(bus, "app-1", pid);
      assertThat(restarts.poll(10, TimeUnit.SECONDS)).isEqualTo("app-1");
      assertThat(restarts).isEmpty();
    }
  }

  @Test
  void closedDiagnostics_stopAnswering() throws Exception {
    BlockingQueue<Message> answers = new LinkedBlockingQueue<>();
    bus.subscribe(Diagnostics.DISCOVERY_CHANNEL, answers::add);
    Diagnostics a = Diagnostics.builder(bus).hostname("a").enable();
    Diagnostics b = Diagnostics.builder(bus).hostname("b").enable();
    a.close();
    a.close();
    Diagnostics.requestDiscovery(bus, 7);
    Message answer = answers.poll(10, TimeUnit.SECONDS);
    assertThat(answer).isNotNull();
    assertThat(((Map<?, ?>) answer.data()).get("hostname")).isEqualTo("b");
    b.close();
    // a marker published after the request proves no second answer is still on its way
    bus.publish(Diagnostics.DISCOVERY_CHANNEL, "marker");
    assertThat(answers.poll(10, TimeUnit.SECONDS).data()).isEqualTo("marker");
    assertThat(answers).isEmpty();
  }

  @Test
  void uptime_isMeasuredOnTheBusClock() {
    ManualScheduler time = new ManualScheduler();
    try (MessageBus timed = MessageBus.builder().clock(time.clock()).build();
        Diagnostics d = Diagnostics.builder(timed).hostname("app-1").enable()) {
      assertThat(d.describe()).containsEntry("uptime", 0L);

      time.advance(Duration.ofSeconds(90).plusMillis(999));

      assertThat(d.describe()).containsEntry("uptime", 90L);
    }
  }

  @Test
  void restartRequest_runsTheHookAfterTheDelay_onTheGivenScheduler() throws Exception {
    ManualScheduler time = new ManualScheduler();
    BlockingQueue<String> restarts = new LinkedBlockingQueue<>();
    try (Diagnostics d =
        Diagnostics.builder(bus)
            .hostname("app-1")
            .scheduler(time)
            .restartHook(() -> restarts.add("restarted"))
            .enable()) {
      Diagnostics.requestRestart(bus, "app-1", ProcessHandle.current().pid());
      // the request is handled on the dispatch thread, which schedules the hook
      await().atMost(Duration.ofSeconds(10)).until(() -> time.queued() == 1);

      time.advance(Diagnostics.RESTART_DELAY.minusMillis(1));
      assertThat(restarts).isEmpty();
      time.advance(Duration.ofMillis(1));
      assertThat(restarts).containsExactly("restarted"); // ran inside advance()
    }
  }

  @Test
  void misuse_isRejected() {
    assertThatThrownBy(() -> Diagnostics.builder(bus).hostname(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname");
    assertThatThrownBy(() -> Diagnostics.builder(bus).restartDelay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("restartDelay");
    assertThat(List.of(Diagnostics.DISCOVER_CHANNEL, Diagnostics.HUP_CHANNEL))
        .containsExactly("/_diagnostics/discover", "/_diagnostics/hup");
  }
}
