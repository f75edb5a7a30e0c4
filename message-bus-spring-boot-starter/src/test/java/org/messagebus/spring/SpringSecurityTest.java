// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.servlet.MessageBusFilter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The endpoint behind Spring Security on Tomcat, over real sockets, in the two documented setups:
 * the client sends the CSRF token (as the JavaScript client does with {@code MessageBus.headers =
 * {"X-CSRF-TOKEN": token}}), or only the poll route is exempt from CSRF. Polls are authenticated
 * (HTTP Basic here), the user id comes from the principal ({@code
 * message-bus.security.user-id-from-principal=true}), and the bus's replies keep their exact
 * headers and set no cookie.
 */
@Timeout(120)
class SpringSecurityTest {

  private static final String ALICE = basic("alice");
  private static final String BOB = basic("bob");

  private static ConfigurableApplicationContext tokenApp;
  private static ConfigurableApplicationContext exemptApp;

  @BeforeAll
  static void start() {
    tokenApp = run(TokenApp.class);
    exemptApp = run(ExemptPollApp.class);
  }

  @AfterAll
  static void stop() {
    if (tokenApp != null) {
      tokenApp.close();
    }
    if (exemptApp != null) {
      exemptApp.close();
    }
  }

  @Test
  void poll_withoutTheCsrfToken_isRefused() throws Exception {
    try (RawHttp poll = RawHttp.connect(port(tokenApp))) {
      String response =
          poll.post("/message-bus/c1/poll?dlp=t", "/x=0", ALICE, "Connection: close").readToEnd();
      assertThat(response).startsWith("HTTP/1.1 403 ");
    }
  }

