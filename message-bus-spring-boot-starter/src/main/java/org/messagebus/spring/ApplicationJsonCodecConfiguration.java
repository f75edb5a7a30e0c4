// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.messagebus.JsonTransportCodec;
import org.messagebus.TransportCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The codec through which the application's own JSON mapper writes the {@code data} of every
 * message (its modules, serializers, naming strategy, {@code java.time} settings), while the bus
 * keeps writing the envelope and the HTTP wire with its Ruby-compatible writer, so the stored and
 * served bytes never depend on the mapper's formatting settings (indentation, escaping, inclusion).
 *
 * <p>Chosen in this order, each only when the application defines no {@link TransportCodec} bean:
 * the application's Jackson 3 {@code tools.jackson.databind.json.JsonMapper} (Spring Boot 4's
 * default), else its Jackson 2 {@link ObjectMapper}; each must be a single candidate (or primary).
 * With neither, the bus's own mapper writes the data ({@link TransportCodec#json()}).
 */
@Configuration(proxyBeanMethods = false)
class ApplicationJsonCodecConfiguration {

  private static final String JACKSON3_JSON_MAPPER = "tools.jackson.databind.json.JsonMapper";

  private static final Logger log =
      LoggerFactory.getLogger(ApplicationJsonCodecConfiguration.class);

  /** The application's Jackson 3 mapper writes the data. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = JACKSON3_JSON_MAPPER)
  @ConditionalOnSingleCandidate(type = JACKSON3_JSON_MAPPER)
  static class Jackson3 {

    @Bean
    @ConditionalOnMissingBean(TransportCodec.class)
    TransportCodec messageBusTransportCodec(tools.jackson.databind.json.JsonMapper mapper) {
      return JsonTransportCodec.withDataEncoder(mapper::writeValueAsString);
    }
  }

  /** The application's Jackson 2 mapper writes the data, when it has no Jackson 3 one. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnSingleCandidate(ObjectMapper.class)
  @Conditional(NoJackson3Mapper.class)
  static class Jackson2 {

    @Bean
    @ConditionalOnMissingBean(TransportCodec.class)
    TransportCodec messageBusTransportCodec(ObjectMapper mapper) {
      String format = mapper.getFactory().getFormatName();
      if (!"JSON".equals(format)) {
        // e.g. an XmlMapper bean: its output is not JSON, so it cannot write the data.
        log.debug("the ObjectMapper bean writes {}, not JSON: the bus writes data itself", format);
        return TransportCodec.json();
      }
      return JsonTransportCodec.withMapper(mapper);
    }
  }

  /** True unless {@link Jackson3} applies (nested configurations are processed in no set order). */
  static final class NoJackson3Mapper extends NoneNestedConditions {

    NoJackson3Mapper() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnClass(name = JACKSON3_JSON_MAPPER)
    @ConditionalOnSingleCandidate(type = JACKSON3_JSON_MAPPER)
    static final class Jackson3Mapper {}
  }
}
