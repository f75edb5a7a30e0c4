// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Credentials never reach a log line or an error message, whatever form the URL has. */
class RedactionTest {

  @Test
  void userInfo_isHidden_inEveryScheme() {
    assertThat(Redaction.url("jdbc:postgresql://app:s3cret@db:5432/app"))
        .isEqualTo("jdbc:postgresql://***@db:5432/app");
    assertThat(Redaction.url("postgresql://app@db/app")).isEqualTo("postgresql://***@db/app");
    assertThat(Redaction.url("redis://user:s3cret@cache:6379/2"))
        .isEqualTo("redis://***@cache:6379/2");
    assertThat(Redaction.url("rediss://:s3cret@cache:6379/0"))
        .isEqualTo("rediss://***@cache:6379/0");
    assertThat(Redaction.url("redis-sentinel://:s3cret@s1:26379,s2:26379/0#primary"))
        .isEqualTo("redis-sentinel://***@s1:26379,s2:26379/0#primary");
  }

  @Test
  void passwordsWithSlashesOrAts_areHiddenWhole() {
    assertThat(Redaction.url("jdbc:postgresql://app:pa/ss@w@rd@db:5432/app?ssl=true"))
        .isEqualTo("jdbc:postgresql://***@db:5432/app?ssl=true");
  }

  @Test
  void passwordParameters_areHidden() {
    assertThat(Redaction.url("jdbc:postgresql://db/app?user=app&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/app?user=app&password=***&ssl=true");
    assertThat(Redaction.url("jdbc:postgresql://db/app?sslpassword=k3y;PASSWORD=s3cret"))
        .isEqualTo("jdbc:postgresql://db/app?sslpassword=***;PASSWORD=***");
  }

  @Test
  void urlsWithoutCredentials_areUnchanged() {
    assertThat(Redaction.url("jdbc:postgresql://db:5432/app?user=app"))
        .isEqualTo("jdbc:postgresql://db:5432/app?user=app");
    assertThat(Redaction.url("redis://127.0.0.1:6379/0")).isEqualTo("redis://127.0.0.1:6379/0");
    assertThat(Redaction.url("jdbc:postgresql://db/app?user=a@b"))
        .isEqualTo("jdbc:postgresql://db/app?user=a@b");
    assertThat(Redaction.url(null)).isNull();
  }

  @Test
  void everyUrlInAMessage_isRedacted_theRestKept() {
    assertThat(
            Redaction.text(
                "jdbcUrl must start with jdbc:postgresql: but was postgresql://a:s/3@db/app?password=x"))
        .isEqualTo(
            "jdbcUrl must start with jdbc:postgresql: but was postgresql://***@db/app?password=***");
    assertThat(Redaction.text("poolSize must be at least 2: 1"))
        .isEqualTo("poolSize must be at least 2: 1");
  }
}