  @Test
  void poll_withTheCsrfTokenHeader_isServed_withTheBusHeadersExactly_andNoCookie()
      throws Exception {
    String[] session = csrfSession(tokenApp);
    MessageBus bus = tokenApp.getBean(MessageBus.class);
    bus.publish("/secure-backlog", "one");
    try (RawHttp poll = RawHttp.connect(port(tokenApp))) {
      String response =
          poll.post(
                  "/message-bus/c2/poll?dlp=t",
                  "/secure-backlog=0",
                  ALICE,
                  "Cookie: " + session[0],
                  "X-CSRF-TOKEN: " + session[1],
                  "Connection: close")
              .readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.header(response, "Content-Type"))
          .isEqualTo("application/json; charset=utf-8");
      assertThat(RawHttp.header(response, "Cache-Control"))
          .isEqualTo("must-revalidate, private, max-age=0");
      assertThat(RawHttp.header(response, "Pragma")).isEqualTo("no-cache");
      assertThat(RawHttp.header(response, "Expires")).isEqualTo("0");
      assertThat(RawHttp.headers(response, "Set-Cookie")).isEmpty();
      assertThat(RawHttp.body(response)).contains("\"data\":\"one\"");
    }
  }

  @Test
  void userIdFromPrincipal_targetsTheAuthenticatedUser_onAHeldStream() throws Exception {
    MessageBus bus = exemptApp.getBean(MessageBus.class);
    MessageBusFilter filter = exemptApp.getBean(MessageBusFilter.class);
    long last = bus.lastId("/secure-user");
    try (RawHttp alice = RawHttp.connect(port(exemptApp));
        RawHttp bob = RawHttp.connect(port(exemptApp))) {
      alice.post("/message-bus/c3/poll", "/secure-user=" + last, ALICE);
      bob.post("/message-bus/c4/poll", "/secure-user=" + last, BOB, "Dont-Chunk: true");
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 2);

      bus.publish("/secure-user", "for alice", PublishOptions.builder().userIds("alice").build());

      String streamed = alice.readUntil("for alice");
      assertThat(streamed).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.header(streamed, "Content-Type")).isEqualTo("text/plain; charset=utf-8");
      assertThat(RawHttp.header(streamed, "Transfer-Encoding")).isEqualTo("chunked");
      assertThat(RawHttp.header(streamed, "Cache-Control"))
          .isEqualTo("must-revalidate, private, max-age=0");
      assertThat(RawHttp.headers(streamed, "Set-Cookie")).isEmpty();

      bus.publish("/secure-user", "for everyone");
      String bobs = bob.readToEnd();
      assertThat(RawHttp.body(bobs)).doesNotContain("for alice").contains("for everyone");
      assertThat(RawHttp.headers(bobs, "Set-Cookie")).isEmpty();
    }
  }

  @Test
  void exemptPollRoute_servesPollsWithoutToken_butBroadcastAndDiagnosticsStillNeedIt()
      throws Exception {
    int port = port(exemptApp);
    try (RawHttp poll = RawHttp.connect(port)) {
      String response =
          poll.post("/message-bus/c5/poll?dlp=t", "/x=0", ALICE, "Connection: close").readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.headers(response, "Set-Cookie")).isEmpty();
    }
    try (RawHttp broadcast = RawHttp.connect(port)) {
      String response =
          broadcast
              .post("/message-bus/broadcast?channel=/x&data=y", "", ALICE, "Connection: close")
              .readToEnd();
      assertThat(response).startsWith("HTTP/1.1 403 ");
    }
    try (RawHttp diagnostics = RawHttp.connect(port)) {
      String response =
          diagnostics
              .post("/message-bus/_diagnostics/discover", "", ALICE, "Connection: close")
              .readToEnd();
      assertThat(response).startsWith("HTTP/1.1 403 ");
      assertThat(RawHttp.body(response)).doesNotContain("not allowed"); // Security's 403
    }
  }

  @Test
  void unauthenticatedPoll_isRefusedBySecurity() throws Exception {
    try (RawHttp poll = RawHttp.connect(port(exemptApp))) {
      String response =
          poll.post("/message-bus/c6/poll?dlp=t", "/x=0", "Connection: close").readToEnd();
      assertThat(response).startsWith("HTTP/1.1 401 ");
    }
  }

  /** A session cookie and its CSRF token, as a page would hand them to the JavaScript client. */
  private static String[] csrfSession(ConfigurableApplicationContext app) throws Exception {
    try (RawHttp page = RawHttp.connect(port(app))) {
      String response = page.get("/csrf", ALICE, "Connection: close").readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      String cookie = RawHttp.header(response, "Set-Cookie").split(";")[0];
      return new String[] {cookie, RawHttp.body(response)};
    }
  }

  private static ConfigurableApplicationContext run(Class<?> app) {
    return new SpringApplication(app)
        .run(
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--spring.autoconfigure.exclude=",
            "--message-bus.keepalive-interval=0",
            "--message-bus.http.long-polling-interval=8s",
            "--message-bus.http.allow-broadcast=true",
            "--message-bus.security.user-id-from-principal=true");
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  private static String basic(String user) {
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
  }

  /** Users, a page that hands out the CSRF token, and an administrator check. */
  @RestController
  static class Common {
    @GetMapping("/csrf")
    String csrf(CsrfToken token) {
      return token.getToken();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}pw").roles("USER").build(),
          User.withUsername("bob").password("{noop}pw").roles("USER").build());
    }

    @Bean
    org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
      return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
    }

    @Bean
    MessageBusIsAdminLookup isAdmin() {
      return req -> req.getUserPrincipal() != null;
    }
  }

  /** CSRF on every POST: the client sends the token. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Common.class)
  static class TokenApp {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              a -> a.requestMatchers("/error").permitAll().anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults())
          .csrf(Customizer.withDefaults())
          .build();
    }
  }

  /** CSRF on every POST except the poll route. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Common.class)
  static class ExemptPollApp {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              a -> a.requestMatchers("/error").permitAll().anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.ignoringRequestMatchers("/message-bus/*/poll"))
          .build();
    }
  }
}
