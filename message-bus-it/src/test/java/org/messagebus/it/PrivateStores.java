// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.messagebus.testkit.Services;

/**
 * Stores of the test's own, which it may stop, kill and restart without disturbing the shared
 * services: a PostgreSQL cluster made by {@code initdb} in a temporary folder (a {@code
 * redis-server} is the testkit's {@link org.messagebus.testkit.PrivateRedis}). A missing binary
 * skips the test loudly (fails it with {@code CI=true}).
 */
final class PrivateStores {

  private PrivateStores() {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * A private PostgreSQL cluster ({@code initdb}, trust authentication, user {@code postgres}) on a
   * free port, its socket in its own folder. As root the cluster belongs to the {@code postgres}
   * system user (PostgreSQL refuses to run as root); otherwise to the current user.
   */
  static final class Postgres implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final Path bin;
    private final boolean root;

    private Postgres(int port, Path dir, Path bin, boolean root) {
      this.port = port;
      this.dir = dir;
      this.bin = bin;
      this.root = root;
    }

    /** The newest {@code /usr/lib/postgresql/<version>/bin} with initdb, or null. */
    private static Path binaries() throws IOException {
      Path base = Path.of("/usr/lib/postgresql");
      if (!Files.isDirectory(base)) {
        return null;
      }
      try (Stream<Path> versions = Files.list(base)) {
        return versions
            .map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(
                Comparator.comparingInt(
                    b -> {
                      try {
                        return Integer.parseInt(b.getParent().getFileName().toString());
                      } catch (NumberFormatException e) {
                        return 0;
                      }
                    }))
            .orElse(null);
      }
    }

    static Postgres start() throws IOException, InterruptedException {
      Path bin = binaries();
      Services.require(
          bin != null,
          "PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin/initdb) are not"
              + " installed (apt-get install postgresql, or run .ci/run)");
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory("mb-it-pg-");
      if (root) {
        run(List.of("chown", "postgres:postgres", dir.toString()), dir, false);
      }
      Postgres pg = new Postgres(freePort(), dir, bin, root);
      pg.pg(
          List.of(
              pg.bin.resolve("initdb").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-U",
              "postgres",
              "-A",
              "trust",
              "--no-sync"));
      pg.startServer();
      return pg;
    }

    int port() {
      return port;
    }

    String jdbcUrl() {
      return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
      List<String> c = new ArrayList<>();
      if (root) {
        c.addAll(List.of("runuser", "-u", "postgres", "--"));
      }
      c.addAll(command);
      run(c, dir, true);
    }

    private static void run(List<String> command, Path dir, boolean log)
        throws IOException, InterruptedException {
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
      Path out = dir.resolve("commands.log");
      if (log && Files.isWritable(dir)) {
        b.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
      } else {
        b.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Process p = b.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        String tail = Files.exists(out) ? Files.readString(out) : "";
        throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + tail);
      }
    }

    void startServer() throws IOException, InterruptedException {
      pg(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-o",
              "-p "
                  + port
                  + " -k "
                  + dir
                  + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
              "start"));
    }

    /**
     * Stops the server: {@code fast} (sessions are ended, open transactions roll back, a clean
     * shutdown) or {@code immediate} (a crash: recovery runs at the next start).
     */
    void stopServer(String mode) throws IOException, InterruptedException {
      pg(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-w",
              "-m",
              mode,
              "stop"));
    }

    @Override
    public void close() throws IOException {
      try {
        stopServer("immediate");
      } catch (IOException e) {
        // already stopped
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      deleteTree(dir);
    }
  }
}
