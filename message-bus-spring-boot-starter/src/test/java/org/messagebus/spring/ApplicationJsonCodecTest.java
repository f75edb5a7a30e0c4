// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.TransportCodec;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application's JSON mapper writes the message data (issue 16 item 3): Spring Boot 4's Jackson
 * 3 {@code JsonMapper} when present, else a Jackson 2 {@code ObjectMapper}; its customisations
 * (naming strategy, a serializer from a module bean, {@code java.time}) show in {@code data}, its
 * formatting settings (indentation, non-ASCII and {@code /} escaping, null inclusion) reach neither
 * the envelope nor the stored formatting.
 */
@Timeout(60)
class ApplicationJsonCodecTest {

  /** Appendix A: Hebrew with a point, a slash, a raw line separator. */
  static final String TRICKY = "\u05dd\u05d5\u05b9/x\u2028";

  static final String APPENDIX_A_FOO =
      "{\"data\":{\"a\":1,\"s\":\""
          + TRICKY
          + "\"},\"user_ids\":[1,\"2\"],\"group_ids\":null,\"client_ids\":null}";

  /** A room id the application writes as a string with its own serializer. */
  record RoomId(long value) {}

  record Meeting(RoomId roomId, String topicLine, Instant startsAt, String note) {}

  static Meeting meeting() {
    return new Meeting(new RoomId(7), "Ꭺ/b", Instant.parse("2026-12-01T10:15:30Z"), null);
  }

  /** {@link #meeting()} as the application's mapper sees it, in the bus's formatting. */
  static final String MEETING_DATA =
      "{\"room_id\":\"room-7\",\"topic_line\":\"Ꭺ/b\",\"starts_at\":\"2026-12-01T10:15:30Z\"}";

  static final String MEETING_ENVELOPE =
      "{\"data\":" + MEETING_DATA + ",\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}";

