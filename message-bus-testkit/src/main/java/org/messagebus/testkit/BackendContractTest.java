// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.messagebus.BusClosedException;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * The contract every {@link Backend} fulfils (SPEC §3.1 and the backend checklist §10.1), as an
 * abstract JUnit 5 suite: a backend module extends it, implements {@link #createBackend(Retention)}
 * and overrides the hooks where its behaviour legitimately differs (message ids per channel in
 * Redis, expiry on publish in PostgreSQL); the expiry tests need {@link #ageStore} (see {@link
 * AbstractContractTest}).
 *
 * <p>Tests work on raw backend values: encoded channels and payload strings exactly as handed to
 * {@link Backend#publish}. Every backend and subscription a test opens is closed after it. Tests
 * share no static state, so subclasses may run them in parallel as long as {@link
 * #createBackend(Retention)} hands out isolated stores. Subscriptions are observed through blocking
 * queues polled with {@link #timeout()}; nothing sleeps to synchronise.
 *
 * <p>Not covered here: checklist item 1 (the Java compiler enforces the {@link Backend} interface)
 * and item 21 (read-only Redis, a Redis-only scenario).
 *
 * <p><b>Size.</b> Over 500 lines because it is a suite: one short test per behaviour of the SPI
 * contract, kept in one class so an implementer extends one type.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class BackendContractTest extends AbstractContractTest {

  /** The age limit of the expiry tests, long enough that a test's own running time never counts. */
  private static final Duration AGE = Duration.ofHours(1);

  private static final Retention LONG_AGE =
      Retention.builder().maxBacklogAge(AGE.multipliedBy(100)).build();

  private final Deque<AutoCloseable> toClose = new ConcurrentLinkedDeque<>();

  /** Creates the suite; subclasses need no constructor arguments. */
  protected BackendContractTest() {}

  /**
   * Creates a backend on a clean store that no other test uses: empty, ids starting at 1, no other
   * process publishing to it. The suite closes the backend after the test.
   *
   * @param retention the limits the backend must apply
   * @return a new, open backend
   */
  protected abstract Backend createBackend(Retention retention);

  /**
   * Tells whether a message's id in its channel equals its global id (memory, PostgreSQL) rather
   * than counting per channel from 1 (Redis). Default: true.
   *
   * @return true when message id equals global id
   */
  protected boolean messageIdEqualsGlobalId() {
    return true;
  }

  @AfterEach
  final void closeEverything() throws Exception {
    AutoCloseable c;
    while ((c = toClose.pollLast()) != null) {
      c.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private Backend backend(Retention retention) {
    Backend b = createBackend(retention);
    toClose.add(b);
    return b;
  }

  private Backend backend() {
    return backend(Retention.DEFAULTS);
  }

  private BackendSubscription track(BackendSubscription s) {
    toClose.add(s);
    return s;
  }

  private long messageId(long globalId, long perChannelId) {
    return messageIdEqualsGlobalId() ? globalId : perChannelId;
  }

  /** A new inbox on a global subscription of {@code b} after a position, closed after the test. */
  private Inbox globalInbox(Backend b, long lastGlobalId) {
    Inbox inbox = new Inbox();
    track(b.globalSubscribe(lastGlobalId, inbox));
    return inbox;
  }

  /** A new inbox on a subscription of {@code b} to one channel, closed after the test. */
  private Inbox channelInbox(Backend b, String channel, long lastId) {
    Inbox inbox = new Inbox();
    track(b.subscribe(channel, lastId, inbox));
    return inbox;
  }

  /** Publishes each payload to a channel, in order, without overrides. */
  private static void publish(Backend b, String channel, String... payloads) {
    for (String payload : payloads) {
      b.publish(channel, payload, BackendPublishOptions.NONE);
    }
  }

  private static List<String> payloads(List<BackendMessage> messages) {
    return messages.stream().map(BackendMessage::payload).toList();
  }

  /** Collects what a subscription delivers. */
  private final class Inbox implements BackendListener {
    private final LinkedBlockingQueue<BackendMessage> queue = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(BackendMessage message) {
      queue.add(message);
    }

    BackendMessage next() throws InterruptedException {
      BackendMessage m = queue.poll(timeout().toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("a message delivered within %s", timeout()).isNotNull();
      return m;
    }

    List<BackendMessage> next(int count) throws InterruptedException {
      List<BackendMessage> result = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        result.add(next());
      }
      return result;
    }

    List<String> nextPayloads(int count) throws InterruptedException {
      return payloads(next(count));
    }

    boolean isEmpty() {
      return queue.isEmpty();
    }
  }

  // ------------------------------------------------------------------ backlog and retention

  @Test
  void backlog_afterTwoPublishes_returnsBothInOrder() {
    Backend b = backend();
    publish(b, "/foo", "bar", "baz");

    assertThat(b.backlog("/foo", 0))
        .containsExactly(
            new BackendMessage(1, 1, "/foo", "bar"), new BackendMessage(2, 2, "/foo", "baz"));
  }

  @Test
  void backlog_afterMessageId_returnsOnlyLaterMessages() {
    Backend b = backend();
    publish(b, "/foo", "one");
    long second = b.publish("/foo", "two", BackendPublishOptions.NONE);
    publish(b, "/foo", "three");

    assertThat(payloads(b.backlog("/foo", second))).containsExactly("three");
    assertThat(b.backlog("/unknown", 0)).isEmpty();
  }

  @Test
  void retention_givenAtConstruction_isReported() {
    Retention retention = Retention.builder().maxBacklogSize(2000).build();

    assertThat(backend(retention).retention().maxBacklogSize()).isEqualTo(2000);
  }

  @Test
  void backlog_afterMaxBacklogSize_keepsNewest() {
    Backend b = backend(Retention.builder().maxBacklogSize(2).build());
    for (String data : List.of("one", "two", "three", "four")) {
      b.publish("/foo", data, BackendPublishOptions.NONE);
    }

    assertThat(b.backlog("/foo", 0))
        .containsExactly(
            new BackendMessage(3, 3, "/foo", "three"), new BackendMessage(4, 4, "/foo", "four"));
  }

  @Test
  void backlog_afterMaxBacklogSize_keepsNewestOfThatChannelOnly() {
    Backend b = backend(Retention.builder().maxBacklogSize(2).build());
    // Two-byte payloads: Ruby's PostgreSQL table rejects shorter ones.
    publish(b, "/foo", "a1");
    publish(b, "/bar", "b1", "c1");
    publish(b, "/foo", "d1");

    // Ruby's memory backend trims by global-id distance and keeps only "d1"; every Java backend
    // keeps the newest maxBacklogSize messages of the channel.
    assertThat(payloads(b.backlog("/foo", 0))).containsExactly("a1", "d1");
    assertThat(payloads(b.backlog("/bar", 0))).containsExactly("b1", "c1");
  }

  @Test
  void globalBacklog_afterMaxGlobalBacklogSize_keepsNewest() {
    Backend b = backend(Retention.builder().maxGlobalBacklogSize(2).build());
    publish(b, "/foo", "one");
    publish(b, "/bar", "two");
    publish(b, "/baz", "three");

    assertThat(b.globalBacklog(0)).hasSize(2);
    assertThat(payloads(b.globalBacklog(0))).containsExactly("two", "three");
  }

  @Test
  void publish_withMaxBacklogSizeOverride_trimsChannelToIt() {
    Backend b = backend(Retention.builder().maxBacklogSize(100).build());
    BackendPublishOptions sizeTwo = new BackendPublishOptions(null, 2, null);
    b.publish("/foo", "one", sizeTwo);
    b.publish("/foo", "two", sizeTwo);
    b.publish("/foo", "three", sizeTwo);

    assertThat(payloads(b.backlog("/foo", 0))).containsExactly("two", "three");
  }

  @Test
  void globalBacklog_acrossChannels_isOrderedByGlobalId() {
    Backend b = backend();
    publish(b, "/foo", "bar");
    publish(b, "/hello", "world");
    publish(b, "/foo", "baz");
    publish(b, "/hello", "planet");

    assertThat(b.globalBacklog(0))
        .containsExactly(
            new BackendMessage(1, messageId(1, 1), "/foo", "bar"),
            new BackendMessage(2, messageId(2, 1), "/hello", "world"),
            new BackendMessage(3, messageId(3, 2), "/foo", "baz"),
            new BackendMessage(4, messageId(4, 2), "/hello", "planet"));
    assertThat(payloads(b.globalBacklog(2))).containsExactly("baz", "planet");
  }

  @Test
  void globalBacklog_afterChannelTrim_containsOnlySurvivors() {
    Backend b = backend(Retention.builder().maxBacklogSize(1).build());
    publish(b, "/foo", "a1", "b1");
    publish(b, "/bar", "a1", "b1");

    assertThat(b.globalBacklog(0))
        .containsExactly(
            new BackendMessage(2, 2, "/foo", "b1"),
            new BackendMessage(4, messageId(4, 2), "/bar", "b1"));
  }

  @Test
  void clearEvery_trimsOnlyWhenIdIsAMultiple() {
    Backend b = backend(Retention.builder().clearEvery(5).maxGlobalBacklogSize(2).build());
    for (int i = 1; i <= 4; i++) {
      b.publish("/foo", "m" + i, BackendPublishOptions.NONE);
    }
    assertThat(b.globalBacklog(0)).hasSize(4);

    publish(b, "/foo", "m5");

    assertThat(payloads(b.globalBacklog(0))).containsExactly("m4", "m5");
  }

  // ------------------------------------------------------------------ reads

  @Test
  void getMessage_returnsExactMessageForEachId() {
    Backend b = backend();
    long first = b.publish("/foo", "bar", BackendPublishOptions.NONE);
    long second = b.publish("/foo", "baz", BackendPublishOptions.NONE);

    assertThat(b.getMessage("/foo", first)).isEqualTo(new BackendMessage(1, 1, "/foo", "bar"));
    assertThat(b.getMessage("/foo", second)).isEqualTo(new BackendMessage(2, 2, "/foo", "baz"));
  }

  @Test
  void getMessage_forMissingIdOrChannel_returnsNull() {
    Backend b = backend();
    long id = b.publish("/foo", "bar", BackendPublishOptions.NONE);

    assertThat(b.getMessage("/foo", id + 1)).isNull();
    assertThat(b.getMessage("/other", id)).isNull();
  }

  @Test
  void publish_fromFourThreadsConcurrently_storesEveryMessageOnce() throws Exception {
    Backend b = backend();
    int threads = 4;
    int perThread = 25;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<List<Long>>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(
            () -> {
              start.await();
              List<Long> ids = new ArrayList<>();
              for (int i = 0; i < perThread; i++) {
                ids.add(b.publish("/foo", thread + "-" + i, BackendPublishOptions.NONE));
              }
              return ids;
            });
      }
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (Callable<List<Long>> task : tasks) {
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<Long> ids = new ArrayList<>();
      for (Future<List<Long>> f : futures) {
        ids.addAll(f.get(timeout().toMillis(), TimeUnit.MILLISECONDS));
      }

      assertThat(ids).doesNotHaveDuplicates().hasSize(threads * perThread);
      List<BackendMessage> backlog = b.backlog("/foo", 0);
      assertThat(backlog).hasSize(threads * perThread);
      assertThat(backlog).extracting(BackendMessage::messageId).isSorted();
      assertThat(b.lastId("/foo")).isEqualTo((long) threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void pipes_inChannelAndPayload_surviveStorageAndDelivery() throws Exception {
    Backend b = backend();
    Inbox inbox = globalInbox(b, -1);

    long id = b.publish("||", "||", BackendPublishOptions.NONE);

    BackendMessage expected = new BackendMessage(1, 1, "||", "||");
    assertThat(id).isEqualTo(1);
    assertThat(b.backlog("||", 0)).containsExactly(expected);
    assertThat(b.getMessage("||", id)).isEqualTo(expected);
    assertThat(inbox.next()).isEqualTo(expected);
    assertThat(BackendMessage.decode(expected.encode())).isEqualTo(expected);
  }

  @Test
  void lastId_isZeroBeforeAndMessageIdAfterPublish() {
    Backend b = backend();
    assertThat(b.lastId("/foo")).isZero();

    publish(b, "/foo", "one");

    assertThat(b.lastId("/foo")).isEqualTo(1);
    assertThat(b.lastGlobalId()).isEqualTo(1);
  }

  @Test
  void lastIds_matchEachLastIdInInputOrder() {
    Backend b = backend();
    List<String> channels = List.of("/foo", "/bar", "/foobar");
    assertThat(b.lastIds(channels)).containsExactly(0, 0, 0);

    publish(b, "/foo", "one", "two");
    publish(b, "/foobar", "three");

    assertThat(b.lastIds(channels))
        .containsExactly(b.lastId("/foo"), b.lastId("/bar"), b.lastId("/foobar"));
    assertThat(b.lastIds(channels)).containsExactly(2, 0, messageId(3, 1));
  }

  // ------------------------------------------------------------------ expiry

  @Test
  void backlog_afterBackendMaxBacklogAgeIdle_expires() throws Exception {
    Backend b = backend(Retention.builder().maxBacklogAge(AGE).build());
    assertExpiryScenario(b, BackendPublishOptions.NONE);
  }

  @Test
  void backlog_afterPublishMaxBacklogAgeIdle_expires() throws Exception {
    Backend b = backend(LONG_AGE);
    assertExpiryScenario(b, new BackendPublishOptions(AGE, null, null));
  }

  /**
   * SPEC §10.1 items 11 and 12: a message expires once its channel was idle for longer than its
   * age; a channel published to more often than its age keeps its messages, even those older than
   * the age. Time passes by {@linkplain #ageStore ageing the store}.
   */
  private void assertExpiryScenario(Backend b, BackendPublishOptions options) throws Exception {
    long before = b.lastId("/foo");
    b.publish("/foo", "first", options);
    assertThat(b.globalBacklog(0)).hasSize(1);
    assertThat(b.backlog("/foo", 0)).hasSize(1);

    ageStore(b, AGE.plusMinutes(1));
    if (expiresOnlyOnPublish()) {
      b.publish("/foo", "second", options);
      assertThat(payloads(b.backlog("/foo", 0))).containsExactly("second");
      assertThat(b.globalBacklog(0)).hasSize(1);
    } else {
      await()
          .atMost(timeout())
          .until(() -> b.backlog("/foo", 0).isEmpty() && b.globalBacklog(0).isEmpty());
      assertThat(b.lastId("/foo")).isEqualTo(before);
    }

    Duration lessThanTheAge = AGE.multipliedBy(3).dividedBy(5);
    ageStore(b, lessThanTheAge); // "second", if any, is younger than the age: kept
    b.publish("/foo", "third", options);
    ageStore(b, lessThanTheAge); // now "second" is older than the age; "third" is not
    b.publish("/foo", "fourth", options);

    assertThat(payloads(b.backlog("/foo", 0))).containsExactly("third", "fourth");
    assertThat(payloads(b.globalBacklog(0))).containsExactly("third", "fourth");
  }

  // ------------------------------------------------------------------ reset and expireAll

  @Test
  void reset_withRunningSubscription_restartsIdsAndKeepsDelivering() throws Exception {
    Backend b = backend();
    publish(b, "/foo", "one");
    Inbox inbox = channelInbox(b, "/foo", -1);

    publish(b, "/foo", "two");
    assertThat(inbox.next().payload()).isEqualTo("two");

    b.reset();
    assertThat(b.backlog("/foo", 0)).isEmpty();
    assertThat(b.globalBacklog(0)).isEmpty();
    assertThat(b.lastId("/foo")).isZero();
    assertThat(b.lastGlobalId()).isZero();

    long id = b.publish("/foo", "three", BackendPublishOptions.NONE);

    BackendMessage three = inbox.next();
    assertThat(id).isEqualTo(1);
    assertThat(three.payload()).isEqualTo("three");
    assertThat(three.globalId()).isEqualTo(1);
  }

  @Test
  void expireAllBacklogs_withRunningSubscription_emptiesBacklogsAndKeepsDelivering()
      throws Exception {
    Backend b = backend();
    publish(b, "/foo", "one");
    publish(b, "/bar", "two");
    Inbox inbox = globalInbox(b, -1);

    b.expireAllBacklogs();

    assertThat(b.backlog("/foo", 0)).isEmpty();
    assertThat(b.backlog("/bar", 0)).isEmpty();
    publish(b, "/foo", "three");
    assertThat(inbox.next().payload()).isEqualTo("three");
    assertThat(payloads(b.backlog("/foo", 0))).containsExactly("three");
  }

  // ------------------------------------------------------------------ subscriptions

  /**
   * From 0 the whole backlog is replayed, from a position what follows it, and from a position
   * beyond the store's newest id (the store was reset since) the whole backlog again; then live
   * messages follow. Payload {@code 1x} is global id {@code x}.
   */
  @ParameterizedTest(name = "from {0}")
  @CsvSource({"0, 11 12 13", "1, 12 13", "100, 11 12 13"})
  void globalSubscribe_fromPosition_replaysWhatFollowsItThenDeliversLive(
      long position, String expected) throws Exception {
    Backend b = backend();
    publish(b, "/foo", "11");
    publish(b, "/bar", "12");
    Inbox inbox = globalInbox(b, position);

    publish(b, "/foo", "13");

    List<String> want = List.of(expected.split(" "));
    List<BackendMessage> got = inbox.next(want.size());
    assertThat(payloads(got)).isEqualTo(want);
    assertThat(got)
        .extracting(BackendMessage::globalId)
        .containsExactlyElementsOf(want.stream().map(p -> Long.parseLong(p) - 10).toList());
  }

  @Test
  void globalSubscribe_withoutPosition_deliversOnlyLaterMessages() throws Exception {
    Backend b = backend();
    publish(b, "/foo", "11");
    Inbox inbox = new Inbox();
    BackendSubscription s = track(b.globalSubscribe(-1, inbox));

    publish(b, "/bar", "12");

    assertThat(inbox.next().payload()).isEqualTo("12");
    assertThat(s.isSubscribed()).isTrue();
  }

  @Test
  void subscribe_fromZero_deliversOnlyThatChannelOldAndNew() throws Exception {
    Backend b = backend();
    publish(b, "/foo", "11");
    publish(b, "/bar", "12");
    Inbox inbox = channelInbox(b, "/foo", 0);

    publish(b, "/bar", "14");
    publish(b, "/foo", "13");

    List<BackendMessage> got = List.of(inbox.next(), inbox.next());
    assertThat(payloads(got)).containsExactly("11", "13");
    assertThat(got).extracting(BackendMessage::channel).containsOnly("/foo");
  }

  @Test
  void subscribe_fromMessageId_deliversOnlyLaterMessagesOfThatChannel() throws Exception {
    Backend b = backend();
    long first = b.publish("/foo", "11", BackendPublishOptions.NONE);
    publish(b, "/bar", "12");
    publish(b, "/foo", "13");
    Inbox inbox = channelInbox(b, "/foo", first);

    publish(b, "/foo", "14");

    assertThat(inbox.nextPayloads(2)).containsExactly("13", "14");
  }

  @Test
  void subscribe_withoutPosition_deliversOnlyLaterMessages() throws Exception {
    Backend b = backend();
    publish(b, "/foo", "11");
    Inbox inbox = channelInbox(b, "/foo", -1);

    publish(b, "/foo", "12");

    assertThat(inbox.next().payload()).isEqualTo("12");
  }

  @Test
  void subscribe_whilePublishing_deliversEveryLaterMessageOnceInOrder() throws Exception {
    // Payloads are the numbers from FIRST on (two bytes at least: see above).
    int count = FIRST + concurrentPublishCount() - 1;
    Backend b =
        backend(
            Retention.builder().maxBacklogSize(2 * count).maxGlobalBacklogSize(2 * count).build());
    // Message i goes to /foo when i is even, to /bar when odd; its payload is i.
    List<ContiguousSequence> globalSeqs = new ArrayList<>();
    List<Long> globalFirst = new ArrayList<>();
    List<ContiguousSequence> fooSeqs = new ArrayList<>();
    List<Long> fooFirst = new ArrayList<>();
    ExecutorService publisher = Executors.newSingleThreadExecutor();
    try {
      Future<?> publishing = publisher.submit(() -> publishNumbers(b, FIRST, count));
      for (int round = 1; round <= 4; round++) {
        long mark = (long) count * round / 5;
        await()
            .atMost(timeout())
            .pollInterval(Duration.ofMillis(1))
            .until(() -> b.lastGlobalId() >= mark || publishing.isDone());

        List<BackendMessage> all = b.globalBacklog(0);
        ContiguousSequence global = new ContiguousSequence();
        long lastGlobal = all.isEmpty() ? 0 : all.get(all.size() - 1).globalId();
        track(b.globalSubscribe(lastGlobal, m -> global.accept(Long.parseLong(m.payload()))));
        globalSeqs.add(global);
        globalFirst.add(
            all.isEmpty() ? FIRST : Long.parseLong(all.get(all.size() - 1).payload()) + 1);

        List<BackendMessage> foo = b.backlog("/foo", 0);
        ContiguousSequence fooSeq = new ContiguousSequence();
        long lastFoo = foo.isEmpty() ? 0 : foo.get(foo.size() - 1).messageId();
        track(b.subscribe("/foo", lastFoo, m -> fooSeq.accept(Long.parseLong(m.payload()) / 2)));
        fooSeqs.add(fooSeq);
        fooFirst.add(
            foo.isEmpty() ? FIRST / 2 : Long.parseLong(foo.get(foo.size() - 1).payload()) / 2 + 1);
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

  private static final int FIRST = 10;

  private static void publishNumbers(Backend b, int from, int to) {
    for (int i = from; i <= to; i++) {
      b.publish(i % 2 == 0 ? "/foo" : "/bar", Integer.toString(i), BackendPublishOptions.NONE);
    }
  }

  @Test
  void close_ofOneSubscription_stopsItButNotOthers() throws Exception {
    Backend b = backend();
    Inbox closedInbox = new Inbox();
    Inbox openInbox = new Inbox();
    BackendSubscription closing = track(b.globalSubscribe(-1, closedInbox));
    track(b.globalSubscribe(-1, openInbox));

    closing.close();
    publish(b, "/foo", "after close");

    assertThat(openInbox.next().payload()).isEqualTo("after close");
    assertThat(closing.isClosed()).isTrue();
    assertThat(closing.isSubscribed()).isFalse();
    assertThat(closedInbox.isEmpty()).isTrue();
  }

  @Test
  void close_thenUse_throwsBusClosedUntilReconnect() throws Exception {
    Backend b = backend();
    publish(b, "/foo", "before");

    b.close();
    b.close();

    List<ThrowingCallable> uses =
        List.of(
            () -> b.publish("/foo", "after", BackendPublishOptions.NONE),
            () -> b.lastId("/foo"),
            () -> b.lastIds(List.of("/foo")),
            () -> b.lastGlobalId(),
            () -> b.backlog("/foo", 0),
            () -> b.globalBacklog(0),
            () -> b.getMessage("/foo", 1),
            () -> b.globalSubscribe(-1, m -> {}),
            () -> b.reset());
    for (ThrowingCallable use : uses) {
      assertThatThrownBy(use).isInstanceOf(BusClosedException.class);
    }
    b.reconnect();
    assertThat(payloads(b.backlog("/foo", 0))).containsExactly("before");
  }

  @Test
  void reconnect_afterClose_keepsDataAndDeliversAgain() throws Exception {
    Backend b = backend();
    publish(b, "/foo", "before");

    b.close();
    b.reconnect();
    Inbox inbox = channelInbox(b, "/foo", 0);
    publish(b, "/foo", "after");

    assertThat(inbox.nextPayloads(2)).containsExactly("before", "after");
    assertThat(payloads(b.backlog("/foo", 0))).containsExactly("before", "after");
  }
}
