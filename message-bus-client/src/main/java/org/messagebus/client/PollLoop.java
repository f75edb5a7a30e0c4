// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop: one exchange at a time through the {@link PollTransport}, then a pause, for as
 * long as the client is started.
 *
 * <p><b>States.</b> {@code STOPPED}; {@code IDLE} (started, no channel: waits for a subscription);
 * {@code WAITING} (the next poll is scheduled); {@code POLLING} (a poll is being opened or is in
 * flight). After a success the pause is {@link ClientOptions#pauseAfterSuccess()}; after a failure
 * the backoff, or for a 429 the server's {@code Retry-After} (at least {@code minRetryAfter});
 * after a poll cut short by a subscription change, none. A subscription change cancels the poll in
 * flight at whatever stage it is; it does not shorten a pause.
 *
 * <p><b>Threads.</b> Every step (opening a poll, handling its end, reporting a failure) runs on the
 * {@link Scheduler}'s thread; callers of {@link #start}, {@link #stop} and {@link #channelsChanged}
 * only change state, schedule, or cancel. Each start or stop begins a new epoch; a scheduled step
 * or an exchange's end from an older epoch does nothing, so a stop followed by a start never leaves
 * two loops running. One lock guards the state; the {@link ChannelTable}'s lock may be taken under
 * it, never the other way round.
 */
final class PollLoop {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusClient.class);

  private enum State {
    STOPPED,
    IDLE,
    WAITING,
    POLLING
  }

  private final ClientOptions options;
  private final ChannelTable table;
  private final Dispatcher dispatcher;
  private final PollTransport transport;
  private final Scheduler scheduler;
  private final ClientErrorListener errorListener;

  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private State state = State.STOPPED;
  private long epoch;
  private long seq;
  private PollTransport.@Nullable Exchange current;
  private Scheduler.@Nullable Task next;

  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger successes = new AtomicInteger();

  /**
   * Creates a stopped loop.
   *
   * @param options pauses and backoff
   * @param table the subscriptions
   * @param dispatcher delivers what polls receive
   * @param transport carries the polls
   * @param scheduler runs every step and every pause
   * @param errorListener told about failed polls
   */
  PollLoop(
      ClientOptions options,
      ChannelTable table,
      Dispatcher dispatcher,
      PollTransport transport,
      Scheduler scheduler,
      ClientErrorListener errorListener) {
    this.options = options;
    this.table = table;
    this.dispatcher = dispatcher;
    this.transport = transport;
    this.scheduler = scheduler;
    this.errorListener = errorListener;
  }

  /** Starts polling (at once) unless started. */
  void start() {
    lock.lock();
    try {
      if (state != State.STOPPED) {
        return;
      }
      epoch++;
      scheduleLocked(Duration.ZERO);
    } finally {
      lock.unlock();
    }
  }

  /** Stops polling: the poll in flight is cancelled and nothing it received is delivered. */
  void stop() {
    stopIf(false);
  }

  /**
   * Stops polling if no channel is subscribed (checked under the loop's lock, so a concurrent
   * subscription either sees a stopped loop and starts it or keeps it running).
   */
  void stopIfNoChannels() {
    stopIf(true);
  }

  private void stopIf(boolean onlyWithoutChannels) {
    PollTransport.@Nullable Exchange inFlight;
    lock.lock();
    try {
      if (state == State.STOPPED || (onlyWithoutChannels && !table.isEmpty())) {
        return;
      }
      state = State.STOPPED;
      epoch++;
      inFlight = current;
      current = null;
      if (next != null) {
        next.cancel();
        next = null;
      }
      table.invalidate();
    } finally {
      lock.unlock();
    }
    if (inFlight != null) {
      inFlight.cancel();
    }
  }

  /** The subscriptions changed: cut the poll in flight short, or wake an idle loop. */
  void channelsChanged() {
    PollTransport.@Nullable Exchange inFlight = null;
    lock.lock();
    try {
      if (state == State.IDLE) {
        scheduleLocked(Duration.ZERO);
      } else if (state == State.POLLING) {
        inFlight = current; // null while opening: poll() then sees the new generation
      }
    } finally {
      lock.unlock();
    }
    if (inFlight != null) {
      inFlight.cancel();
    }
  }

  /**
   * Tells whether the loop is started.
   *
   * @return false when stopped
   */
  boolean isRunning() {
    lock.lock();
    try {
      return state != State.STOPPED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the number of failed polls in a row.
   *
   * @return 0 after a success
   */
  int consecutiveFailures() {
    return failures.get();
  }

  /**
   * Returns the number of successful polls.
   *
   * @return the count
   */
  int successes() {
    return successes.get();
  }

  private void scheduleLocked(Duration delay) {
    long stepEpoch = epoch;
    state = State.WAITING;
    try {
      next = scheduler.schedule(() -> poll(stepEpoch), delay);
    } catch (RejectedExecutionException closing) {
      state = State.STOPPED; // the scheduler was shut down: the client is closing
    }
  }

  private void poll(long stepEpoch) {
    ChannelTable.Snapshot snapshot;
    long requestSeq;
    lock.lock();
    try {
      if (stepEpoch != epoch) {
        return;
      }
      next = null;
      snapshot = table.snapshot();
      if (snapshot.positions().isEmpty()) {
        state = State.IDLE;
        return;
      }
      state = State.POLLING;
      requestSeq = ++seq;
    } finally {
      lock.unlock();
    }
    long generation = snapshot.generation();
    PollTransport.Exchange exchange;
    try {
      exchange =
          transport.open(
              new PollTransport.Request(snapshot.positions(), requestSeq),
              new PollTransport.Sink() {
                @Override
                public void accept(List<ClientMessage> batch) {
                  dispatcher.deliver(batch, generation);
                }

                @Override
                public void established() {
                  failures.set(0);
                }
              });
    } catch (RuntimeException e) {
      ended(stepEpoch, generation, null, e);
      return;
    }
    boolean stale;
    lock.lock();
    try {
      stale = stepEpoch != epoch || table.generation() != generation;
      if (stepEpoch == epoch) {
        current = exchange;
      }
    } finally {
      lock.unlock();
    }
    if (stale) {
      exchange.cancel(); // the subscriptions changed (or the client stopped) while it was opened
    }
    // ended() handles the outcome, failures included; nothing else waits on this stage
    var unused =
        exchange
            .done()
            .whenComplete(
                (ok, error) -> {
                  try {
                    scheduler.schedule(
                        () -> ended(stepEpoch, generation, exchange, error), Duration.ZERO);
                  } catch (RejectedExecutionException closing) {
                    // the client is closing: nothing more to do
                  }
                });
  }

  private void ended(
      long stepEpoch,
      long generation,
      PollTransport.@Nullable Exchange exchange,
      @Nullable Throwable error) {

    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    Duration wait;
    int failed = 0;
    lock.lock();
    try {
      if (stepEpoch != epoch) {
        return;
      }
      if (current == exchange) {
        current = null;
      }
      if (cause == null) {
        failures.set(0);
        successes.incrementAndGet();
        wait = options.pauseAfterSuccess();
      } else if (table.generation() != generation) {
        wait = Duration.ZERO; // cut short by a subscription change: poll again with the new set
      } else {
        failed = failures.incrementAndGet();
        wait =
            cause instanceof RetryAfterException tooMany
                ? options.retryAfter(tooMany)
                : options.backoff(failed);
      }
      scheduleLocked(wait);
    } finally {
      lock.unlock();
    }
    if (cause != null && failed > 0) {
      report(cause, failed, wait);
    }
  }

  private void report(Throwable e, int consecutive, Duration wait) {
    LOG.warn(
        "message-bus poll failed ({} in a row), retrying in {} ms: {}",
        consecutive,
        wait.toMillis(),
        e.toString());
    try {
      errorListener.onPollFailed(e, consecutive, wait);
    } catch (RuntimeException listenerFailure) {
      LOG.warn("error listener failed", listenerFailure);
    }
  }
}
