// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.messagebus.http.HttpEngine;
import org.messagebus.http.HttpObserver;
import org.messagebus.observe.ObserverRegistration;

/**
 * Binds an {@link HttpEngine} (the message_bus HTTP endpoint; {@code
 * MessageBusServer.filter().engine()} or {@code MessageBusFilter.engine()}) to a Micrometer {@link
 * MeterRegistry}: polls by mode (Server-Sent Events included) and outcome, held polls, open
 * Server-Sent Events streams and WebSockets, WebSockets opened, closed by close code and refused by
 * status, messages and bytes sent over every transport, long polls answered at once over {@code
 * maxActiveClients}, streams cut off. Tags are low-cardinality only (never a client id, user or
 * channel); see docs/metrics.md. Needs {@code message-bus-http} on the class path (an optional
 * dependency of this module).
 *
 * <pre>{@code
 * HttpEngineMetrics http = HttpEngineMetrics.bind(server.filter().engine(), registry);
 * }</pre>
 *
 * <p>Binding several registries counts into each; {@link #close()} removes its observers and
 * meters. Thread-safe.
 */
public final class HttpEngineMetrics implements MeterBinder, AutoCloseable {

  private final HttpEngine engine;
  private final Tags tags;
  private final Bindings bindings = new Bindings();

  /**
   * Creates a binder for an engine; nothing is registered until {@link #bindTo}.
   *
   * @param engine the engine
   * @param tags tags added to every meter, may be empty
   */
  public HttpEngineMetrics(HttpEngine engine, Iterable<Tag> tags) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /**
   * Binds an engine to a registry, with no extra tags.
   *
   * @param engine the engine
   * @param registry the registry
   * @return the binder, to {@linkplain #close() close} when the engine goes away
   */
  public static HttpEngineMetrics bind(HttpEngine engine, MeterRegistry registry) {
    HttpEngineMetrics metrics = new HttpEngineMetrics(engine, Tags.empty());
    metrics.bindTo(registry);
    return metrics;
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
          set.add(
              Gauge.builder("messagebus.http.held", engine, HttpEngine::heldPolls)
                  .description("Polls held right now (long polls and streams)")
                  .tags(tags)
                  .register(registry));
          set.add(
              FunctionCounter.builder(
                      "messagebus.http.streams.cut.off", engine, HttpEngine::streamsCutOff)
                  .description(
                      "Streams ended because their client stopped reading (maxUnsentBytes)")
                  .tags(tags)
                  .register(registry));
          set.add(
              Gauge.builder("messagebus.http.connections", engine, HttpEngine::eventStreams)
                  .description("Connections open right now, by transport")
                  .tags(tags)
                  .tag("transport", "sse")
                  .register(registry));
          set.add(
              Gauge.builder("messagebus.http.connections", engine, HttpEngine::webSockets)
                  .description("Connections open right now, by transport")
                  .tags(tags)
                  .tag("transport", "websocket")
                  .register(registry));
          ObserverRegistration observation = engine.observe(new Observer(registry, set));
          return observation::close;
        });
  }

  /**
   * Removes the observers and every meter this binder registered, in every registry it was bound
   * to. Idempotent.
   */
  @Override
  public void close() {
    bindings.close();
  }

  private static String tagValue(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** The engine observer: each event is one pre-registered meter update, no lookup. */
  private final class Observer implements HttpObserver {
    private final Map<PollMode, Map<PollOutcome, Counter>> polls = new EnumMap<>(PollMode.class);
    private final Counter deliveries;
    private final Counter bytes;
    private final Counter overCapacity;
    private final Counter webSocketOpens;
    private final MeterRegistry registry;
    private final MeterSet set;
    // by close code / refusal status: a small set (the codes and statuses the server sends)
    private final ConcurrentHashMap<Integer, Counter> webSocketCloses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Counter> webSocketRefusals = new ConcurrentHashMap<>();

    Observer(MeterRegistry registry, MeterSet set) {
      this.registry = registry;
      this.set = set;
      for (PollMode mode : PollMode.values()) {
        Map<PollOutcome, Counter> byOutcome = new EnumMap<>(PollOutcome.class);
        polls.put(mode, byOutcome);
        for (PollOutcome outcome : PollOutcome.values()) {
          byOutcome.put(
              outcome,
              set.add(
                  Counter.builder("messagebus.http.polls")
                      .description("Poll requests, by what the client asked for and how they ended")
                      .tags(tags)
                      .tag("mode", tagValue(mode))
                      .tag("outcome", tagValue(outcome))
                      .register(registry)));
        }
      }
      deliveries =
          set.add(
              Counter.builder("messagebus.http.deliveries")
                  .description("Messages sent to web clients (backlog and live)")
                  .baseUnit("messages")
                  .tags(tags)
                  .register(registry));
      bytes =
          set.add(
              Counter.builder("messagebus.http.bytes")
                  .description("Response body bytes written to web clients by polls")
                  .baseUnit(BaseUnits.BYTES)
                  .tags(tags)
                  .register(registry));
      overCapacity =
          set.add(
              Counter.builder("messagebus.http.over.capacity")
                  .description(
                      "Long polls answered at once because maxActiveClients polls were held")
                  .tags(tags)
                  .register(registry));
      webSocketOpens =
          set.add(
              Counter.builder("messagebus.http.websocket.opens")
                  .description("WebSockets opened")
                  .tags(tags)
                  .register(registry));
    }

    private Counter closes(int code) {
      return webSocketCloses.computeIfAbsent(
          code,
          c ->
              set.add(
                  Counter.builder("messagebus.http.websocket.closes")
                      .description(
                          "WebSockets closed, by the close code the server sent (client: the"
                              + " client closed it or the connection broke)")
                      .tags(tags)
                      .tag("code", c == CLOSED_BY_CLIENT ? "client" : Integer.toString(c))
                      .register(registry)));
    }

    private Counter refusals(int status) {
      return webSocketRefusals.computeIfAbsent(
          status,
          st ->
              set.add(
                  Counter.builder("messagebus.http.websocket.refusals")
                      .description("WebSocket upgrades refused, by HTTP status")
                      .tags(tags)
                      .tag("status", Integer.toString(st))
                      .register(registry)));
    }

    @Override
    public void webSocketOpened() {
      webSocketOpens.increment();
    }

    @Override
    public void webSocketClosed(int code) {
      closes(code).increment();
    }

    @Override
    public void webSocketRefused(int status) {
      refusals(status).increment();
    }

    @Override
    public void pollEnded(PollMode mode, PollOutcome outcome) {
      Objects.requireNonNull(Objects.requireNonNull(polls.get(mode)).get(outcome)).increment();
    }

    @Override
    public void delivered(int messages) {
      deliveries.increment(messages);
    }

    @Override
    public void bytesWritten(long n) {
      bytes.increment((double) n);
    }

    @Override
    public void overCapacity() {
      overCapacity.increment();
    }

    @Override
    public String toString() {
      return "HttpEngineMetrics";
    }
  }
}
