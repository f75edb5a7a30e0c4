// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.messagebus.Message;

/**
 * The JSON of poll replies answered at once, shared between the clients that get the very same
 * messages. Long pollers that fell behind re-poll from the same few positions and get the same
 * backlog (the same {@link Message} instances, from the recent window), so the reply is encoded
 * once and its bytes reused, as {@link Push} does for a live message. A hit needs the same
 * instances in the same order, so the bytes are those {@link Wire#json} would write. A few slots,
 * each the last reply of its hash; replies with a status or loss message (built per client) and
 * large ones are not kept. Safe for concurrent use: an entry is immutable, and losing a race only
 * encodes again.
 */
final class EncodedReplies {

  private static final int SLOTS = 16;
  private static final int MAX_MESSAGES = 64;
  private static final int MAX_BYTES = 64 * 1024;

  /** One reply: its messages (never changed once stored) and their JSON. */
  private static final class Entry {
    final Message[] messages;
    final byte[] body;

    Entry(Message[] messages, byte[] body) {
      this.messages = messages;
      this.body = body;
    }
  }

  private final ObjectMapper json;
  private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

  EncodedReplies(ObjectMapper json) {
    this.json = json;
  }

  /**
   * The JSON array of the messages, as {@link Wire#json} writes it; shared, never to be written to.
   */
  byte[] json(List<Message> messages) {
    int n = messages.size();
    if (n == 0) {
      return Wire.EMPTY_ARRAY;
    }
    Message first = messages.get(0);
    Message last = messages.get(n - 1);
    if (n > MAX_MESSAGES || last.isStatus() || LossSignal.isLoss(first)) {
      return Wire.json(json, messages);
    }
    int slot =
        (System.identityHashCode(first) * 31 + System.identityHashCode(last) + n) & (SLOTS - 1);
    Entry e = slots.get(slot);
    if (e != null && same(e.messages, messages)) {
      return e.body;
    }
    byte[] body = Wire.json(json, messages);
    if (body.length <= MAX_BYTES) {
      slots.set(slot, new Entry(messages.toArray(new Message[0]), body));
    }
    return body;
  }

  @SuppressWarnings("ReferenceEquality") // the same instances, not equal ones
  private static boolean same(Message[] cached, List<Message> messages) {
    if (cached.length != messages.size()) {
      return false;
    }
    for (int i = 0; i < cached.length; i++) {
      if (cached[i] != messages.get(i)) {
        return false;
      }
    }
    return true;
  }
}
