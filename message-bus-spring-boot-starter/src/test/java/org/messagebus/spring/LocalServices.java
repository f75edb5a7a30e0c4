// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.messagebus.testkit.Services;

/**
 * The starter's tests' URLs of the real local Redis and PostgreSQL (where they are: the testkit's
 * {@link Services}); a test that needs one calls {@code Services.requireRedis()} / {@code
 * requirePostgres()} first (skipped loudly when it is down, failed with {@code CI=true}).
 */
final class LocalServices {

  static final String PG_URL = Services.postgresUrl();

  /** The Redis database of the starter's tests. */
  static final String REDIS_URL = Services.redisUri(11);

  private LocalServices() {}
}
