// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class ServicesTest {

  @Test
  void isCi_readsTrueIgnoringCase_andNothingElse() {
    assertThat(Services.isCi("true")).isTrue();
    assertThat(Services.isCi("TRUE")).isTrue();
    assertThat(Services.isCi("True")).isTrue();
    assertThat(Services.isCi(null)).isFalse();
    assertThat(Services.isCi("")).isFalse();
    assertThat(Services.isCi("1")).isFalse();
    assertThat(Services.isCi("false")).isFalse();
    assertThat(Services.isCi()).isEqualTo(Services.isCi(System.getenv("CI")));
  }

  @Test
  void require_whenAvailable_doesNothing() {
    assertThatCode(() -> Services.require(true, "unused")).doesNotThrowAnyException();
  }

  @Test
  void require_whenMissing_failsOnCiAndSkipsElsewhere() {
    Class<? extends Throwable> expected =
        Services.isCi() ? AssertionFailedError.class : TestAbortedException.class;

    assertThatThrownBy(() -> Services.require(false, "the thing is not installed"))
        .isInstanceOf(expected)
        .hasMessageContaining("the thing is not installed");
  }

  @Test
  void requireService_onAListeningPort_passes_andOnAClosedOne_doesNot() throws Exception {
    int closedPort;
    try (ServerSocket server = new ServerSocket(0)) {
      closedPort = server.getLocalPort();
      assertThat(Services.reachable("127.0.0.1", server.getLocalPort())).isTrue();
      assertThatCode(() -> Services.requireService("test", "127.0.0.1", server.getLocalPort()))
          .doesNotThrowAnyException();
    }

    assertThat(Services.reachable("127.0.0.1", closedPort)).isFalse();
    assertThatThrownBy(() -> Services.requireService("test server", "127.0.0.1", closedPort))
        .hasMessageContaining("test server is not running on 127.0.0.1:" + closedPort);
  }

  @Test
  void redisUri_namesOneDatabaseOfTheSharedRedis() {
    assertThat(Services.redisUri(0)).isEqualTo("redis://127.0.0.1:6379/0");
    assertThat(Services.redisUri(11)).isEqualTo("redis://127.0.0.1:6379/11");
  }

  @Test
  void postgresUrl_namesDatabaseTestOfTheSharedPostgres_withAQuery() {
    assertThat(Services.postgresUrl())
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  }

  @Test
  void aProxyToAService_rewritesItsUrlToTheProxy() throws Exception {
    try (TcpProxy redis = new TcpProxy(Services.HOST, Services.REDIS_PORT);
        TcpProxy postgres = new TcpProxy(Services.HOST, Services.POSTGRES_PORT)) {
      assertThat(redis.url(Services.redisUri(3)))
          .isEqualTo("redis://127.0.0.1:" + redis.port() + "/3");
      assertThat(postgres.url(Services.postgresUrl() + "&connectTimeout=2"))
          .isEqualTo(
              "jdbc:postgresql://127.0.0.1:"
                  + postgres.port()
                  + "/test?user=postgres&connectTimeout=2");
    }
  }
}
