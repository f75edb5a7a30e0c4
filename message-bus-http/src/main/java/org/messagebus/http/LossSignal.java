// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;

/**
 * The explicit loss signal (issue 14): a synthetic message on {@value #CHANNEL} that tells a client
 * which channels lost which message ids before its reply, instead of skipping them silently. A
 * client asks for it with the query parameter {@code __loss=1} (polls, streams, Server-Sent Events)
 * or {@code "loss": true} in a WebSocket subscribe frame; without it the wire is Ruby's, byte for
 * byte.
 *
 * <p>The message has ids -1 like {@code /__status} and, as data, an object of channel to {@code
 * {"from": F, "to": T}}: the ids F to T (inclusive) of the channel are gone. {@code "reset": true}
 * marks a channel whose ids restarted (the store was reset, or the channel expired): what followed
 * the client's old position is unknown, the reply carries the channel's retained messages from the
 * start of its new numbering, and F to T is what that numbering lost before its oldest retained
 * message ({@code T < F} when nothing). It comes first in its reply; a {@code /__status} follows
 * the messages and moves the client past the lost range.
 */
final class LossSignal {

  /** The reserved channel of the loss message. */
  static final String CHANNEL = "/__loss";

  /** The query parameter that asks for the loss signal: {@code 1} (on) or {@code 0} (off). */
  static final String PARAMETER = "__loss";

  private LossSignal() {}

  /**
   * Whether a request's query asks for the loss signal. The query is parsed only when it names the
   * parameter, so the queries of stock clients are read as before.
   *
   * @throws BadRequestException 400 for a value other than {@code 1} or {@code 0}
   */
  static boolean requested(@Nullable String query, int maxFields) {
    if (query == null || !query.contains(PARAMETER)) {
      return false;
    }
    boolean on = false;
    for (FormData.Field f : FormData.parseQuery(query, maxFields)) {
      if (PARAMETER.equals(f.key())) {
        String v = f.value();
        if ("1".equals(v)) {
          on = true;
        } else if ("0".equals(v)) {
          on = false;
        } else {
          throw new BadRequestException(
              400,
              PARAMETER
                  + " must be 1 (report lost messages) or 0: "
                  + Reasons.echo(v == null ? "(no value)" : v));
        }
      }
    }
    return on;
  }

  /** The query's fields without the loss parameter (Server-Sent Events read channels from it). */
  static List<FormData.Field> withoutParameter(List<FormData.Field> fields) {
    return fields.stream().filter(f -> !PARAMETER.equals(f.key())).toList();
  }

  /** One channel's entry: the ids from and to (inclusive), and whether its ids restarted. */
  static Map<String, Object> range(long from, long to, boolean reset) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("from", from);
    entry.put("to", to);
    if (reset) {
      entry.put("reset", true);
    }
    return entry;
  }

  /** The loss message for the entries, channel to {@link #range}, in the client's order. */
  static Message message(Map<String, Map<String, Object>> entries) {
    return new Message(-1, -1, CHANNEL, entries, null, List.of(), List.of(), List.of());
  }

  /** Whether a message is the synthetic loss message. */
  static boolean isLoss(Message m) {
    return m.globalId() == -1 && CHANNEL.equals(m.channel());
  }
}
