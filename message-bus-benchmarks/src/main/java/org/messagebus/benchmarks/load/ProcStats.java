// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about a process: CPU time (utime + stime of {@code
 * /proc/<pid>/stat}, all threads, user and kernel), resident set size ({@code VmRSS} of {@code
 * /proc/<pid>/status}) and open file descriptors. The Ruby load server reads the same files.
 */
final class ProcStats {

  /**
   * Clock ticks per second of {@code /proc/<pid>/stat} ({@code getconf CLK_TCK}); the system
   * property {@code clkTck} overrides the Linux default of 100.
   */
  static final long CLK_TCK = Long.getLong("clkTck", 100);

  private ProcStats() {}

  /**
   * CPU time of a process, user and kernel, all threads.
   *
   * @param pid the process, or "self"
   * @return nanoseconds, at the resolution of a clock tick
   * @throws IOException if {@code /proc} cannot be read
   */
  static long cpuNanos(String pid) throws IOException {
    return cpuNanosOf(Files.readString(Path.of("/proc", pid, "stat")));
  }

  /**
   * Reads utime + stime from the text of {@code /proc/<pid>/stat}. The process name (field 2, in
   * parentheses) may contain spaces, so fields are counted after its closing parenthesis: utime and
   * stime are fields 14 and 15 of the line, the 12th and 13th after the name.
   *
   * @param stat the text
   * @return nanoseconds
   */
  static long cpuNanosOf(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ", -1);
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * (1_000_000_000L / CLK_TCK);
  }

  /**
   * Resident set size of a process.
   *
   * @param pid the process, or "self"
   * @return bytes, or -1 when {@code VmRSS} is missing
   * @throws IOException if {@code /proc} cannot be read
   */
  static long rssBytes(String pid) throws IOException {
    return rssBytesOf(Files.readString(Path.of("/proc", pid, "status")));
  }

  /**
   * Reads {@code VmRSS} from the text of {@code /proc/<pid>/status}.
   *
   * @param status the text
   * @return bytes, or -1 when missing
   */
  static long rssBytesOf(String status) {
    for (String line : status.split("\n", -1)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /**
   * Open file descriptors of a process.
   *
   * @param pid the process, or "self"
   * @return the count
   * @throws IOException if {@code /proc} cannot be read
   */
  static long openFileDescriptors(String pid) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
      return fds.count();
    }
  }
}
