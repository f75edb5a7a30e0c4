// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * A generated targeting scenario: a few channels (two site-scoped ones, sometimes a {@code
 * /global/} one), subscribers with random identities (user id of either JSON type, groups, site,
 * client id) that poll over HTTP in one delivery mode each, and messages with random user, group,
 * client-id and site targets, some published before the subscribers start (backlog) and the rest
 * while they poll (live).
 *
 * @param global whether channel 2 ({@code /global/…}) exists
 * @param subscribers who polls and how
 * @param messages what is published, in order
 */
record TargetingScenario(boolean global, List<Sub> subscribers, List<Msg> messages) {

  /**
   * User ids of both JSON types; {@code 9007199254740993} does not survive a trip through a double.
   */
  static final List<Object> USERS = List.of(1L, 2L, "1", "2", "u3", 9007199254740993L);

  static final List<Object> GROUPS = List.of("g1", "g2", 7L);

  static final List<String> SITES = java.util.Arrays.asList(null, "s1", "s2");

  /** How a subscriber polls (SPEC §4.3). */
  enum Mode {
    /** {@code ?dlp=t}: answered at once, polled back to back. */
    POLL,
    /** Held, not streamed ({@code Dont-Chunk}): one message per reply. */
    LONG_POLL,
    /** Held and streamed: one piece per message. */
    STREAM
  }

  /** Where a subscriber starts on each channel. */
  enum Start {
    /** Position 0: the whole backlog first. */
    ZERO,
    /** Position -1: from now, told by a {@code /__status}. */
    NOW
  }

  /**
   * One subscriber.
   *
   * @param userId null, a Long or a String
   * @param groups null (no lookup answer) or a list
   * @param site null or a site name
   * @param userAsLong whether the lookup hands the user id over as a Long rather than an Integer
   * @param json whether polls carry JSON bodies (else form bodies)
   * @param channels indexes of the channels it follows
   */
  record Sub(
      Object userId,
      List<Object> groups,
      String site,
      boolean userAsLong,
      Mode mode,
      Start start,
      boolean json,
      List<Integer> channels) {
    @Override
    public String toString() {
      return "Sub{user="
          + show(userId)
          + ", groups="
          + (groups == null ? "null" : groups.stream().map(TargetingScenario::show).toList())
          + ", site="
          + site
          + ", "
          + mode
          + ", "
          + start
          + (json ? ", json" : ", form")
          + ", channels="
          + channels
          + "}";
    }
  }

