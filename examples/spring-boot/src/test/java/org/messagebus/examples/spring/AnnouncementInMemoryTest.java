// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.spring;

import static org.messagebus.spring.test.MessageBusAssertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.spring.test.AutoConfigureInMemoryMessageBus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The controller tested without PostgreSQL: {@link AutoConfigureInMemoryMessageBus} runs the bus in
 * memory and the assertions check what the channels received.
 */
@SpringBootTest(
    properties = {
      "spring.sql.init.mode=never",
      "management.health.db.enabled=false",
      "spring.datasource.hikari.initialization-fail-timeout=-1"
    })
@AutoConfigureInMemoryMessageBus
@Timeout(60)
class AnnouncementInMemoryTest {

  @Autowired AnnouncementController controller;
  @Autowired MessageBus bus;

  @Test
  void announce_publishesTheTextToEveryone() {
    controller.announce("hi all");
    assertThat(bus)
        .channel(AnnouncementController.ANNOUNCEMENTS)
        .receivedMessage(Map.of("text", "hi all"));
  }

  @Test
  void notify_targetsTheUser() {
    controller.notify("7", "just you");
    assertThat(bus)
        .channel(AnnouncementController.NOTIFICATIONS)
        .receivedMessageMatching(
            m -> m.userIds().contains("7") && m.data().equals(Map.of("text", "just you")),
            "is for user 7");
  }
}
