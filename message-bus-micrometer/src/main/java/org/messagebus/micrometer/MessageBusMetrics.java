// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendState;
import org.messagebus.BackendStateListener;
import org.messagebus.MessageBus;
import org.messagebus.observe.BusObserver;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.observe.PublishOutcome;

/**
 * Binds a {@link MessageBus} to a Micrometer {@link MeterRegistry}: publishes (every one counted by
 * backend and outcome, the backend's time on a sample when they come fast), messages dispatched,
 * the publish-to-dispatch lag of this process's own messages, listener failures, subscriptions,
 * keepalive health, the backend's connection state (the same {@link BackendState} signal health
 * checks read) with its disconnects and reconnects, and distributed cache reads and remote changes.
 * Every meter is named {@code messagebus.*} and tagged with low-cardinality values only (never a
 * channel, user or client id); see docs/metrics.md for the full list.
 *
 * <pre>{@code
 * MessageBusMetrics metrics = MessageBusMetrics.bind(bus, registry);   // ... and later:
 * metrics.close();                                                      // removes the meters
 * }</pre>
 *
 * <p>As a {@link MeterBinder} it can be handed to whatever binds binders (Spring Boot binds every
 * {@code MeterBinder} bean). Binding several registries counts into each; {@link #close()} removes
 * its observers, its backend state listeners and its meters. Thread-safe.
 */
public final class MessageBusMetrics implements MeterBinder, AutoCloseable {

  private final MessageBus bus;
  private final Tags tags;
  private final Bindings bindings = new Bindings();

  /**
   * Creates a binder for a bus; nothing is registered until {@link #bindTo}.
   *
   * @param bus the bus
   * @param tags tags added to every meter (e.g. the application's name), may be empty
   */
  public MessageBusMetrics(MessageBus bus, Iterable<Tag> tags) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /**
   * Binds a bus to a registry, with no extra tags.
   *
   * @param bus the bus
   * @param registry the registry
   * @return the binder, to {@linkplain #close() close} when the bus goes away
   */
  public static MessageBusMetrics bind(MessageBus bus, MeterRegistry registry) {
    MessageBusMetrics metrics = new MessageBusMetrics(bus, Tags.empty());
    metrics.bindTo(registry);
    return metrics;
  }

  /**
   * The value of the {@code backend} tag for a bus's backend: its class's simple name without the
   * {@code Backend} suffix, in lower case ({@code memory}, {@code redis}, {@code postgres}).
   *
   * @param bus the bus
   * @return the tag value
   */
  public static String backendTag(MessageBus bus) {
    String name = bus.backend().getClass().getSimpleName();
    if (name.endsWith("Backend") && name.length() > "Backend".length()) {
      name = name.substring(0, name.length() - "Backend".length());
    }
    return name.isEmpty() ? "custom" : name.toLowerCase(Locale.ROOT);
  }

  /**
   * Registers the meters in a registry and starts counting into them. Binding several registries
   * counts into each.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    bindings.bind(
        registry,
        set -> {
          Observer observer = new Observer(registry, set);
          BackendStateCounter state = new BackendStateCounter();
          set.add(
              Gauge.builder("messagebus.subscriptions", bus, MessageBus::subscriptionCount)
                  .description("Server-side subscriptions registered on the bus")
                  .tags(tags)
                  .register(registry));
          set.add(
              Gauge.builder("messagebus.keepalive.healthy", bus, b -> b.isHealthy() ? 1 : 0)
                  .description(
                      "1 while the keepalive sees messages arrive, 0 after a missed keepalive")
                  .tags(tags)
                  .register(registry));
          set.add(
              Gauge.builder(
                      "messagebus.backend.state",
                      bus,
                      b -> b.backendState() == BackendState.CONNECTED ? 1 : 0)
                  .description(
                      "1 while the backend reaches its store, 0 while it does not (or not yet)")
                  .tags(tags)
                  .tag("backend", backendTag(bus))
                  .register(registry));
          set.add(
              Gauge.builder("messagebus.backend.queued", bus, b -> b.backend().queuedPublishes())
                  .description(
                      "Publishes waiting in memory for the store to accept writes (Redis; 0 elsewhere)")
                  .tags(tags)
                  .tag("backend", backendTag(bus))
                  .register(registry));
          set.add(
              FunctionCounter.builder(
                      "messagebus.backend.disconnects", state, s -> s.disconnects.sum())
                  .description("Times the backend reported that it lost its store")
                  .tags(tags)
                  .tag("backend", backendTag(bus))
                  .register(registry));
          set.add(
              FunctionCounter.builder(
                      "messagebus.backend.reconnects", state, s -> s.reconnects.sum())
                  .description(
                      "Times the backend reported its store reachable again after losing it")
                  .tags(tags)
                  .tag("backend", backendTag(bus))
                  .register(registry));
          bus.addBackendStateListener(state);
          ObserverRegistration observation = bus.observe(observer);
          return () -> {
            observation.close();
            bus.removeBackendStateListener(state);
          };
        });
  }

  /**
   * Removes the observers, the backend state listeners and every meter this binder registered, in
   * every registry it was bound to. Idempotent.
   */
  @Override
  public void close() {
    bindings.close();
  }

  /** Counts the changes of the backend's connection state, from the bus's one signal. */
  private static final class BackendStateCounter implements BackendStateListener {
    final LongAdder disconnects = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    private @Nullable BackendState last; // one change at a time (BackendStateListener)

