// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.messagebus.BackendStateListener;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.observe.BusObserver;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.spi.Retention;

/**
 * The backend contract through a {@link ForwardingBackend} that overrides nothing, over the memory
 * backend (what it passes on behaves as the backend does); then which default methods it passes on
 * and which call its own methods.
 */
class ForwardingBackendTest extends MemoryBackendContractTest {

  @Override
  protected Backend createBackend(Retention retention) {
    return new ForwardingBackend(super.createBackend(retention)) {};
  }

  /** A memory backend that records what it is told and answers what a wrapper must not take. */
  private static final class Recording extends ForwardingBackend {
    @Nullable BackendStateListener stateListener;
    @Nullable BusObserver observer;

    @Override
    public void stateListener(BackendStateListener listener) {
      stateListener = listener;
    }

    @Override
    public void observer(BusObserver observer) {
      this.observer = observer;
    }

    @Override
    public int queuedPublishes() {
      return 7;
    }

    @Override
    public MessageIdScheme messageIdScheme() {
      return MessageIdScheme.GLOBAL;
    }
  }

  /** Counts the calls of this wrapper's own reads and subscriptions. */
  private static final class Counting extends ForwardingBackend {
    final AtomicInteger lastIdCalls = new AtomicInteger();
    final AtomicInteger globalSubscribeCalls = new AtomicInteger();

    Counting(Backend delegate) {
      super(delegate);
    }

    @Override
    public long lastId(String channel) {
      lastIdCalls.incrementAndGet();
      return super.lastId(channel);
    }

    @Override
    public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
      globalSubscribeCalls.incrementAndGet();
      return super.globalSubscribe(lastGlobalId, listener);
    }
  }

  @Test
  void withoutADelegate_passesOnToANewMemoryBackend() {
    ForwardingBackend backend = new ForwardingBackend() {};
    try {
      assertThat(backend.delegate).isInstanceOf(MemoryBackend.class);
      long id = backend.publish("/a", "x", BackendPublishOptions.NONE);
      assertThat(backend.delegate.lastId("/a")).isEqualTo(id);
    } finally {
      backend.close();
    }
  }

  @Test
  void stateListenerObserverAndQueue_arePassedOn() {
    Recording recording = new Recording();
    ForwardingBackend backend = new ForwardingBackend(recording) {};
    BackendStateListener listener = (state, cause) -> {};
    BusObserver observer = new BusObserver() {};

    backend.stateListener(listener);
    backend.observer(observer);

    assertThat(recording.stateListener).isSameAs(listener);
    assertThat(recording.observer).isSameAs(observer);
    assertThat(backend.queuedPublishes()).isEqualTo(7);
    backend.close();
  }

  @Test
  void messageIdScheme_isUnknown_whateverTheDelegateSays() {
    Recording recording = new Recording();
    ForwardingBackend backend = new ForwardingBackend(recording) {};

    assertThat(recording.messageIdScheme()).isEqualTo(MessageIdScheme.GLOBAL);
    assertThat(backend.messageIdScheme()).isEqualTo(MessageIdScheme.UNKNOWN);
    backend.close();
  }

  @Test
  void lastIdsAndSubscribe_callTheWrappersOwnMethods() {
    Counting backend = new Counting(MemoryBackend.create());
    long a = backend.publish("/a", "x", BackendPublishOptions.NONE);
    long b = backend.publish("/b", "y", BackendPublishOptions.NONE);

    assertThat(backend.lastIds(List.of("/a", "/b", "/none"))).containsExactly(a, b, 0);
    assertThat(backend.lastIdCalls).hasValue(3);

    List<BackendMessage> received = new CopyOnWriteArrayList<>();
    BackendSubscription subscription = backend.subscribe("/a", 0, received::add);
    try {
      assertThat(backend.globalSubscribeCalls).hasValue(1);
      await()
          .atMost(timeout())
          .untilAsserted(
              () -> assertThat(received).extracting(BackendMessage::payload).containsExactly("x"));
    } finally {
      subscription.close();
      backend.close();
    }
  }
}
