// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpResponseParserTest {

  /** Records what the parser reports: one line per head, the whole body, one per end. */
  private static class Events implements HttpResponseParser.Listener {
    final List<String> list = new ArrayList<>();
    private StringBuilder body;

    @Override
    public void head(HttpResponseParser.Head h) {
      list.add(
          "head "
              + h.status()
              + " "
              + h.contentType()
              + (h.chunked() ? " chunked" : " length " + h.contentLength())
              + (h.close() ? " close" : " keep-alive"));
      body = new StringBuilder();
    }

    @Override
    public void body(byte[] buf, int off, int len) {
      body.append(new String(buf, off, len, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void end() {
      list.add("body " + body);
      list.add("end");
    }
  }

  private static final String STREAMED =
      "HTTP/1.1 200 OK\r\n"
          + "Cache-Control: must-revalidate, private, max-age=0\r\n"
          + "Content-Type: text/plain; charset=utf-8\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "X-Content-Type-Options: nosniff\r\n"
          + "\r\n"
          + "7\r\n[]\r\n|\r\n\r\n"
          + "31;name=value\r\n"
          + "[{\"channel\":\"/a\",\"message_id\":1,\"data\":\"x\"}]"
          + "\r\n|\r\n\r\n"
          + "7\r\n[]\r\n|\r\n\r\n"
          + "0\r\n"
          + "X-Trailer: yes\r\n"
          + "\r\n";

  private static final String HELD =
      "HTTP/1.1 200 OK\r\n"
          + "connection: close\r\n"
          + "content-type: application/json; charset=utf-8\r\n"
          + "content-length: 2\r\n"
          + "\r\n"
          + "[]";

  private static final List<String> EXPECTED =
      List.of(
          "head 200 text/plain; charset=utf-8 chunked keep-alive",
          "body []\r\n|\r\n[{\"channel\":\"/a\",\"message_id\":1,\"data\":\"x\"}]\r\n|\r\n[]\r\n|\r\n",
          "end",
          "head 200 application/json; charset=utf-8 length 2 close",
          "body []",
          "end");

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void twoRepliesInOneRead_parseInOrder() throws Exception {
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    byte[] all = bytes(STREAMED + HELD);
    p.feed(all, 0, all.length);
    assertThat(e.list).isEqualTo(EXPECTED);
    assertThat(p.inResponse()).isFalse();
  }

  @Test
  void replies_splitAtEveryByteBoundary_parseTheSame() throws Exception {
    byte[] all = bytes(STREAMED + HELD);
    for (int cut = 1; cut < all.length; cut++) {
      Events e = new Events();
      HttpResponseParser p = new HttpResponseParser(e);
      p.feed(all, 0, cut);
      p.feed(all, cut, all.length - cut);
      assertThat(e.list).as("cut at %d", cut).isEqualTo(EXPECTED);
    }
  }

  @Test
  void replies_fedOneByteAtATime_parseTheSame() throws Exception {
    byte[] all = bytes(STREAMED + HELD);
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    for (int i = 0; i < all.length; i++) {
      p.feed(all, i, 1);
    }
    assertThat(e.list).isEqualTo(EXPECTED);
  }

  @Test
  void partialReply_isInResponse_andEofSaysCut() throws Exception {
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    byte[] all = bytes(STREAMED);
    p.feed(all, 0, all.length - 5);
    assertThat(p.inResponse()).isTrue();
    assertThat(p.eof()).isTrue();
  }

  @Test
  void bodyWithoutLength_endsWithTheConnection() throws Exception {
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    byte[] all = bytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello");
    p.feed(all, 0, all.length);
    assertThat(p.eof()).isFalse();
    assertThat(e.list).containsExactly("head 200 text/plain length -1 close", "body hello", "end");
  }

  @Test
  void connectionHeader_decidesKeepAlive() throws Exception {
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    byte[] all =
        bytes(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    p.feed(all, 0, all.length);
    assertThat(e.list.stream().filter(s -> s.startsWith("head")).toList())
        .containsExactly(
            "head 200 null length 0 keep-alive",
            "head 200 null length 0 close",
            "head 200 null length 0 keep-alive",
            "head 200 null length 0 close");
  }

  @Test
  void interimResponse_isSkipped() throws Exception {
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    byte[] all = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    p.feed(all, 0, all.length);
    assertThat(e.list).containsExactly("head 204 null length -1 keep-alive", "body ", "end");
  }

  @Test
  void switchingProtocols_handsOverTheAcceptValue_andEveryLaterByteAsBody_untilTheEnd()
      throws Exception {
    byte[] all =
        bytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
                + "\u0081\u0002[]HTTP/1.1 200 OK\r\n\r\n");
    for (int cut = 1; cut < all.length; cut++) {
      List<String> accepts = new ArrayList<>();
      Events e =
          new Events() {
            @Override
            public void head(HttpResponseParser.Head h) {
              accepts.add(h.webSocketAccept());
              super.head(h);
            }
          };
      HttpResponseParser p = new HttpResponseParser(e);
      p.feed(all, 0, cut);
      p.feed(all, cut, all.length - cut);
      assertThat(accepts).as("cut at %d", cut).containsExactly("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      assertThat(p.inResponse()).isTrue();
      assertThat(p.eof()).as("the new protocol ends with the connection, not cut").isFalse();
      assertThat(e.list)
          .containsExactly(
              "head 101 null length -1 keep-alive",
              "body \u0081\u0002[]HTTP/1.1 200 OK\r\n\r\n",
              "end");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: value\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\rX",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
      })
  void malformedInput_isRejected(String reply) {
    HttpResponseParser p = new HttpResponseParser(new Events());
    byte[] all = bytes(reply);
    assertThatThrownBy(() -> p.feed(all, 0, all.length))
        .isInstanceOf(MalformedResponseException.class);
    assertThatThrownBy(() -> p.feed(all, 0, 1))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("after a malformed reply");
  }

  @Test
  void endlessHead_isRejected() {
    HttpResponseParser p = new HttpResponseParser(new Events());
    byte[] head = bytes("HTTP/1.1 200 OK\r\nX: " + "a".repeat(HttpResponseParser.MAX_HEAD));
    assertThatThrownBy(() -> p.feed(head, 0, head.length))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("longer than");
  }

  @Test
  void reset_forgetsAPartialReply() throws Exception {
    Events e = new Events();
    HttpResponseParser p = new HttpResponseParser(e);
    byte[] part = bytes("HTTP/1.1 200 OK\r\nContent-Le");
    p.feed(part, 0, part.length);
    p.reset();
    byte[] all = bytes(HELD);
    p.feed(all, 0, all.length);
    assertThat(e.list)
        .containsExactly(
            "head 200 application/json; charset=utf-8 length 2 close", "body []", "end");
  }
}
