// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.spi.DaemonThreads;
import org.messagebus.testkit.Services;

/**
 * The example as processed ahead of time by the build ({@code spring-boot-maven-plugin}'s {@code
 * process-aot}, bound before the tests), started in a JVM of its own with {@code
 * -Dspring.aot.enabled=true}: Spring Boot runs the generated initializer instead of evaluating the
 * configuration, and the bus serves a poll.
 */
@Timeout(180)
class AotApplicationTest {

  private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

  @BeforeAll
  static void postgres() {
    Services.requirePostgres();
  }

  @Test
  void aotProcessedApplication_startsWithAotEnabled_andServesAPoll() throws Exception {
    // the build generated and compiled the application's AOT initializer
    Class.forName(SpringBootExample.class.getName() + "__ApplicationContextInitializer");

    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process app =
        new ProcessBuilder(
                java,
                "-cp",
                classPath,
                "-Dspring.aot.enabled=true",
                SpringBootExample.class.getName(),
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--message-bus.keepalive-interval=0",
                "--spring.main.banner-mode=off")
            .redirectErrorStream(true)
            .start();
    List<String> output = new ArrayList<>();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        DaemonThreads.newThread(
            "aot-app-output",
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                // the process ended
              }
            });
    reader.start();
    try {
      int port = -1;
      while (port < 0) {
        String line = lines.poll(120, TimeUnit.SECONDS);
        assertThat(line)
            .as("application output so far:\n%s", String.join("\n", output))
            .isNotNull();
        output.add(line);
        Matcher m = PORT.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertThat(String.join("\n", output)).contains("Starting AOT-processed SpringBootExample");

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> published =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/announcements"))
                  .header("Content-Type", "text/plain")
                  .POST(HttpRequest.BodyPublishers.ofString("ahead of time"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(published.statusCode()).isEqualTo(200);
      long id = new ObjectMapper().readTree(published.body()).get("id").asLong();

      HttpResponse<String> poll =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/message-bus/aot/poll?dlp=t"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          AnnouncementController.ANNOUNCEMENTS + "=" + (id - 1)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(poll.statusCode()).isEqualTo(200);
      assertThat(poll.headers().firstValue("Content-Type"))
          .contains("application/json; charset=utf-8");
      JsonNode messages = new ObjectMapper().readTree(poll.body());
      assertThat(messages.get(0).get("data").get("text").asText()).isEqualTo("ahead of time");
    } finally {
      app.destroy();
      if (!app.waitFor(30, TimeUnit.SECONDS)) {
        app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
