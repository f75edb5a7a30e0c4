// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.diagnostics;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process discovery and restart requests over the bus itself (SPEC §6.1), interoperable with Ruby
 * {@code message_bus} processes that enabled diagnostics.
 *
 * <p>Once enabled, this process answers every {@value #DISCOVER_CHANNEL} request by publishing its
 * description (pid, program name, command line, uptime, host name) to {@value #DISCOVERY_CHANNEL},
 * targeted at the requesting user so that only that user's browser sees it; and it runs the restart
 * hook 4 seconds after a {@value #HUP_CHANNEL} request naming its host and pid. The uptime is
 * measured on the bus's {@linkplain MessageBus#clock() clock}; the delayed restart runs on {@link
 * Builder#scheduler}. Java has no SIGHUP convention: the default hook only logs. The HTTP side (the
 * diagnostics page and its routes) lives in {@code message-bus-servlet}.
 *
 * <pre>{@code
 * Diagnostics diagnostics = Diagnostics.builder(bus).restartHook(() -> app.reload()).enable();
 * }</pre>
 */
public final class Diagnostics implements AutoCloseable {

  /** Where discovery requests are published: {@code {"user_id": <id>}}. */
  public static final String DISCOVER_CHANNEL = "/_diagnostics/discover";

  /** Where processes answer discovery requests. */
  public static final String DISCOVERY_CHANNEL = "/_diagnostics/process-discovery";

  /** Where restart requests are published: {@code {"hostname": <name>, "pid": <pid>}}. */
  public static final String HUP_CHANNEL = "/_diagnostics/hup";

  /** The delay between a restart request and the restart hook, as in Ruby. */
  public static final Duration RESTART_DELAY = Duration.ofSeconds(4);

  private static final Logger LOG = LoggerFactory.getLogger(Diagnostics.class);

  private final MessageBus bus;
  private final String hostname;
  private final long pid;
  private final String processName;
  private final String fullPath;
  private final Clock clock;
  private final Instant started;
  private final Runnable restartHook;
  private final Duration restartDelay;
  private final @Nullable ScheduledExecutorService scheduler;
  private final @Nullable Consumer<String> onConnect;
  private final @Nullable Consumer<String> onDisconnect;
  private final Subscription discover;
  private final Subscription hup;

  private Diagnostics(Builder b) {
    this.bus = b.bus;
    this.hostname = b.hostname != null ? b.hostname : localHostname();
    this.pid = ProcessHandle.current().pid();
    this.processName = processName();
    this.fullPath = commandLine();
    this.clock = bus.clock();
    this.started = clock.instant();
    this.restartHook = b.restartHook;
    this.restartDelay = b.restartDelay;
    this.scheduler = b.scheduler;
    this.onConnect = b.onConnect;
    this.onDisconnect = b.onDisconnect;
    this.discover = bus.subscribe(DISCOVER_CHANNEL, this::onDiscover);
    this.hup = bus.subscribe(HUP_CHANNEL, this::onHup);
  }

  /**
   * Starts a builder for enabling diagnostics on a bus.
   *
   * @param bus the bus
   * @return the builder
   */
  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  /**
   * Asks every process with diagnostics enabled to describe itself to a user (what the diagnostics
   * page's "Discover Processes" button does).
   *
   * @param bus the bus
   * @param userId the user whose browser receives the answers
   * @return the id of the request message
   */
  public static long requestDiscovery(MessageBus bus, Object userId) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("user_id", userId);
    return bus.publish(DISCOVER_CHANNEL, data);
  }

  /**
   * Asks the process with this host name and pid to run its restart hook.
   *
   * @param bus the bus
   * @param hostname the process's host name
   * @param pid the process id
   * @return the id of the request message
   */
  public static long requestRestart(MessageBus bus, String hostname, long pid) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("hostname", hostname);
    data.put("pid", pid);
    return bus.publish(HUP_CHANNEL, data);
  }

  /**
   * Returns what this process publishes about itself, in the field order of SPEC §6.1.
   *
   * @return pid, process_name, full_path, uptime (whole seconds since enabling), hostname
   */
  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("pid", pid);
    d.put("process_name", processName);
    d.put("full_path", fullPath);
    d.put("uptime", Duration.between(started, clock.instant()).toSeconds());
    d.put("hostname", hostname);
    return d;
  }

  /** Stops answering. Idempotent. */
  @Override
  public void close() {
    discover.unsubscribe();
    hup.unsubscribe();
  }

  private void onDiscover(Message m) {
    if (!(m.data() instanceof Map<?, ?> data) || data.get("user_id") == null) {
      LOG.debug("ignoring a discovery request without user_id");
      return;
    }
    Object userId = data.get("user_id");
    String site = m.siteId();
    if (onConnect != null) {
      onConnect.accept(site);
    }
    try {
      PublishOptions.Builder options = PublishOptions.builder().userIds(List.of(userId));
      if (site != null) {
        options.siteId(site);
      }
      bus.publish(DISCOVERY_CHANNEL, describe(), options.build());
    } finally {
      if (onDisconnect != null) {
        onDisconnect.accept(site);
      }
    }
  }

  private void onHup(Message m) {
    if (!(m.data() instanceof Map<?, ?> data)) {
      return;
    }
    Object requestedPid = data.get("pid");
    if (!hostname.equals(data.get("hostname"))
        || !(requestedPid instanceof Number n)
        || n.longValue() != pid) {
      return;
    }
    LOG.info(
        "restart requested through {}; running the restart hook in {}", HUP_CHANNEL, restartDelay);
    Runnable restart =
        () -> {
          try {
            restartHook.run();
          } catch (RuntimeException e) {
            LOG.warn("the diagnostics restart hook failed", e);
          }
        };
    long delayNanos = restartDelay.toNanos();
    if (scheduler != null) {
      // restart logs its own failure; nothing waits for it
      var unused = scheduler.schedule(restart, delayNanos, TimeUnit.NANOSECONDS);
    } else {
      var unused =
          CompletableFuture.runAsync(
              restart, CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS));
    }
  }

  private static String localHostname() {
    String env = System.getenv("HOSTNAME");
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return env != null ? env : "localhost";
    }
  }

  private static String processName() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String commandLine() {
    return ProcessHandle.current()
        .info()
        .commandLine()
        .orElseGet(
            () -> String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
  }

  /** Options for {@link Diagnostics}. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable String hostname;
    private Runnable restartHook =
        () -> LOG.info("restart requested through diagnostics; no restart hook is configured");
    private Duration restartDelay = RESTART_DELAY;
    private @Nullable Consumer<String> onConnect;
    private @Nullable Consumer<String> onDisconnect;
    private @Nullable ScheduledExecutorService scheduler;

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /**
     * Overrides the host name this process reports and answers restart requests for. Default: the
     * local host name.
     *
     * @param hostname the host name
     * @return this builder
     * @throws IllegalArgumentException if empty
     */
    public Builder hostname(String hostname) {
      if (hostname == null || hostname.isEmpty()) {
        throw new IllegalArgumentException("hostname must not be null or empty");
      }
      this.hostname = hostname;
      return this;
    }

    /**
     * What a restart request for this process runs (for example a graceful reload). Default: a log
     * line.
     *
     * @param hook the hook
     * @return this builder
     */
    public Builder restartHook(Runnable hook) {
      this.restartHook = Objects.requireNonNull(hook, "restartHook");
      return this;
    }

    /**
     * The delay before the restart hook runs. Default 4 s, as in Ruby.
     *
     * @param delay the delay, zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder restartDelay(Duration delay) {
      if (delay == null || delay.isNegative()) {
        throw new IllegalArgumentException("restartDelay must be zero or positive");
      }
      this.restartDelay = delay;
      return this;
    }

    /**
     * Sets the scheduler that runs the restart hook once the restart delay has passed. Default: the
     * JDK's delayed executor ({@code CompletableFuture.delayedExecutor}, on the common pool). A
     * supplied scheduler is never shut down by diagnostics.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Called with the request's site before answering a discovery request (Ruby's {@code
     * on_connect}, e.g. to select the site's database). Default: none.
     *
     * @param hook the hook, or null
     * @return this builder
     */
    public Builder onConnect(Consumer<String> hook) {
      this.onConnect = hook;
      return this;
    }

    /**
     * Called with the request's site after answering a discovery request (Ruby's {@code
     * on_disconnect}). Default: none.
     *
     * @param hook the hook, or null
     * @return this builder
     */
    public Builder onDisconnect(Consumer<String> hook) {
      this.onDisconnect = hook;
      return this;
    }

    /**
     * Subscribes and starts answering.
     *
     * @return the enabled diagnostics; close it to stop
     */
    public Diagnostics enable() {
      return new Diagnostics(this);
    }
  }
}
