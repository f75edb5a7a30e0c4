package org.messagebus.servlet;

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
      assertThat(System.nanoTime() - armed).isGreaterThanOrEqualTo(100_000_000L);
      assertThat(expired.poll(300, TimeUnit.MILLISECONDS)).isNull();
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
