package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.Filter;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/** Which adapter of the engine {@link MessageBusServer} builds. */
class AdapterChoiceTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void close() {
    bus.close();
  }

  private MessageBusServer.Builder builder() {
    return MessageBusServer.builder(bus).port(0);
  }

  @Test
  void auto_isTheJettyCoreHandler_whenNothingNeedsAServletContainer() {
    try (MessageBusServer s = builder().build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.JETTY_CORE);
      assertThat(s.filter().isListening()).isTrue();
    }
  }

  @Test
  void auto_isTheServletFilter_withAnApplicationFilter_orAServletLookup() {
    Filter pass = (req, resp, chain) -> chain.doFilter(req, resp);
    try (MessageBusServer s = builder().filter(pass).build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.SERVLET);
    }
    HttpTransportOptions lookup =
        HttpTransportOptions.builder().userIdLookup(req -> req.getHeader("X-User")).build();
    try (MessageBusServer s = builder().httpOptions(lookup).build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.SERVLET);
    }
  }

  @Test
  void jettyCore_withAServletFeature_isRefusedAtBuild() {
    HttpTransportOptions lookup = HttpTransportOptions.builder().isAdminLookup(req -> true).build();
    assertThatThrownBy(
            () ->
                builder().adapter(MessageBusServer.Adapter.JETTY_CORE).httpOptions(lookup).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JETTY_CORE");
  }

  @Test
  void servlet_canBeForced() {
    try (MessageBusServer s = builder().adapter(MessageBusServer.Adapter.SERVLET).build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.SERVLET);
    }
  }
}