  static Map<String, Object> fooData() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("a", 1);
    data.put("s", TRICKY);
    return data;
  }

  /** The application's Jackson 3 module: writes a {@link RoomId} as {@code "room-<n>"}. */
  @Configuration(proxyBeanMethods = false)
  static class Jackson3Module {
    @Bean
    tools.jackson.databind.JacksonModule roomIdModule() {
      return new tools.jackson.databind.module.SimpleModule()
          .addSerializer(
              RoomId.class,
              new tools.jackson.databind.ValueSerializer<RoomId>() {
                @Override
                public void serialize(
                    RoomId id,
                    tools.jackson.core.JsonGenerator g,
                    tools.jackson.databind.SerializationContext context) {
                  g.writeString("room-" + id.value());
                }
              });
    }
  }

  /** The same module for Jackson 2. */
  @Configuration(proxyBeanMethods = false)
  static class Jackson2Module {
    @Bean
    com.fasterxml.jackson.databind.Module roomIdModule() {
      return new com.fasterxml.jackson.databind.module.SimpleModule()
          .addSerializer(
              RoomId.class,
              new com.fasterxml.jackson.databind.JsonSerializer<RoomId>() {
                @Override
                public void serialize(
                    RoomId id,
                    com.fasterxml.jackson.core.JsonGenerator g,
                    com.fasterxml.jackson.databind.SerializerProvider provider)
                    throws java.io.IOException {
                  g.writeString("room-" + id.value());
                }
              });
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withPropertyValues("message-bus.keepalive-interval=0")
          .withConfiguration(AutoConfigurations.of(MessageBusAutoConfiguration.class));

  /** Publishes and returns what the backend stored. */
  static String stored(ApplicationContext ctx, String channel, Object data, PublishOptions o) {
    MessageBus bus = ctx.getBean(MessageBus.class);
    bus.publish(channel, data, o);
    return bus.backend().backlog(channel, 0).get(0).payload();
  }

  @Test
  void jackson3_bootsJsonMapperWithIndentAndEscaping_writesTheDataInTheBusFormat() {
    runner
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
        .withUserConfiguration(Jackson3Module.class)
        .withPropertyValues(
            "spring.jackson.property-naming-strategy=SNAKE_CASE",
            "spring.jackson.serialization.indent-output=true",
            "spring.jackson.json.write.escape-non-ascii=true",
            "spring.jackson.json.write.escape-forward-slashes=true",
            "spring.jackson.default-property-inclusion=non_null")
        .run(
            ctx -> {
              assertThat(ctx).hasBean("messageBusTransportCodec");
              // Boot's mapper really indents and escapes: the bus normalises what it writes.
              String appJson =
                  ctx.getBean(tools.jackson.databind.json.JsonMapper.class)
                      .writeValueAsString(meeting());
              assertThat(appJson).contains("\n", "\\u13AA", "\\/", "room-7", "starts_at");

              assertThat(stored(ctx, "/meetings", meeting(), PublishOptions.NONE))
                  .isEqualTo(MEETING_ENVELOPE);
              assertThat(
                      stored(
                          ctx,
                          "/foo",
                          fooData(),
                          PublishOptions.builder().userIds(1L, "2").build()))
                  .isEqualTo(APPENDIX_A_FOO);
            });
  }

  @Test
  @SuppressWarnings({"deprecation", "removal"})
  void jackson2Only_applicationsObjectMapper_writesTheDataInTheBusFormat() {
    runner
        .withClassLoader(new FilteredClassLoader("tools.jackson"))
        .withConfiguration(
            AutoConfigurations.of(
                org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration.class))
        .withUserConfiguration(Jackson2Module.class)
        .withPropertyValues(
            "spring.jackson2.property-naming-strategy=SNAKE_CASE",
            "spring.jackson2.serialization.indent-output=true",
            "spring.jackson2.generator.escape-non-ascii=true",
            "spring.jackson2.default-property-inclusion=non_null")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(ObjectMapper.class).hasBean("messageBusTransportCodec");
              assertThat(ctx.getBean(ObjectMapper.class).writeValueAsString(meeting()))
                  .contains("\n", "\\u13AA", "room-7", "starts_at");

              assertThat(stored(ctx, "/meetings", meeting(), PublishOptions.NONE))
                  .isEqualTo(MEETING_ENVELOPE);
              assertThat(
                      stored(
                          ctx,
                          "/foo",
                          fooData(),
                          PublishOptions.builder().userIds(1L, "2").build()))
                  .isEqualTo(APPENDIX_A_FOO);
            });
  }

  @Test
  @SuppressWarnings({"deprecation", "removal"})
  void bothJacksons_theJackson3MapperWritesTheData() {
    runner
        .withConfiguration(
            AutoConfigurations.of(
                JacksonAutoConfiguration.class,
                org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration.class))
        .withUserConfiguration(Jackson3Module.class)
        .withPropertyValues(
            "spring.jackson.property-naming-strategy=SNAKE_CASE",
            "spring.jackson.default-property-inclusion=non_null",
            "spring.jackson2.property-naming-strategy=KEBAB_CASE")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(ObjectMapper.class);
              assertThat(stored(ctx, "/meetings", meeting(), PublishOptions.NONE))
                  .isEqualTo(MEETING_ENVELOPE);
            });
  }

  @Test
  void applicationsCodecBean_isUsedInsteadOfItsMapper() {
    runner
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
        .withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE")
        .withBean(TransportCodec.class, TransportCodec::json)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(TransportCodec.class);
              assertThat(ctx.getBean(MessageBus.class).codec()).isSameAs(TransportCodec.json());
              assertThat(stored(ctx, "/m", meeting(), PublishOptions.NONE))
                  .startsWith("{\"data\":{\"roomId\":{\"value\":7},\"topicLine\":\"Ꭺ/b\",");
            });
  }

  @Test
  void noApplicationMapper_theBusWritesTheDataItself() {
    runner
        .withClassLoader(new FilteredClassLoader("tools.jackson"))
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(TransportCodec.class);
              assertThat(ctx.getBean(MessageBus.class).codec()).isSameAs(TransportCodec.json());
              assertThat(stored(ctx, "/m", meeting(), PublishOptions.NONE))
                  .isEqualTo(
                      "{\"data\":{\"roomId\":{\"value\":7},\"topicLine\":\"Ꭺ/b\","
                          + "\"startsAt\":\"2026-12-01T10:15:30Z\",\"note\":null},"
                          + "\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}");
            });
  }

  @Test
  void jackson2MapperOfAnotherFormat_isNotUsedForData() {
    JsonFactory notJson =
        new JsonFactory() {
          @Override
          public String getFormatName() {
            return "YAML";
          }
        };
    runner
        .withClassLoader(new FilteredClassLoader("tools.jackson"))
        .withBean(ObjectMapper.class, () -> new ObjectMapper(notJson))
        .run(
            ctx ->
                assertThat(ctx.getBean(MessageBus.class).codec()).isSameAs(TransportCodec.json()));
  }
}
