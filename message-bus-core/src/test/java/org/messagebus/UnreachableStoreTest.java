package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * A store that cannot be read (Redis or PostgreSQL down) while its live stream still runs: a
 * subscription "from now on" needs no read and goes live; one from a position needs the backlog and
 * fails clearly.
 */
class UnreachableStoreTest {

  /** The memory backend, with reads that fail while {@link #down} is set. */
  static final class FlakyBackend implements Backend {
    final MemoryBackend store = MemoryBackend.create();
    volatile boolean down;

    private void check() {
      if (down) {
        throw new BackendException("store unreachable (test)");
      }
    }

    @Override
    public long publish(String channel, String payload, BackendPublishOptions options) {
      return store.publish(channel, payload, options);
    }

    @Override
    public long lastId(String channel) {
      check();
      return store.lastId(channel);
    }

    @Override
    public long lastGlobalId() {
      check();
      return store.lastGlobalId();
    }

    @Override
    public List<BackendMessage> backlog(String channel, long lastId) {
      check();
      return store.backlog(channel, lastId);
    }

    @Override
    public List<BackendMessage> globalBacklog(long lastGlobalId) {
      check();
      return store.globalBacklog(lastGlobalId);
    }

    @Override
    public BackendMessage getMessage(String channel, long messageId) {
      check();
      return store.getMessage(channel, messageId);
    }

    @Override
    public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
      return store.globalSubscribe(lastGlobalId, listener);
    }

    @Override
    public void reset() {
      store.reset();
    }

    @Override
    public void expireAllBacklogs() {
      store.expireAllBacklogs();
    }

    @Override
    public Retention retention() {
      return store.retention();
    }

    @Override
    public void reconnect() {
      store.reconnect();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  private final FlakyBackend backend = new FlakyBackend();
  private final MessageBus bus =
      MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void tearDown() {
    bus.close();
  }

  @Test
  void subscribingFromNow_whileTheStoreCannotBeRead_goesLive() throws Exception {
    BlockingQueue<Object> first = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> first.add(m.data())); // the bus now listens
    bus.publish("/a", "before");
    assertThat(first.poll(10, TimeUnit.SECONDS)).isEqualTo("before");

    backend.down = true;
    BlockingQueue<Object> channel = new LinkedBlockingQueue<>();
    BlockingQueue<Object> all = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> channel.add(m.data()));
    bus.subscribeAll(m -> all.add(m.data()));
    bus.publish("/a", "during");
    bus.publish("/a", "after");

    assertThat(channel.poll(10, TimeUnit.SECONDS)).isEqualTo("during");
    assertThat(channel.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
    assertThat(all.poll(10, TimeUnit.SECONDS)).isEqualTo("during");
    assertThat(all.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
    // nothing from before the subscription, nothing twice
    bus.publish("/a", "marker");
    assertThat(channel.poll(10, TimeUnit.SECONDS)).isEqualTo("marker");
    assertThat(channel).isEmpty();
  }

  @Test
  void subscribingFromAPosition_whileTheStoreCannotBeRead_failsClearly() {
    bus.subscribe("/a", m -> {});
    backend.down = true;
    assertThatThrownBy(() -> bus.subscribe("/a", 0, m -> {}))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("unreachable");
    backend.down = false;
    bus.publish("/a", "x");
    assertThat(bus.backlog("/a", 0)).extracting(Message::data).containsExactly("x");
  }
}
