// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.testkit.PrivateRedis;

/**
 * A publish whose reply is lost after Redis executed it (Redis stopped or the connection dropped
 * mid-command) must be stored and delivered once, not queued and written again; a publish Redis
 * certainly did not store must still be written once Redis accepts it. Runs on a private {@code
 * redis-server}; the lost reply is simulated deterministically through {@link
 * RedisBackend#publishSeam}: the script runs, then the call fails as Lettuce fails it when the
 * connection closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisLostReplyTest {

  private static final String CHANNEL = "/lost-reply";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static PrivateRedis redis;

  private RedisBackend backend;
  private BackendSubscription subscription;
  private final LinkedBlockingQueue<BackendMessage> received = new LinkedBlockingQueue<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = PrivateRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void open() {
    backend = RedisBackend.builder().uri(redis.uri()).retryInterval(Duration.ofMillis(50)).build();
    backend.reset();
    subscription = backend.globalSubscribe(backend.lastGlobalId(), received::add);
  }

  @AfterEach
  void close() {
    subscription.close();
    backend.close();
  }

  /** Publishes and waits until the subscription delivered it (so the backend has seen its id). */
  private void publishAndSee(String payload) throws InterruptedException {
    assertThat(backend.publish(CHANNEL, payload, BackendPublishOptions.NONE)).isPositive();
    assertThat(next().payload()).isEqualTo(payload);
  }

  private BackendMessage next() throws InterruptedException {
    BackendMessage m = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(m).as("a message within " + WAIT).isNotNull();
    return m;
  }

  /** The payloads Redis holds for the channel, in id order. */
  private List<String> stored() {
    List<String> payloads = new ArrayList<>();
    for (BackendMessage m : backend.backlog(CHANNEL, 0)) {
      payloads.add(m.payload());
    }
    return payloads;
  }

  /** Makes the next publish script fail once with {@code failure}, after running it or not. */
  private void failNextPublish(RuntimeException failure, boolean runScriptFirst) {
    AtomicBoolean armed = new AtomicBoolean(true);
    backend.publishSeam(
        script -> {
          if (armed.getAndSet(false)) {
            if (runScriptFirst) {
              script.getAsLong();
            }
            throw failure;
          }
          return script.getAsLong();
        });
  }

  /** Asserts the subscription received exactly {@code payloads} next, then nothing before "end". */
  private void assertReceivedThenEnd(String... payloads) throws InterruptedException {
    publishAndSeeLater("end");
    List<String> got = new ArrayList<>();
    BackendMessage m;
    while (!(m = next()).payload().equals("end")) {
      got.add(m.payload());
    }
    assertThat(got).containsExactly(payloads);
  }

  private void publishAndSeeLater(String payload) {
    await().atMost(WAIT).until(() -> backend.queuedPublishes() == 0);
    assertThat(backend.publish(CHANNEL, payload, BackendPublishOptions.NONE)).isPositive();
  }

  @Test
  void executedButReplyLost_isStoredAndDeliveredOnce() throws Exception {
    publishAndSee("before");
    failNextPublish(new RedisException("Connection closed"), true);

    assertThat(backend.publish(CHANNEL, "lost reply", BackendPublishOptions.NONE))
        .isEqualTo(Backend.QUEUED);

    await().atMost(WAIT).until(() -> backend.queuedPublishes() == 0);
    assertThat(stored()).containsExactly("before", "lost reply");
    assertReceivedThenEnd("lost reply");
    assertThat(stored()).containsExactly("before", "lost reply", "end");
  }

  @Test
  void replyLostBeforeRedisExecutedIt_isWrittenOnce_evenWithThePayloadOfAnEarlierMessage()
      throws Exception {
    publishAndSee("same"); // below the bound: not taken for the lost one
    failNextPublish(new RedisException("Connection closed"), false);

    assertThat(backend.publish(CHANNEL, "same", BackendPublishOptions.NONE))
        .isEqualTo(Backend.QUEUED);

    await().atMost(WAIT).until(() -> backend.queuedPublishes() == 0);
    assertThat(stored()).containsExactly("same", "same");
    assertReceivedThenEnd("same");
  }

  @Test
  void aCertainRefusal_isWrittenOnceRedisAccepts() throws Exception {
    publishAndSee("before");
    failNextPublish(new RedisCommandExecutionException("READONLY replica (test)"), false);

    assertThat(backend.publish(CHANNEL, "refused", BackendPublishOptions.NONE))
        .isEqualTo(Backend.QUEUED);

    await().atMost(WAIT).until(() -> backend.queuedPublishes() == 0);
    assertThat(stored()).containsExactly("before", "refused");
    assertReceivedThenEnd("refused");
  }
}
