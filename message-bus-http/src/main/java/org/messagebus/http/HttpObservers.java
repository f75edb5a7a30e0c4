// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.spi.ObserverList;

/**
 * The observers of one engine ({@link HttpEngine#observe}). It is itself the {@link HttpObserver}
 * the engine and its polls report to: each call reads the current observer once (a volatile field,
 * {@link HttpObserver#NOOP} until one is added) and forwards, so polls held before an observer was
 * added report to it too. The list is an {@link ObserverList}: adding and removing copy it; each
 * observer call is isolated.
 */
final class HttpObservers implements HttpObserver {

  private final ObserverList<HttpObserver> observers =
      new ObserverList<>(NOOP, "HTTP observer", Guarded::new, Fanout::new);

  ObserverRegistration add(HttpObserver observer) {
    return observers.add(observer);
  }

  /** What the engine reports to: {@link HttpObserver#NOOP} while nobody observes. */
  HttpObserver current() {
    return observers.current();
  }

  @Override
  public void pollEnded(PollMode mode, PollOutcome outcome) {
    observers.current().pollEnded(mode, outcome);
  }

  /**
   * A poll request failed before it was held.
   *
   * @param mode the poll's mode, or null when the request never reached the poll route
   * @param status the status answered, or 0 when the client was gone
   */
  void failed(@Nullable PollMode mode, int status) {
    if (mode == null) {
      return;
    }
    PollOutcome outcome;
    if (status == 0) {
      outcome = PollOutcome.DISCONNECTED;
    } else if (status == 429) {
      outcome = PollOutcome.TOO_MANY_REQUESTS;
    } else if (status >= 400 && status < 500) {
      outcome = PollOutcome.CLIENT_ERROR;
    } else {
      outcome = PollOutcome.SERVER_ERROR;
    }
    observers.current().pollEnded(mode, outcome);
  }

  @Override
  public void delivered(int messages) {
    observers.current().delivered(messages);
  }

  @Override
  public void bytesWritten(long bytes) {
    observers.current().bytesWritten(bytes);
  }

  @Override
  public void overCapacity() {
    observers.current().overCapacity();
  }

  @Override
  public void webSocketOpened() {
    observers.current().webSocketOpened();
  }

  @Override
  public void webSocketClosed(int code) {
    observers.current().webSocketClosed(code);
  }

  @Override
  public void webSocketRefused(int status) {
    observers.current().webSocketRefused(status);
  }

  /** One observer, each call isolated; the first failure is logged at WARN, later ones at DEBUG. */
  private static final class Guarded implements HttpObserver {
    private final HttpObserver target;
    private final ObserverList.Failures failures;

    Guarded(HttpObserver target, ObserverList.Failures failures) {
      this.target = target;
      this.failures = failures;
    }

    @Override
    public void pollEnded(PollMode mode, PollOutcome outcome) {
      try {
        target.pollEnded(mode, outcome);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void delivered(int messages) {
      try {
        target.delivered(messages);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void bytesWritten(long bytes) {
      try {
        target.bytesWritten(bytes);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void overCapacity() {
      try {
        target.overCapacity();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void webSocketOpened() {
      try {
        target.webSocketOpened();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void webSocketClosed(int code) {
      try {
        target.webSocketClosed(code);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void webSocketRefused(int status) {
      try {
        target.webSocketRefused(status);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }
  }

  /** Several observers, in the order they were added. */
  private static final class Fanout implements HttpObserver {
    private final List<HttpObserver> targets;

    Fanout(List<HttpObserver> targets) {
      this.targets = targets;
    }

    @Override
    public void pollEnded(PollMode mode, PollOutcome outcome) {
      targets.forEach(t -> t.pollEnded(mode, outcome));
    }

    @Override
    public void delivered(int messages) {
      targets.forEach(t -> t.delivered(messages));
    }

    @Override
    public void bytesWritten(long bytes) {
      targets.forEach(t -> t.bytesWritten(bytes));
    }

    @Override
    public void overCapacity() {
      targets.forEach(HttpObserver::overCapacity);
    }

    @Override
    public void webSocketOpened() {
      targets.forEach(HttpObserver::webSocketOpened);
    }

    @Override
    public void webSocketClosed(int code) {
      targets.forEach(t -> t.webSocketClosed(code));
    }

    @Override
    public void webSocketRefused(int status) {
      targets.forEach(t -> t.webSocketRefused(status));
    }
  }
}
