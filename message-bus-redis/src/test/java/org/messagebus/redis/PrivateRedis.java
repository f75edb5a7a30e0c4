// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

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
import org.messagebus.testkit.Services;

/**
 * A {@code redis-server} of the test's own on a free port, so tests may kill, restart and demote it
 * without disturbing anyone else's Redis. It keeps an append-only file (fsync always) in a
 * temporary folder, so a restart keeps the data and ids continue, as on a production Redis.
 */
final class PrivateRedis implements AutoCloseable {

  private final int port;
  private final Path dir;
  private final List<String> command;
  private Process process;

  private PrivateRedis(int port, Path dir, List<String> command) {
    this.port = port;
    this.dir = dir;
    this.command = command;
  }

  /** Starts one; skips the test (fails on CI) when {@code redis-server} is not installed. */
  static PrivateRedis start() throws IOException {
    requireInstalled();
    int port = freePort();
    Path dir = Files.createTempDirectory("mb-redis-");
    PrivateRedis r =
        new PrivateRedis(
            port,
            dir,
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
    r.startProcess();
    return r;
  }

  /** Starts a Sentinel that monitors {@code master} under the name {@code mymaster}. */
  /**
   * Starts a redis-server that accepts only TLS, with a self-signed certificate for 127.0.0.1 made
   * by the {@code openssl} command ({@link #certificate()}).
   */
  static PrivateRedis startTls() throws IOException, InterruptedException {
    requireInstalled();
    int port = freePort();
    Path dir = Files.createTempDirectory("mb-redis-tls-");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                dir.resolve("key.pem").toString(),
                "-out",
                dir.resolve("cert.pem").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
      throw new IOException("openssl could not make a test certificate: see " + dir);
    }
    PrivateRedis r =
        new PrivateRedis(
            port,
            dir,
            List.of(
                "redis-server",
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--tls-cert-file",
                dir.resolve("cert.pem").toString(),
                "--tls-key-file",
                dir.resolve("key.pem").toString(),
                "--tls-ca-cert-file",
                dir.resolve("cert.pem").toString(),
                "--tls-auth-clients",
                "no",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis.log").toString()));
    r.startProcess();
    return r;
  }

  /** The self-signed certificate of a {@link #startTls()} server (PEM). */
  File certificate() {
    return dir.resolve("cert.pem").toFile();
  }

  static PrivateRedis startSentinel(PrivateRedis master) throws IOException {
    requireInstalled();
    int port = freePort();
    Path dir = Files.createTempDirectory("mb-sentinel-");
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port " + port,
            "bind 127.0.0.1",
            "dir " + dir,
            "logfile " + dir.resolve("sentinel.log"),
            "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1",
            "sentinel down-after-milliseconds mymaster 60000",
            ""));
    PrivateRedis s =
        new PrivateRedis(port, dir, List.of("redis-server", conf.toString(), "--sentinel"));
    s.startProcess();
    return s;
  }

  private static void requireInstalled() {
    boolean installed =
        Stream.of(System.getenv("PATH").split(File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "redis-server")));
    String why = "redis-server is not installed (apt-get install redis-server, or run .ci/run)";
    Services.require(installed, why);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  private void startProcess() throws IOException {
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> Services.reachable("127.0.0.1", port));
  }

  /** Stops the server (SIGTERM: Redis flushes its append-only file) and waits for it to exit. */
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      process = null;
    }
  }

  /** Starts the server again on the same port, empty (as a Redis that keeps nothing on disk). */
  void restartEmpty() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .sorted(Comparator.reverseOrder())
          .filter(p -> !p.equals(dir) && !p.toString().endsWith(".log"))
          .forEach(p -> p.toFile().delete());
    }
    startProcess();
  }

  /** Starts the server again on the same port with the same data. */
  void restart() throws IOException {
    startProcess();
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (process != null) {
        process.destroyForcibly();
        process = null;
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
