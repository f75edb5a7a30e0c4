// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.messagebus.spring.ApplicationJsonCodecTest.APPENDIX_A_FOO;
import static org.messagebus.spring.ApplicationJsonCodecTest.MEETING_DATA;
import static org.messagebus.spring.ApplicationJsonCodecTest.MEETING_ENVELOPE;
import static org.messagebus.spring.ApplicationJsonCodecTest.TRICKY;
import static org.messagebus.spring.ApplicationJsonCodecTest.fooData;
import static org.messagebus.spring.ApplicationJsonCodecTest.meeting;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A Spring Boot 4 web application whose Jackson 3 mapper indents, escapes non-ASCII characters and
 * {@code /}, and leaves out nulls: the bus stores Ruby's bytes (SPEC Appendix A) and the poll
 * replies on the socket are Ruby's bytes, while the application's customisations show in {@code
 * data}.
 */
@Timeout(60)
@SpringBootTest(
    classes = {ApplicationJsonWireTest.App.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "message-bus.keepalive-interval=0",
      "server.address=127.0.0.1",
      "spring.jackson.property-naming-strategy=SNAKE_CASE",
      "spring.jackson.serialization.indent-output=true",
      "spring.jackson.json.write.escape-non-ascii=true",
      "spring.jackson.json.write.escape-forward-slashes=true",
      "spring.jackson.default-property-inclusion=non_null"
    })
class ApplicationJsonWireTest {

  @LocalServerPort int port;
  @Autowired MessageBus bus;

  /** Ids restart at 1, as in Appendix A. */
  @BeforeEach
  void emptyStore() {
    bus.reset();
  }

  private String stored(String channel) {
    return bus.backend().backlog(channel, 0).get(0).payload();
  }

  private String poll(String form) throws Exception {
    try (RawHttp poll = RawHttp.connect(port)) {
      String response =
          poll.post("/message-bus/abc/poll?dlp=t", form, "Connection: close", "X-User: 1")
              .readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      return RawHttp.body(response);
    }
  }

  @Test
  void immediatePoll_withAnIndentingApplicationMapper_isByteIdenticalToAppendixA()
      throws Exception {
    bus.publish("/foo", "hello");
    bus.publish("/foo", "world");

    assertThat(poll("/foo=0&/bar=-1&__seq=1"))
        .isEqualTo(
            "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/foo\",\"data\":\"hello\"},"
                + "{\"global_id\":2,\"message_id\":2,\"channel\":\"/foo\",\"data\":\"world\"},"
                + "{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\","
                + "\"data\":{\"/bar\":0}}]");
  }

  @Test
  void recordWithInstant_isWrittenByTheApplicationsMapper_storedAndServedInRubyForm()
      throws Exception {
    bus.publish("/meetings", meeting());
    bus.publish("/foo", fooData(), PublishOptions.builder().userIds(1L, "2").build());

    assertThat(stored("/meetings")).isEqualTo(MEETING_ENVELOPE);
    assertThat(stored("/foo")).isEqualTo(APPENDIX_A_FOO);
    assertThat(poll("/meetings=0&/foo=0"))
        .isEqualTo(
            "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/meetings\",\"data\":"
                + MEETING_DATA
                + "},{\"global_id\":2,\"message_id\":2,\"channel\":\"/foo\","
                + "\"data\":{\"a\":1,\"s\":\""
                + TRICKY
                + "\"}}]");
  }

  /**
   * A Spring Boot web application on Tomcat with the application's Jackson 3 module; the poller is
   * the user named in {@code X-User}.
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(ApplicationJsonCodecTest.Jackson3Module.class)
  static class App {
    @Bean
    TomcatServletWebServerFactory tomcat() {
      return new TomcatServletWebServerFactory();
    }

    @Bean
    MessageBusUserIdLookup userIdLookup() {
      return req -> req.getHeader("X-User") == null ? null : Long.valueOf(req.getHeader("X-User"));
    }
  }
}
