// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The test URL may come with or without a query ({@code MESSAGE_BUS_TEST_POSTGRES_URL}). */
class PgTestSupportTest {

  @Test
  void withParameter_urlWithoutQuery_startsOne() {
    assertThat(PgTestSupport.withParameter("jdbc:postgresql://db:5433/test", "connectTimeout=3"))
        .isEqualTo("jdbc:postgresql://db:5433/test?connectTimeout=3");
  }

  @Test
  void withParameter_urlWithQuery_appendsToIt() {
    assertThat(PgTestSupport.withParameter("jdbc:postgresql://db/test?user=u", "currentSchema=s"))
        .isEqualTo("jdbc:postgresql://db/test?user=u&currentSchema=s");
  }
}
