// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/**
 * The atomic publish of SPEC §3.2.2 ({@code publish.lua}): increments both ids, stores the message
 * in the channel and global backlogs with their time to live, announces it and trims. Run with
 * {@code EVALSHA}, falling back to {@code EVAL} when the server does not know the script yet (after
 * a restart or {@code SCRIPT FLUSH}). Stateless and thread-safe.
 */
final class PublishScript {

  private static final String SOURCE = load();
  private static final String SHA = sha1Hex(SOURCE);

  private PublishScript() {}

  /**
   * Publishes one message.
   *
   * @return the channel's message id
   * @throws RuntimeException Lettuce's exception when Redis refuses or is unreachable
   */
  static long run(
      RedisCommands<String, String> redis,
      String notificationChannel,
      Retention retention,
      String channel,
      String payload,
      BackendPublishOptions options) {
    String[] keys = {
      RedisKeys.GLOBAL_ID_KEY,
      RedisKeys.backlogIdKey(channel),
      RedisKeys.backlogKey(channel),
      RedisKeys.GLOBAL_BACKLOG_KEY,
      notificationChannel
    };
    String[] args = {
      BackendMessage.encodeWithoutIds(channel, payload),
      Long.toString(Math.max(1, options.effectiveMaxBacklogAge(retention).toMillis())),
      Integer.toString(options.effectiveMaxBacklogSize(retention)),
      Integer.toString(retention.maxGlobalBacklogSize()),
      channel,
      Integer.toString(retention.clearEvery())
    };
    Long id;
    try {
      id = redis.evalsha(SHA, ScriptOutputType.INTEGER, keys, args);
    } catch (RedisNoScriptException e) {
      id = redis.eval(SOURCE, ScriptOutputType.INTEGER, keys, args);
    }
    return id;
  }

  static String source() {
    return SOURCE;
  }

  static String sha() {
    return SHA;
  }

  private static String load() {
    try (InputStream in = PublishScript.class.getResourceAsStream("publish.lua")) {
      if (in == null) {
        throw new IllegalStateException("publish.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read publish.lua", e);
    }
  }

  static String sha1Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JDK", e);
    }
  }
}
