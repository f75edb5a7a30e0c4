// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.spring;

import java.util.Map;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Publishes through the injected bus: to everyone, or to one user. */
@RestController
public class AnnouncementController {

  /** The channel of announcements to everyone. */
  public static final String ANNOUNCEMENTS = "/announcements";

  /** The channel of notifications, each for one user. */
  public static final String NOTIFICATIONS = "/notifications";

  private final MessageBus bus;

  /**
   * Creates the controller.
   *
   * @param bus the auto-configured bus
   */
  public AnnouncementController(MessageBus bus) {
    this.bus = bus;
  }

  /**
   * Announces a text to every client polling {@value #ANNOUNCEMENTS}.
   *
   * @param text the text
   * @return the message id
   */
  @PostMapping("/announcements")
  public Map<String, Long> announce(@RequestBody String text) {
    return Map.of("id", bus.publish(ANNOUNCEMENTS, Map.of("text", text)));
  }

  /**
   * Sends a notification that only the given user's clients receive (the user id lookup decides who
   * a poll belongs to).
   *
   * @param userId the user
   * @param text the text
   * @return the message id
   */
  @PostMapping("/users/{userId}/notifications")
  public Map<String, Long> notify(@PathVariable("userId") String userId, @RequestBody String text) {
    long id =
        bus.publish(
            NOTIFICATIONS, Map.of("text", text), PublishOptions.builder().userIds(userId).build());
    return Map.of("id", id);
  }
}
