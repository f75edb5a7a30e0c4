// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Site encoding of SPEC §1.1. */
class ChannelNamesTest {

  @Test
  void withSite_appendsSeparatorAndSite() {
    assertThat(ChannelNames.withSite("/foo|bar", "s1")).isEqualTo("/foo|bar$|$s1");
  }

  @Test
  void withSite_nullSite_appendsEmptySiteLikeRuby() {
    assertThat(ChannelNames.withSite("/foo", null)).isEqualTo("/foo$|$");
  }

  @Test
  void withSite_globalChannel_isNeverSuffixed() {
    assertThat(ChannelNames.withSite("/global/g", "s1")).isEqualTo("/global/g");
  }

  @Test
  void isGlobal_isCaseSensitivePrefix() {
    assertThat(ChannelNames.isGlobal("/global/x")).isTrue();
    assertThat(ChannelNames.isGlobal("/Global/x")).isFalse();
    assertThat(ChannelNames.isGlobal("/global")).isFalse();
  }

  @Test
  void decoding_splitsChannelAndSite() {
    assertThat(ChannelNames.channelOf("/foo|bar$|$s1")).isEqualTo("/foo|bar");
    assertThat(ChannelNames.siteOf("/foo|bar$|$s1")).isEqualTo("s1");
    assertThat(ChannelNames.channelOf("/foo$|$")).isEqualTo("/foo");
    assertThat(ChannelNames.siteOf("/foo$|$")).isNull();
    assertThat(ChannelNames.siteOf("/foo")).isNull();
  }
}
