// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

/**
 * Where the tests find the real local Redis (6379) and PostgreSQL (5432); a test that needs one
 * calls the testkit's {@code Services.requireRedis()} / {@code requirePostgres()} first (skipped
 * loudly when it is down, failed with {@code CI=true}).
 */
final class LocalServices {

  static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** The Redis database of the starter's tests. */
  static final String REDIS_URL = "redis://127.0.0.1:6379/11";

  private LocalServices() {}
}
