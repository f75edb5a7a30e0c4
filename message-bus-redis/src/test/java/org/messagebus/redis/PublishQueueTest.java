// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.spi.BackendPublishOptions;

/** The in-memory publish queue on its own, with a writer standing in for Redis. */
@Timeout(30)
class PublishQueueTest {

  private static final Duration AN_HOUR = Duration.ofHours(1);

  private static PublishQueue.Queued message(String payload) {
    return new PublishQueue.Queued("/q", payload, BackendPublishOptions.NONE);
  }

  @Test
  void flusher_writesInOrderOnceRedisAccepts() {
    List<String> written = new CopyOnWriteArrayList<>();
    PublishQueue queue = new PublishQueue(10, AN_HOUR, p -> written.add(p.payload()) ? 1 : 0);
    queue.add(message("one"), new RedisException("down"));
    // add, not joinIfWaiting: the flusher may already have written "one" and emptied the queue
    queue.add(message("two"), new RedisException("down"));

    await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
    assertThat(written).containsExactly("one", "two");
  }

  @Test
  void stop_wakesAFlusherWaitingToRetry_andStartResumesAtOnce() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch refused = new CountDownLatch(1);
    List<String> written = new CopyOnWriteArrayList<>();
    PublishQueue queue =
        new PublishQueue(
            10,
            AN_HOUR,
            p -> {
              if (attempts.incrementAndGet() == 1) {
                refused.countDown();
                throw new RedisCommandExecutionException("READONLY replica");
              }
              written.add(p.payload());
              return written.size();
            });
    queue.add(message("kept"), new RedisException("down"));
    assertThat(refused.await(10, TimeUnit.SECONDS)).isTrue();

