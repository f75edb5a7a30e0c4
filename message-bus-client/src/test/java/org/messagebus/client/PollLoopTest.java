// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The poll loop against a scripted transport and a manual clock: no socket, no thread, no wall
 * clock. Every step runs on the test's thread when the test lets time pass.
 */
class PollLoopTest {

  private static final Duration MIN = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(2);
  private static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);

  private final ManualScheduler time = new ManualScheduler();
  private final ScriptedTransport transport = new ScriptedTransport();
  private final ChannelTable table = new ChannelTable();
  private final List<ClientMessage> delivered = new CopyOnWriteArrayList<>();
  private final List<Duration> reportedWaits = new CopyOnWriteArrayList<>();
  private final PollLoop loop = loop(true);

  private PollLoop loop(boolean longPolling) {
    ClientOptions options =
        new ClientOptions(
            URI.create("http://127.0.0.1/message-bus/"),
            "c",
            longPolling,
            true,
            MIN,
            MAX,
            Duration.ofSeconds(60),
            MIN_RETRY_AFTER,
            Duration.ofSeconds(60),
            Map.of(),
            false);
    ClientErrorListener errors =
        new ClientErrorListener() {
          @Override
          public void onPollFailed(Throwable error, int consecutiveFailures, Duration retryIn) {
            reportedWaits.add(retryIn);
          }
        };
    return new PollLoop(
        options, table, new Dispatcher(table, Runnable::run, errors), transport, time, errors);
  }

  private void subscribe(String channel, long position) {
    table.subscribe(channel, position, delivered::add);
    loop.channelsChanged();
    loop.start();
  }

  private static ClientMessage message(String channel, long id) {
    return new ClientMessage(channel, "m" + id, id, id);
  }

  @Test
  void failures_backOffDoubling_upToTheMaximum_andASuccessResetsIt() {
    subscribe("/a", -1);
    List<Duration> pauses = new ArrayList<>();

    for (int i = 0; i < 6; i++) {
      time.runDue();
      transport.last().fail(new IOException("down"));
      time.runDue();
      pauses.add(time.nextDelay());
      time.advance(time.nextDelay());
    }
    transport.last().succeed();
    time.runDue();
    Duration afterSuccess = time.nextDelay();
    time.advance(afterSuccess);
    transport.last().fail(new IOException("down again"));
    time.runDue();

    assertThat(pauses)
        .extracting(Duration::toMillis)
        .containsExactly(200L, 400L, 800L, 1600L, 2000L, 2000L);
    assertThat(reportedWaits.subList(0, 6)).isEqualTo(pauses);
    assertThat(afterSuccess).isEqualTo(MIN);
    assertThat(time.nextDelay()).as("backoff starts over").isEqualTo(Duration.ofMillis(200));
    assertThat(loop.consecutiveFailures()).isEqualTo(1);
    assertThat(loop.successes()).isEqualTo(1);
    assertThat(transport.opened).hasSize(8);
  }

  @Test
  void tooManyRequests_waitsWhatTheServerAsked_neverLessThanMinRetryAfter() {
    subscribe("/a", -1);
    List<Duration> pauses = new ArrayList<>();

    for (Optional<Duration> asked :
        List.of(Optional.of(Duration.ofSeconds(5)), Optional.of(Duration.ofMillis(10)))) {
      time.runDue();
      transport.last().fail(new RetryAfterException(asked));
      time.runDue();
      pauses.add(time.nextDelay());
      time.advance(time.nextDelay());
    }
    transport.last().fail(new RetryAfterException(Optional.empty()));
    time.runDue();
    pauses.add(time.nextDelay());

    assertThat(pauses).containsExactly(Duration.ofSeconds(5), MIN_RETRY_AFTER, MIN_RETRY_AFTER);
  }

  @Test
  void withoutLongPolling_pausesTheBackgroundIntervalAfterASuccess() {
    PollLoop polling = loop(false);
    table.subscribe("/a", -1, delivered::add);
    polling.start();
    time.runDue();

    transport.last().succeed();
    time.runDue();

    assertThat(time.nextDelay()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void subscriptionChange_cancelsThePollInFlight_andPollsAgainAtOnce_withoutAFailure() {
    subscribe("/a", -1);
    time.runDue();
    ScriptedTransport.Call first = transport.last();

    subscribe("/b", 0);

    assertThat(first.done.isCancelled()).isTrue();
    time.runDue();
    assertThat(transport.opened).hasSize(2);
    assertThat(transport.last().request.positions())
        .containsExactly(Map.entry("/a", -1L), Map.entry("/b", 0L));
    assertThat(transport.last().request.seq()).isGreaterThan(first.request.seq());
    assertThat(loop.consecutiveFailures()).isZero();
    assertThat(reportedWaits).isEmpty();
  }

  @Test
  void subscriptionChange_whileThePollIsBeingOpened_cancelsItAsSoonAsItIsOpen() {
    subscribe("/a", -1);
    transport.onOpen =
        call -> {
          transport.onOpen = next -> {};
          subscribe("/b", 0); // lands between the snapshot and the registration
        };
    time.runDue();

    assertThat(transport.opened).hasSize(2);
    assertThat(transport.opened.get(0).done.isCancelled()).isTrue();
    assertThat(transport.last().request.positions()).containsKeys("/a", "/b");
  }

  @Test
  void batchOfAPollCutShort_isDropped_andFetchedAgainByTheNextPoll() {
    subscribe("/a", 0);
    time.runDue();
    ScriptedTransport.Call first = transport.last();
    first.sink.accept(List.of(message("/a", 1)));

    subscribe("/b", 0);
    first.sink.accept(List.of(message("/a", 2))); // was on its way when the poll was cut short
    time.runDue();

    assertThat(delivered).extracting(ClientMessage::messageId).containsExactly(1L);
    assertThat(transport.last().request.positions()).containsEntry("/a", 1L);
  }

  @Test
  void statusMessage_movesPositions_andOlderMessagesAreNotDeliveredAgain() {
    subscribe("/a", -1);
    time.runDue();

    transport
        .last()
        .sink
        .accept(
            List.of(
                new ClientMessage(ReplyDecoder.STATUS_CHANNEL, Map.of("/a", 5L), -1, -1),
                message("/a", 5),
                message("/a", 6)));

    assertThat(delivered).extracting(ClientMessage::messageId).containsExactly(6L);
    assertThat(table.positions()).containsEntry("/a", 6L);
  }

  @Test
  void stop_cancelsThePollInFlight_andAStartAfterItRunsOneLoopOnly() {
    subscribe("/a", -1);
    time.runDue();
    ScriptedTransport.Call first = transport.last();

    loop.stop();
    first.sink.accept(List.of(message("/a", 1)));
    loop.start();
    time.runDue();

    assertThat(first.done.isCancelled()).isTrue();
    assertThat(delivered).as("nothing delivered after stop").isEmpty();
    assertThat(transport.opened).hasSize(2);
    transport.last().succeed();
    time.runDue();
    assertThat(time.pending()).as("one next poll, not two").isEqualTo(1);
    assertThat(loop.isRunning()).isTrue();
  }

  @Test
  void withoutChannels_theLoopIdles_untilASubscriptionWakesIt() {
    loop.start();
    time.runDue();
    assertThat(transport.opened).isEmpty();
    assertThat(time.pending()).isZero();

    subscribe("/a", -1);
    time.runDue();

    assertThat(transport.opened).hasSize(1);
  }

  @Test
  void transportThatThrowsOnOpen_isAFailureWithBackoff() {
    transport.onOpen =
        call -> {
          throw new IllegalStateException("cannot send");
        };
    subscribe("/a", -1);

    time.runDue();

    assertThat(loop.consecutiveFailures()).isEqualTo(1);
    assertThat(time.nextDelay()).isEqualTo(Duration.ofMillis(200));
  }

  /** Records each exchange; the test ends them. */
  private static final class ScriptedTransport implements PollTransport {
    final List<Call> opened = new CopyOnWriteArrayList<>();
    volatile Consumer<Call> onOpen = call -> {};

    static final class Call implements Exchange {
      final Request request;
      final Sink sink;
      final CompletableFuture<Void> done = new CompletableFuture<>();

      Call(Request request, Sink sink) {
        this.request = request;
        this.sink = sink;
      }

      void succeed() {
        done.complete(null);
      }

      void fail(Throwable error) {
        done.completeExceptionally(error);
      }

      @Override
      public CompletableFuture<Void> done() {
        return done;
      }

      @Override
      public void cancel() {
        done.cancel(false);
      }
    }

    @Override
    public Exchange open(Request request, Sink sink) {
      Call call = new Call(request, sink);
      opened.add(call);
      onOpen.accept(call);
      return call;
    }

    Call last() {
      return opened.get(opened.size() - 1);
    }
  }
}