  /**
   * One message.
   *
   * @param channel channel index
   * @param site the site it is published for (ignored on the global channel)
   * @param users user targets or null
   * @param groups group targets or null
   * @param clients client-id targets as subscriber indexes (-1: a client that does not poll) or
   *     null
   * @param vetoed whether a client message filter withholds it from every web client
   * @param live whether it is published while the subscribers poll (else before they start)
   */
  record Msg(
      int channel,
      String site,
      List<Object> users,
      List<Object> groups,
      List<Integer> clients,
      boolean vetoed,
      boolean live) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("Msg{ch").append(channel);
      if (site != null) {
        sb.append(", site=").append(site);
      }
      if (users != null) {
        sb.append(", users=").append(users.stream().map(TargetingScenario::show).toList());
      }
      if (groups != null) {
        sb.append(", groups=").append(groups.stream().map(TargetingScenario::show).toList());
      }
      if (clients != null) {
        sb.append(", clients=").append(clients);
      }
      if (vetoed) {
        sb.append(", vetoed");
      }
      return sb.append(live ? ", live}" : ", backlog}").toString();
    }
  }

  static boolean isGlobal(String channel) {
    return channel.startsWith("/global/");
  }

  static String show(Object id) {
    return id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Scenario{global=" + global);
    for (int i = 0; i < subscribers.size(); i++) {
      sb.append("\n    sub").append(i).append(": ").append(subscribers.get(i));
    }
    for (int i = 0; i < messages.size(); i++) {
      sb.append("\n    msg").append(i).append(": ").append(messages.get(i));
    }
    return sb.append("}").toString();
  }

  // ---- generation ---------------------------------------------------------------------------

  private static <T> Gen<T> pickAny(List<T> values) {
    return Generate.pick(new ArrayList<>(values));
  }

  /** Null (no targeting) most of the time, else a non-empty list drawn from the pool. */
  private static Gen<List<Object>> targets(List<Object> pool, int nullWeight) {
    Gen<List<Object>> some =
        lists()
            .of(pickAny(pool))
            .ofSizeBetween(1, 2)
            .map(l -> (List<Object>) new ArrayList<Object>(l.stream().distinct().toList()));
    return HttpGen.weighted(
        HttpGen.w(nullWeight, Generate.constant((List<Object>) null)), HttpGen.w(10, some));
  }

  static Gen<Sub> sub(int maxChannel) {
    List<Object> usersOrNull = new ArrayList<>(USERS);
    usersOrNull.add(null);
    Gen<Object[]> identity =
        pickAny(usersOrNull)
            .zip(
                HttpGen.weighted(
                    HttpGen.w(3, Generate.constant((List<Object>) null)),
                    HttpGen.w(2, Generate.constant(List.<Object>of())),
                    HttpGen.w(
                        5,
                        lists()
                            .of(pickAny(GROUPS))
                            .ofSizeBetween(1, 2)
                            .map(l -> (List<Object>) new ArrayList<Object>(l)))),
                pickAny(SITES),
                Generate.booleans(),
                (u, g, s, asLong) -> new Object[] {u, g, s, asLong});
    Gen<List<Integer>> channels =
        integers()
            .between(1, (1 << (maxChannel + 1)) - 1)
            .map(
                mask -> {
                  List<Integer> list = new ArrayList<>();
                  for (int c = 0; c <= maxChannel; c++) {
                    if ((mask & (1 << c)) != 0) {
                      list.add(c);
                    }
                  }
                  return list;
                });
    return identity.zip(
        Generate.enumValues(Mode.class),
        Generate.enumValues(Start.class),
        Generate.booleans().zip(channels, (json, ch) -> new Object[] {json, ch}),
        (id, mode, start, rest) -> {
          @SuppressWarnings("unchecked")
          List<Object> groups = (List<Object>) id[1];
          @SuppressWarnings("unchecked")
          List<Integer> ch = (List<Integer>) rest[1];
          return new Sub(
              id[0], groups, (String) id[2], (Boolean) id[3], mode, start, (Boolean) rest[0], ch);
        });
  }

  static Gen<Msg> msg(int maxChannel) {
    Gen<List<Integer>> clients =
        HttpGen.weighted(
            HttpGen.w(7, Generate.constant((List<Integer>) null)),
            HttpGen.w(
                3,
                lists()
                    .of(integers().between(-1, 4))
                    .ofSizeBetween(1, 2)
                    .map(
                        l ->
                            (List<Integer>)
                                new ArrayList<Integer>(l.stream().distinct().toList()))));
    Gen<Boolean> vetoed =
        HttpGen.weighted(
            HttpGen.w(9, Generate.constant(false)), HttpGen.w(1, Generate.constant(true)));
    Gen<Boolean> live =
        HttpGen.weighted(
            HttpGen.w(7, Generate.constant(true)), HttpGen.w(3, Generate.constant(false)));
    return integers()
        .between(0, maxChannel)
        .zip(
            pickAny(SITES),
            targets(USERS, 12),
            targets(GROUPS, 14),
            (c, s, u, g) -> new Object[] {c, s, u, g})
        .zip(
            clients,
            vetoed,
            live,
            (a, cl, v, l) -> {
              int channel = (Integer) a[0];
              boolean isGlobal = channel == 2;
              @SuppressWarnings("unchecked")
              List<Object> users = isGlobal ? null : (List<Object>) a[2];
              @SuppressWarnings("unchecked")
              List<Object> groups = isGlobal ? null : (List<Object>) a[3];
              return new Msg(channel, isGlobal ? null : (String) a[1], users, groups, cl, v, l);
            });
  }

  /** Scenarios of 2–6 subscribers and 10–60 messages. */
  static Gen<TargetingScenario> scenarios() {
    return Generate.booleans()
        .flatMap(
            global -> {
              int maxChannel = global ? 2 : 1;
              return lists()
                  .of(sub(maxChannel))
                  .ofSizeBetween(2, 6)
                  .zip(
                      lists().of(msg(maxChannel)).ofSizeBetween(10, 60),
                      (subs, msgs) -> new TargetingScenario(global, subs, msgs));
            });
  }

  /** Whether a subscriber may see a message, by SPEC §5.3 and the site rules of §1.1. */
  boolean allowed(int subscriber, Msg m) {
    Sub s = subscribers.get(subscriber);
    boolean global = m.channel() == 2;
    if (!global && !Objects.equals(m.site(), s.site())) {
      return false;
    }
    if (m.vetoed()) {
      return false;
    }
    if (m.clients() != null && !m.clients().contains(subscriber)) {
      return false;
    }
    if (m.users() == null && m.groups() == null) {
      return true;
    }
    boolean userOk = m.users() != null && s.userId() != null && m.users().contains(s.userId());
    boolean groupOk =
        m.groups() != null
            && s.groups() != null
            && s.groups().stream().anyMatch(g -> m.groups().contains(g));
    return userOk || groupOk;
  }
}
