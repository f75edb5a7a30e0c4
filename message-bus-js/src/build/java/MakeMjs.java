// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code message-bus.mjs}, the ES module build of the JavaScript client, from {@code
 * message-bus.js}. The build runs it in {@code generate-resources} as a single-file Java program
 * ({@code java src/build/java/MakeMjs.java <message-bus.js> <message-bus.mjs>}), so building the
 * jar, and the demo that serves it, needs a JDK only, never Node.
 *
 * <p>The transformation is mechanical. The ES module is: the leading license comment of the classic
 * script; a two-line header; the shared code, from the line {@value #CORE_BEGIN} up to the line
 * {@value #CORE_END} (the {@code createMessageBus(env)} factory), with one level of indentation
 * removed; and a footer that creates the client on {@code globalThis} and exports it (default and
 * named {@code MessageBus}) instead of defining a global. Everything else (the IIFE and the global,
 * AMD and CommonJS wiring) is left out.
 *
 * <p>Exits with status 1 and a message on standard error, writing nothing, when the input lacks the
 * leading comment or the markers; with status 2 on wrong arguments.
 */
public final class MakeMjs {

  /** The line that opens the shared code in {@code message-bus.js}. */
  static final String CORE_BEGIN = "// @core-begin";

  /** The line that closes the shared code in {@code message-bus.js}. */
  static final String CORE_END = "// @core-end";

  private static final String INDENT = "  ";

  private static final String HEADER =
      """
      // GENERATED from message-bus.js by src/build/java/MakeMjs.java during the build: do not edit.
      // The ES module build: `import MessageBus from "./message-bus.mjs"`. It defines no global.
      """;

  private static final String FOOTER =
      """
      const MessageBus = createMessageBus(globalThis);
      /** Without a global to restore, noConflict() only returns the client. */
      MessageBus.noConflict = function () {
        return MessageBus;
      };

      export default MessageBus;
      export { MessageBus };
      """;

  private MakeMjs() {}

  /**
   * Returns the text of {@code message-bus.mjs} for the given {@code message-bus.js} source.
   *
   * @throws IllegalArgumentException if the source does not start with a block comment or lacks the
   *     core markers (or has them out of order)
   */
  static String esModule(String classic) {
    if (!classic.startsWith("/*") || classic.indexOf("*/") < 0) {
      throw new IllegalArgumentException(
          "message-bus.js must start with its license comment (/*! ... */)");
    }
    int begin = classic.indexOf(CORE_BEGIN);
    int end = classic.indexOf(CORE_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "message-bus.js lacks the " + CORE_BEGIN + " / " + CORE_END + " markers (in that order)");
    }
    String banner = classic.substring(0, classic.indexOf("*/") + 2);
    StringBuilder out = new StringBuilder(classic.length());
    out.append(banner).append('\n').append(HEADER);
    String[] lines = classic.substring(begin, end).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append('\n');
      }
      String line = lines[i];
      out.append(line.startsWith(INDENT) ? line.substring(INDENT.length()) : line);
    }
    out.append('\n').append(FOOTER);
    return out.toString();
  }

  /**
   * Reads {@code args[0]} (message-bus.js) and writes {@code args[1]} (message-bus.mjs), creating
   * its folder.
   *
   * @param args the input and output paths
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java MakeMjs.java <message-bus.js> <message-bus.mjs>");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String mjs;
    try {
      mjs = esModule(Files.readString(in, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      System.err.println("MakeMjs: " + in + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    Path folder = out.toAbsolutePath().getParent();
    if (folder != null) {
      Files.createDirectories(folder);
    }
    Files.writeString(out, mjs, StandardCharsets.UTF_8);
  }
}
