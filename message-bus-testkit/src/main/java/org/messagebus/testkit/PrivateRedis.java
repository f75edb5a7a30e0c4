// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} of the test's own on a free port of 127.0.0.1, so a test may stop, kill
 * and restart it without disturbing the shared Redis or anyone else's. It runs in a temporary
 * folder of its own, which {@link #close()} deletes. A missing {@code redis-server} skips the test
 * loudly (fails it on CI; see {@link Services#require}).
 *
 * <p>{@link #start()} keeps an append-only file (fsync always), as a production Redis does: a
 * {@link #restart()} keeps the data and the ids continue. {@link #start(CommandLine)} runs any
 * other configuration (TLS, a Sentinel). Only the JDK starts and watches the process: this class
 * needs no Redis client.
 */
public final class PrivateRedis implements AutoCloseable {

  /** The command line of a server, which may first write the files it needs into its folder. */
  @FunctionalInterface
  public interface CommandLine {

    /**
     * Returns the command line of a server.
     *
     * @param port the port it must listen on, the one {@link PrivateRedis} waits for
     * @param dir its own folder, for its data, logs and whatever else it needs
     * @return the program and its arguments
     * @throws IOException if a file it needs cannot be made
     * @throws InterruptedException if interrupted while making one
     */
    List<String> of(int port, Path dir) throws IOException, InterruptedException;
  }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final long STOP_TIMEOUT_SECONDS = 10;

  private final int port;
  private final Path dir;
  private final List<String> command;
  private volatile @Nullable Process process;

  private PrivateRedis(int port, Path dir, List<String> command) {
    this.port = port;
    this.dir = dir;
    this.command = command;
  }

  /**
   * Starts a server that keeps an append-only file (fsync always) and no snapshots.
   *
   * @return the running server
   * @throws IOException if its folder cannot be made or the process cannot be started
   * @throws InterruptedException if interrupted while it starts
   */
  public static PrivateRedis start() throws IOException, InterruptedException {
    return start(
        (port, dir) ->
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis.log").toString()));
  }

  /**
   * Starts a server with a command line of the test's, on a free port and in a new folder, and
   * waits until the port accepts connections (at most 10 seconds).
   *
   * @param commandLine the server's command line for that port and folder
   * @return the running server
   * @throws IOException if the folder or a file cannot be made or the process cannot be started
   * @throws InterruptedException if interrupted while it starts
   */
  public static PrivateRedis start(CommandLine commandLine)
      throws IOException, InterruptedException {
    boolean installed =
        Stream.of(System.getenv("PATH").split(File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "redis-server")));
    Services.require(
        installed, "redis-server is not installed (apt-get install redis-server, or run .ci/run)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("mb-redis-");
    PrivateRedis redis = new PrivateRedis(port, dir, List.copyOf(commandLine.of(port, dir)));
    redis.startProcess();
    return redis;
  }

  /**
   * Returns the port the server listens on; it stays the same across restarts.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Returns a {@code redis://} URI of the server's database 0.
   *
   * @return the URI
   */
  public String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /**
   * Returns the server's own folder: its data, its logs and the files its command line made.
   *
   * @return the folder
   */
  public Path dir() {
    return dir;
  }

  private void startProcess() throws IOException {
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> Services.reachable("127.0.0.1", port));
  }

  /**
   * Stops the server (SIGTERM: Redis writes its append-only file) and waits for it to exit, killing
   * it after 10 seconds. Does nothing when it is stopped.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void stop() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroy();
      if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
      process = null;
    }
  }

  /**
   * Starts the stopped server again on the same port with the same data.
   *
   * @throws IOException if the process cannot be started
   */
  public void restart() throws IOException {
    startProcess();
  }

  /**
   * Starts the stopped server again on the same port, empty, as a Redis that keeps nothing on disk:
   * every file of its folder but the logs is deleted first.
   *
   * @throws IOException if a file cannot be listed or the process cannot be started
   */
  public void restartEmpty() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .sorted(Comparator.reverseOrder())
          .filter(p -> !p.equals(dir) && !p.toString().endsWith(".log"))
          .forEach(p -> p.toFile().delete());
    }
    startProcess();
  }

  /**
   * Stops the server (killing it when interrupted) and deletes its folder.
   *
   * @throws IOException if the folder cannot be listed
   */
  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
        process = null;
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
