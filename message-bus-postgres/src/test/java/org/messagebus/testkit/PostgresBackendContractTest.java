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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.postgres.PgTestSupport;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/**
 * Runs the backend contract against {@link org.messagebus.postgres.PostgresBackend}, each backend
 * on a table of its own. It lives in the testkit's package only to replace one test whose
 * one-character payloads the Ruby table's check constraint ({@code octet_length(value) >= 2})
 * rejects; the replacement checks the same trimming with two-character payloads.
 */
class PostgresBackendContractTest extends BackendContractTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("backend");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  protected Backend createBackend(Retention retention) {
    return pg.backend().retention(retention).build();
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
  @Override
  void backlog_afterMaxBacklogSize_keepsNewestOfThatChannelOnly() {
    Backend b = createBackend(Retention.builder().maxBacklogSize(2).build());
    try {
      b.publish("/foo", "a1", BackendPublishOptions.NONE);
      b.publish("/bar", "b1", BackendPublishOptions.NONE);
      b.publish("/bar", "c1", BackendPublishOptions.NONE);
      b.publish("/foo", "d1", BackendPublishOptions.NONE);

      assertThat(b.backlog("/foo", 0))
          .extracting(BackendMessage::payload)
          .isEqualTo(List.of("a1", "d1"));
      assertThat(b.backlog("/bar", 0))
          .extracting(BackendMessage::payload)
          .isEqualTo(List.of("b1", "c1"));
    } finally {
      b.close();
    }
  }

  private final List<AutoCloseable> opened = new ArrayList<>();

  private org.messagebus.spi.BackendSubscription trackHere(
      org.messagebus.spi.BackendSubscription s) {
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeOpened() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  @Test
  @Override
  void subscribe_whilePublishing_deliversEveryLaterMessageOnceInOrder() throws Exception {
    int count = 10_000; // 20,000 elsewhere; each publish here is a commit
    Backend b =
        createBackend(
            Retention.builder().maxBacklogSize(2 * count).maxGlobalBacklogSize(2 * count).build());
    opened.add(b);
    // Payloads start at 10: the table rejects one-byte values.
    // Message i goes to /foo when i is even, to /bar when odd; its payload is i.
    List<ContiguousSequence> globalSeqs = new ArrayList<>();
    List<Long> globalFirst = new ArrayList<>();
    List<ContiguousSequence> fooSeqs = new ArrayList<>();
    List<Long> fooFirst = new ArrayList<>();
    ExecutorService publisher = Executors.newSingleThreadExecutor();
    try {
      Future<?> publishing = publisher.submit(() -> publishNumbers(b, 10, count));
      for (int round = 1; round <= 4; round++) {
        long mark = (long) count * round / 5;
        await()
            .atMost(timeout())
            .pollInterval(Duration.ofMillis(1))
            .until(() -> b.lastGlobalId() >= mark || publishing.isDone());

        List<BackendMessage> all = b.globalBacklog(0);
        ContiguousSequence global = new ContiguousSequence();
        long lastGlobal = all.isEmpty() ? 0 : all.get(all.size() - 1).globalId();
        trackHere(b.globalSubscribe(lastGlobal, m -> global.accept(Long.parseLong(m.payload()))));
        globalSeqs.add(global);
        globalFirst.add(all.isEmpty() ? 1 : Long.parseLong(all.get(all.size() - 1).payload()) + 1);

        List<BackendMessage> foo = b.backlog("/foo", 0);
        ContiguousSequence fooSeq = new ContiguousSequence();
        long lastFoo = foo.isEmpty() ? 0 : foo.get(foo.size() - 1).messageId();
        trackHere(
            b.subscribe("/foo", lastFoo, m -> fooSeq.accept(Long.parseLong(m.payload()) / 2)));
        fooSeqs.add(fooSeq);
        fooFirst.add(foo.isEmpty() ? 1 : Long.parseLong(foo.get(foo.size() - 1).payload()) / 2 + 1);
      }
      publishing.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      publisher.shutdownNow();
    }
    // Two more: a late duplicate would arrive before them and break the sequences.
    publishNumbers(b, count + 1, count + 2);

    List<ContiguousSequence> every = new ArrayList<>(globalSeqs);
    every.addAll(fooSeqs);
    await()
        .atMost(timeout())
        .until(
            () ->
                every.stream().anyMatch(q -> q.failure() != null)
                    || (globalSeqs.stream().allMatch(q -> q.last() == count + 2)
                        && fooSeqs.stream().allMatch(q -> q.last() == (count + 2) / 2)));
    for (int i = 0; i < globalSeqs.size(); i++) {
      assertThat(globalSeqs.get(i).failure()).as("global subscription %s", i).isNull();
      assertThat(globalSeqs.get(i).first())
          .as("global subscription %s", i)
          .isEqualTo(globalFirst.get(i));
      assertThat(fooSeqs.get(i).failure()).as("/foo subscription %s", i).isNull();
      assertThat(fooSeqs.get(i).first()).as("/foo subscription %s", i).isEqualTo(fooFirst.get(i));
    }
  }

  private static void publishNumbers(Backend b, int from, int to) {
    for (int i = from; i <= to; i++) {
      b.publish(i % 2 == 0 ? "/foo" : "/bar", Integer.toString(i), BackendPublishOptions.NONE);
    }
  }
}