    queue.stop(); // the flusher waits an hour to retry: stopping must not wait for it
    assertThat(queue.size()).isEqualTo(1);
    queue.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
    assertThat(written).containsExactly("kept");
    assertThat(attempts).hasValue(2);
  }

  @Test
  void aPublishRedisRejectsForGood_isDropped_andTold() {
    List<String> written = new CopyOnWriteArrayList<>();
    AtomicInteger dropped = new AtomicInteger();
    PublishQueue queue =
        new PublishQueue(
            10,
            AN_HOUR,
            p -> {
              if (p.payload().equals("bad")) {
                throw new RedisCommandExecutionException("ERR wrong number of arguments (test)");
              }
              written.add(p.payload());
              return written.size();
            },
            PublishQueue.NEVER_STORED,
            dropped::incrementAndGet);
    queue.add(message("bad"), new RedisException("down"));
    queue.add(message("good"), new RedisException("down"));

    await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
    assertThat(written).containsExactly("good");
    assertThat(dropped).hasValue(1);
  }

  @Test
  void joinIfWaiting_withNothingQueued_leavesThePublishToTheCaller() {
    PublishQueue queue = new PublishQueue(10, AN_HOUR, p -> 1);
    assertThat(queue.joinIfWaiting(message("direct"))).isFalse();
    assertThat(queue.size()).isZero();
  }

  @Test
  void add_whenFull_throwsAndKeepsWhatIsQueued() {
    PublishQueue queue =
        new PublishQueue(
            1,
            AN_HOUR,
            p -> {
              throw new RedisException("down");
            });
    queue.add(message("first"), new RedisException("down"));

    assertThatThrownBy(() -> queue.add(message("second"), new RedisException("down")))
        .isInstanceOf(PublishQueueFullException.class)
        .hasMessageContaining("/q");
    assertThat(queue.size()).isEqualTo(1);
    queue.stop();
  }

  @Test
  void rejectedForGood_isDroppedAndTheRestFlushed() {
    List<String> written = new CopyOnWriteArrayList<>();
    PublishQueue queue =
        new PublishQueue(
            10,
            AN_HOUR,
            p -> {
              if (p.payload().equals("bad")) {
                throw new RedisCommandExecutionException("ERR wrong number of arguments");
              }
              written.add(p.payload());
              return written.size();
            });
    queue.add(message("bad"), new RedisException("down"));
    queue.add(message("good"), new RedisException("down")); // the queue may be empty already

    await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
    assertThat(written).containsExactly("good");
  }

  @Test
  void isAmbiguous_onlyForFailuresAfterTheCommandMayHaveBeenSent() {
    // the command may have reached Redis
    assertThat(PublishQueue.isAmbiguous(new RedisException("Connection closed"))).isTrue();
    // how Lettuce fails the commands in flight when the connection drops
    // (reject-while-disconnected)
    assertThat(PublishQueue.isAmbiguous(new RedisException("Connection disconnected"))).isTrue();
    assertThat(PublishQueue.isAmbiguous(new RedisCommandTimeoutException("timed out"))).isTrue();
    assertThat(PublishQueue.isAmbiguous(new RedisException(new java.io.IOException("reset"))))
        .isTrue();
    // certainly not stored: refused, or never sent
    assertThat(PublishQueue.isAmbiguous(new RedisCommandExecutionException("READONLY replica")))
        .isFalse();
    assertThat(PublishQueue.isAmbiguous(new RedisCommandExecutionException("LOADING"))).isFalse();
    assertThat(PublishQueue.isAmbiguous(new RedisCommandExecutionException("OOM"))).isFalse();
    assertThat(PublishQueue.isAmbiguous(new RedisConnectionException("Unable to connect")))
        .isFalse();
    assertThat(
            PublishQueue.isAmbiguous(
                new RedisException("Currently not connected. Commands are rejected.")))
        .isFalse();
    // not transient at all
    assertThat(PublishQueue.isAmbiguous(new RedisCommandExecutionException("ERR syntax")))
        .isFalse();
    assertThat(PublishQueue.isAmbiguous(new RedisCommandInterruptedException(null))).isFalse();
  }

  @Test
  void anUncertainPublishFoundStored_isNotWrittenAgain_andEachStoredMessageMatchesOnce()
      throws Exception {
    List<String> written = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    // Redis "holds" message 7 of /q with payload "lost-reply", once.
    PublishQueue queue =
        new PublishQueue(
            10,
            AN_HOUR,
            p -> {
              if (p.payload().equals("gate")) {
                try {
                  assertThat(gate.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }
              written.add(p.payload());
              return 100 + written.size();
            },
            (p, taken) ->
                p.payload().equals("lost-reply") && !taken.contains("7|/q") ? "7|/q" : null,
            () -> {});
    queue.add(message("gate"), new RedisException("down")); // holds the flusher until all queued
    queue.add(message("lost-reply").uncertainAfter(5), new RedisException("Connection closed"));
    queue.add(message("lost-reply").uncertainAfter(5), new RedisException("Connection closed"));
    queue.add(message("lost-reply"), new RedisException("down")); // certain: never checked
    gate.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
    // The first uncertain one matched the stored message and was not written; the second (same
    // payload) could not take that message again, so it was written; the certain one was written.
    assertThat(written).containsExactly("gate", "lost-reply", "lost-reply");
  }

  @Test
  void aFlusherWriteWhoseReplyIsLost_isCheckedBeforeTheRetry_notWrittenTwice() {
    List<String> redis = new CopyOnWriteArrayList<>(); // what "Redis" stored
    AtomicInteger attempts = new AtomicInteger();
    PublishQueue queue =
        new PublishQueue(
            10,
            Duration.ofMillis(10),
            p -> {
              redis.add(p.payload());
              if (attempts.incrementAndGet() == 1) {
                throw new RedisException("Connection disconnected"); // stored, reply lost
              }
              return redis.size();
            },
            (p, taken) -> redis.contains(p.payload()) && !taken.contains("1|/q") ? "1|/q" : null,
            () -> {});
    queue.add(message("once"), new RedisException("Currently not connected")); // certain

    await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
    assertThat(redis).containsExactly("once");
    assertThat(attempts).hasValue(1);
  }
}
