package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The coarse timeout wheel of held polls. */
class TimeoutWheelTest {

  private static Client client(String id) {
    return new Client(id, null, List.of(), null, 0, new LinkedHashMap<>(), null);
  }

  @Test
  void armedTimeout_expiresAfterItsDeadline_once() throws Exception {
    LinkedBlockingQueue<Client> expired = new LinkedBlockingQueue<>();
    try (TimeoutWheel wheel = new TimeoutWheel(Duration.ofMillis(640), expired::add)) {
      Client c = client("a");
      long armed = System.nanoTime();
      wheel.add(c, armed + Duration.ofMillis(100).toNanos());

      assertThat(expired.poll(10, TimeUnit.SECONDS)).isSameAs(c);
      long waited = System.nanoTime() - armed;
      assertThat(waited).isGreaterThanOrEqualTo(100_000_000L);
      // Not a whole turn of the wheel (256 ticks of 10 ms) late.
      assertThat(waited).isLessThan(Duration.ofMillis(100 + 2_000).toNanos());
      assertThat(expired.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void manyTimeouts_expireWithinTwoTicks_notAfterATurnOfTheWheel() throws Exception {
    LinkedBlockingQueue<Long> lateness = new LinkedBlockingQueue<>();
    // 6.4 s interval: 100 ms ticks, so one turn of the wheel is 25.6 s.
    try (TimeoutWheel wheel =
        new TimeoutWheel(
            Duration.ofMillis(6400), c -> lateness.add(System.nanoTime() - c.wheelDeadline))) {
      long now = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        wheel.add(client("c" + i), now + Duration.ofMillis(20L * i).toNanos());
      }
      for (int i = 0; i < 20; i++) {
        Long late = lateness.poll(10, TimeUnit.SECONDS);
        assertThat(late).as("expiry %d", i).isNotNull();
        assertThat(late).isBetween(0L, Duration.ofSeconds(5).toNanos());
      }
    }
  }

  @Test
  void removedTimeout_neverExpires_whileOthersInTheSameBucketDo() throws Exception {
    LinkedBlockingQueue<Client> expired = new LinkedBlockingQueue<>();
    try (TimeoutWheel wheel = new TimeoutWheel(Duration.ofMillis(640), expired::add)) {
      Client kept = client("kept");
      Client removed = client("removed");
      Client other = client("other");
      long deadline = System.nanoTime() + Duration.ofMillis(50).toNanos();
      wheel.add(kept, deadline);
      wheel.add(removed, deadline);
      wheel.add(other, deadline);

      wheel.remove(removed);
      wheel.remove(removed);

      assertThat(List.of(expired.poll(10, TimeUnit.SECONDS), expired.poll(10, TimeUnit.SECONDS)))
          .containsExactlyInAnyOrder(kept, other);
      assertThat(expired.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void deadlineBeyondOneTurnOfTheWheel_waitsForItsRound() throws Exception {
    LinkedBlockingQueue<Client> expired = new LinkedBlockingQueue<>();
    // 64 ms interval: 1 ms ticks, 256 buckets, so 400 ms is more than one turn.
    try (TimeoutWheel wheel = new TimeoutWheel(Duration.ofMillis(64), expired::add)) {
      Client c = client("late");
      long armed = System.nanoTime();
      wheel.add(c, armed + Duration.ofMillis(400).toNanos());

      assertThat(expired.poll(10, TimeUnit.SECONDS)).isSameAs(c);
      assertThat(System.nanoTime() - armed).isGreaterThanOrEqualTo(400_000_000L);
    }
  }
}
