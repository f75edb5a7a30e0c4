// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventStreamParserTest {

  private final List<String> seen = new ArrayList<>();
  private final EventStreamParser parser =
      new EventStreamParser(
          new EventStreamParser.Listener() {
            @Override
            public void event(String lastEventId, byte[] data, int off, int len) {
              seen.add(
                  "event "
                      + lastEventId
                      + " "
                      + new String(data, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void comment() {
              seen.add("comment");
            }

            @Override
            public void retry(long millis) {
              seen.add("retry " + millis);
            }
          });

  private void feed(String s) throws MalformedResponseException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    parser.feed(b, 0, b.length);
  }

  /** What the bus sends (docs/http.md): retry, one event per message, heartbeat comments. */
  private static final String STREAM =
      "retry: 1000\n\n"
          + "id: 12,0\ndata: {\"global_id\":12,\"message_id\":12,\"channel\":\"/chat\",\"data\":\"hé\"}\n\n"
          + "id: 12,5\ndata: {\"channel\":\"/__status\",\"data\":{\"/news\":5}}\n\n"
          + ":\n\n";

  private static final List<String> EXPECTED =
      List.of(
          "retry 1000",
          "event 12,0 {\"global_id\":12,\"message_id\":12,\"channel\":\"/chat\",\"data\":\"hé\"}",
          "event 12,5 {\"channel\":\"/__status\",\"data\":{\"/news\":5}}",
          "comment");

  @Test
  void theBusStream_inOnePiece() throws Exception {
    feed(STREAM);
    assertThat(seen).isEqualTo(EXPECTED);
    assertThat(parser.lastEventId()).isEqualTo("12,5");
  }

  @Test
  void theBusStream_splitAtEveryByte_givesTheSameEvents() throws Exception {
    byte[] b = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      parser.feed(b, i, 1); // splits inside the UTF-8 of é, inside field names, between LF LF
    }
    assertThat(seen).isEqualTo(EXPECTED);
  }

  @Test
  void theBusStream_splitAtEveryPoint_inTwoPieces() throws Exception {
    byte[] b = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= b.length; cut++) {
      seen.clear();
      EventStreamParser p = new EventStreamParser(listenerInto(seen));
      p.feed(b, 0, cut);
      p.feed(b, cut, b.length - cut);
      assertThat(seen).as("cut at %d", cut).isEqualTo(EXPECTED);
    }
  }

  private static EventStreamParser.Listener listenerInto(List<String> into) {
    return new EventStreamParser.Listener() {
      @Override
      public void event(String lastEventId, byte[] data, int off, int len) {
        into.add("event " + lastEventId + " " + new String(data, off, len, StandardCharsets.UTF_8));
      }

      @Override
      public void comment() {
        into.add("comment");
      }

      @Override
      public void retry(long millis) {
        into.add("retry " + millis);
      }
    };
  }

  @Test
  void crLfAndCrLineEnds_evenACrLfSplitAcrossReads_countOnce() throws Exception {
    feed("id: 1\r\ndata: a\r");
    feed("\ndata: b\r\r");
    feed("data: c\r");
    feed("\n\r\n");
    assertThat(seen).containsExactly("event 1 a\nb", "event 1 c");
  }

  @Test
  void eventWithoutData_setsTheIdButDispatchesNothing_andTheIdCarriesOver() throws Exception {
    feed("id: 7\n\ndata:x\n\n");
    assertThat(seen).containsExactly("event 7 x");
    assertThat(parser.lastEventId()).isEqualTo("7");
  }

  @Test
  void fieldRules_oneSpaceDropped_noColon_unknownAndBadRetryIgnored() throws Exception {
    feed("data:  two spaces\nevent: x\nfoo: bar\nretry: 12a\nretry\ndata\n\n");
    assertThat(seen).containsExactly("event   two spaces\n");
  }

  @Test
  void anEventCutOffByTheEndOfTheStream_isDropped_andTheIdIsKept() throws Exception {
    feed("id: 3\ndata: whole\n\nid: 4\ndata: half");
    parser.end();
    feed("data: next\n\n");
    assertThat(seen).containsExactly("event 3 whole", "event 4 next");
  }

  @Test
  void aByteOrderMarkAtTheStart_isSkipped() throws Exception {
    feed("\uFEFFdata: x\n\n");
    assertThat(seen).containsExactly("event  x");
  }

  @Test
  void aLineOverTheLimit_isMalformed() {
    byte[] big = new byte[EventStreamParser.MAX_LINE + 1];
    java.util.Arrays.fill(big, (byte) 'a');
    assertThatThrownBy(() -> parser.feed(big, 0, big.length))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("longer than");
  }
}