    @Override
    public void onBackendStateChange(BackendState state, @Nullable Throwable cause) {
      BackendState before = last;
      last = state;
      if (before == null || before == state) {
        return; // the current state, told at registration, is not a change
      }
      if (state == BackendState.DISCONNECTED) {
        disconnects.increment();
      } else if (state == BackendState.CONNECTED && before == BackendState.DISCONNECTED) {
        reconnects.increment();
      }
    }
  }

  /** The bus observer: each event is one pre-registered meter update, no lookup. */
  private final class Observer implements BusObserver {
    private final Map<PublishOutcome, LongAdder> publishes = new EnumMap<>(PublishOutcome.class);
    private final Map<PublishOutcome, Timer> publishDurations = new EnumMap<>(PublishOutcome.class);
    private final Counter dispatched;
    private final Timer lag;
    private final Counter listenerFailures;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter cacheRemoteChanges;
    private final Counter catchUps;
    private final Counter catchUpMessages;
    private final Counter publishDropped;
    private final Counter largePayloads;

    Observer(MeterRegistry registry, MeterSet set) {
      String backend = backendTag(bus);
      for (PublishOutcome o : PublishOutcome.values()) {
        String outcome = o.name().toLowerCase(Locale.ROOT);
        LongAdder count = new LongAdder();
        publishes.put(o, count);
        set.add(
            FunctionCounter.builder("messagebus.publishes", count, LongAdder::doubleValue)
                .description("Publishes, by backend and outcome (every one)")
                .tags(tags)
                .tag("backend", backend)
                .tag("outcome", outcome)
                .register(registry));
        publishDurations.put(
            o,
            set.add(
                Timer.builder("messagebus.publish.duration")
                    .description(
                        "How long the backend took to publish, by backend and outcome (a sample"
                            + " when publishes come faster than one per timing sample interval)")
                    .tags(tags)
                    .tag("backend", backend)
                    .tag("outcome", outcome)
                    .register(registry)));
      }
      dispatched =
          set.add(
              Counter.builder("messagebus.dispatch.messages")
                  .description("Messages the dispatch thread received from the backend")
                  .baseUnit("messages")
                  .tags(tags)
                  .register(registry));
      lag =
          set.add(
              Timer.builder("messagebus.dispatch.lag")
                  .description(
                      "Time from the start of this process's own publish to its dispatch here")
                  .tags(tags)
                  .register(registry));
      listenerFailures =
          set.add(
              Counter.builder("messagebus.listener.failures")
                  .description("Calls of subscribers' listeners that threw")
                  .tags(tags)
                  .register(registry));
      List<Counter> gets = new ArrayList<>(2);
      for (String result : List.of("hit", "miss")) {
        gets.add(
            set.add(
                Counter.builder("messagebus.cache.gets")
                    .description("Distributed cache reads, by result")
                    .tags(tags)
                    .tag("result", result)
                    .register(registry)));
      }
      cacheHits = gets.get(0);
      cacheMisses = gets.get(1);
      cacheRemoteChanges =
          set.add(
              Counter.builder("messagebus.cache.remote.changes")
                  .description("Distributed cache changes received from other processes")
                  .tags(tags)
                  .register(registry));
      catchUps =
          set.add(
              Counter.builder("messagebus.backend.catchups")
                  .description("Times a backend subscription read missed messages from the store")
                  .tags(tags)
                  .tag("backend", backend)
                  .register(registry));
      catchUpMessages =
          set.add(
              Counter.builder("messagebus.backend.catchup.messages")
                  .description("Messages backend subscriptions read from the store's backlog")
                  .baseUnit("messages")
                  .tags(tags)
                  .tag("backend", backend)
                  .register(registry));
      publishDropped =
          set.add(
              Counter.builder("messagebus.backend.publish.dropped")
                  .description("Queued publishes dropped because the store rejected them for good")
                  .tags(tags)
                  .tag("backend", backend)
                  .register(registry));
      largePayloads =
          set.add(
              Counter.builder("messagebus.backend.large.payloads")
                  .description("Messages read from their row because too large to announce")
                  .tags(tags)
                  .tag("backend", backend)
                  .register(registry));
    }

    @Override
    public void published(PublishOutcome outcome, long nanos) {
      Objects.requireNonNull(publishes.get(outcome)).increment();
      if (nanos != BusObserver.UNTIMED) {
        Timer t = publishDurations.get(outcome);
        if (t != null) {
          t.record(nanos, TimeUnit.NANOSECONDS);
        }
      }
    }

    @Override
    public void dispatched() {
      dispatched.increment();
    }

    @Override
    public void dispatchLag(long nanos) {
      lag.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void listenerFailed() {
      listenerFailures.increment();
    }

    @Override
    public void cacheRead(boolean hit) {
      (hit ? cacheHits : cacheMisses).increment();
    }

    @Override
    public void cacheRemoteChange() {
      cacheRemoteChanges.increment();
    }

    @Override
    public void backendCatchUp(int messages) {
      catchUps.increment();
      catchUpMessages.increment(messages);
    }

    @Override
    public void publishDropped() {
      publishDropped.increment();
    }

    @Override
    public void largePayloadFetched() {
      largePayloads.increment();
    }

    @Override
    public String toString() {
      return "MessageBusMetrics";
    }
  }
}
