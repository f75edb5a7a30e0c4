package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.MessageListener;
import org.messagebus.postgres.PgTestSupport;
import org.messagebus.spi.Backend;

/**
 * Runs the bus contract over {@link org.messagebus.postgres.PostgresBackend}, each test on a table
 * of its own. It lives in the testkit's package only to scale two tests down: every PostgreSQL
 * publish is a committed transaction (1 to 4 ms on the shared 2-core test machine), so the
 * 100,000-message test sends 10,000 and the 20,000-message one 5,000.
 */
class PostgresMessageBusContractTest extends MessageBusContractTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("bus");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  protected Backend createBackend() {
    return pg.backend().build();
  }

  @Override
  protected boolean expiresOnlyOnPublish() {
    return true;
  }

  @Override
  protected Duration timeout() {
    return Duration.ofSeconds(20);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @Override
  void subscribers_fromZeroAndLive_seeHundredThousandMessagesOnceInOrder() {
    int count = 10_000;
    try (MessageBus bus =
        MessageBus.builder().backend(createBackend()).keepaliveInterval(Duration.ZERO).build()) {
      ContiguousSequence fromZero = new ContiguousSequence();
      ContiguousSequence live = new ContiguousSequence();
      bus.subscribe("/chuck", 0, m -> fromZero.accept(((Number) m.data()).longValue()));
      bus.subscribe("/chuck", m -> live.accept(((Number) m.data()).longValue()));

      for (int i = 1; i <= count + 1; i++) {
        bus.publish("/chuck", i);
      }

      await()
          .atMost(timeout())
          .until(
              () ->
                  fromZero.failure() != null
                      || live.failure() != null
                      || (fromZero.last() > count && live.last() > count));
      for (ContiguousSequence s : List.of(fromZero, live)) {
        assertThat(s.failure()).isNull();
        assertThat(s.first()).isEqualTo(1);
        assertThat(s.count()).isEqualTo(count + 1);
      }
    }
  }

  private final List<MessageBus> opened = new ArrayList<>();

  @AfterEach
  void closeOpened() {
    opened.forEach(MessageBus::close);
  }

  /** Checks one subscriber's stream: data 1, 2, 3... and ascending message ids. */
  private static final class Sequenced implements MessageListener {
    final ContiguousSequence data = new ContiguousSequence();
    final AtomicLong firstId = new AtomicLong(-1);
    final AtomicLong lastId = new AtomicLong(-1);
    final AtomicReference<String> idFailure = new AtomicReference<>();

    @Override
    public void onMessage(Message m) {
      data.accept(((Number) m.data()).longValue());
      firstId.compareAndSet(-1, m.messageId());
      if (m.messageId() <= lastId.get()) {
        idFailure.compareAndSet(null, "id " + m.messageId() + " after " + lastId.get());
      }
      lastId.set(m.messageId());
    }

    boolean broken() {
      return data.failure() != null || idFailure.get() != null;
    }
  }

  @Test
  @Override
  void subscribe_whilePublishing_deliversWithoutGapOrDuplicate() throws Exception {
    int count = 5_000; // 20,000 elsewhere; each publish here is a commit
    MessageBus bus =
        MessageBus.builder().backend(createBackend()).keepaliveInterval(Duration.ZERO).build();
    opened.add(bus);
    ExecutorService publisher = Executors.newSingleThreadExecutor();
    List<Sequenced> subscribers = new ArrayList<>();
    List<Long> positions = new ArrayList<>();
    try {
      Future<?> publishing =
          publisher.submit(
              () -> {
                for (int i = 1; i <= count; i++) {
                  bus.publish("/chuck", i);
                }
              });
      for (int round = 1; round <= 4; round++) {
        long mark = (long) count * round / 5;
        await()
            .atMost(timeout())
            .pollInterval(Duration.ofMillis(1))
            .until(() -> bus.lastId("/chuck") >= mark || publishing.isDone());
        long position = bus.lastId("/chuck");
        Sequenced fromPosition = new Sequenced();
        Sequenced live = new Sequenced();
        Sequenced everything = new Sequenced();
        bus.subscribe("/chuck", position, fromPosition);
        bus.subscribe("/chuck", live);
        // One channel in a fresh store: its message ids are the global ids.
        bus.subscribeAll(position, everything);
        for (Sequenced s : List.of(fromPosition, live, everything)) {
          subscribers.add(s);
          positions.add(position);
        }
      }
      publishing.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      publisher.shutdownNow();
    }
    bus.publish("/chuck", count + 1);

    await()
        .atMost(timeout())
        .until(
            () ->
                subscribers.stream().anyMatch(Sequenced::broken)
                    || subscribers.stream().allMatch(s -> s.data.last() > count));
    for (int i = 0; i < subscribers.size(); i++) {
      Sequenced s = subscribers.get(i);
      assertThat(s.data.failure()).as("subscriber %s", i).isNull();
      assertThat(s.idFailure.get()).as("subscriber %s", i).isNull();
      // Never anything at or before the position; from the position on, the backlog may have been
      // trimmed while the subscriber caught up, but nothing after its first message is missing.
      assertThat(s.firstId.get()).as("subscriber %s", i).isGreaterThan(positions.get(i));
      assertThat(s.data.last()).as("subscriber %s", i).isEqualTo(count + 1);
    }
  }
}
