// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.env.Environment;

/**
 * Puts the bus's health ({@value MessageBusHealthIndicator#NAME}) in the {@code readiness} group
 * and keeps it out of {@code liveness}, whatever those groups include otherwise: a backend outage
 * takes the instance out of the load balancer (readiness DOWN) but must not make Kubernetes restart
 * every pod (liveness stays UP). It runs after Boot's probe groups are added ({@code
 * management.endpoint.health.probes.enabled}, on by default on Kubernetes); without a readiness
 * group it changes nothing. {@code management.endpoint.health.group.readiness.exclude=messageBus}
 * keeps the bus out of readiness too.
 */
final class MessageBusHealthGroups implements HealthEndpointGroupsPostProcessor {

  static final String READINESS = "readiness";
  static final String LIVENESS = "liveness";
  static final String READINESS_EXCLUDE = "management.endpoint.health.group.readiness.exclude";

  private final Environment environment;

  MessageBusHealthGroups(Environment environment) {
    this.environment = environment;
  }

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    Map<String, HealthEndpointGroup> named = new LinkedHashMap<>();
    for (String name : groups.getNames()) {
      named.put(name, groups.get(name));
    }
    boolean changed = false;
    HealthEndpointGroup readiness = named.get(READINESS);
    if (readiness != null && !excludedFromReadiness()) {
      named.put(READINESS, new Membership(readiness, true));
      changed = true;
    }
    HealthEndpointGroup liveness = named.get(LIVENESS);
    if (liveness != null) {
      named.put(LIVENESS, new Membership(liveness, false));
      changed = true;
    }
    return changed ? HealthEndpointGroups.of(groups.getPrimary(), named) : groups;
  }

  private boolean excludedFromReadiness() {
    String[] excluded = environment.getProperty(READINESS_EXCLUDE, String[].class, new String[0]);
    return Arrays.stream(excluded)
        .map(String::strip)
        .anyMatch(n -> n.equals(MessageBusHealthIndicator.NAME) || n.equals("*"));
  }

  /** A group with the bus's contributor added ({@code member}) or removed, the rest unchanged. */
  private record Membership(HealthEndpointGroup group, boolean member)
      implements HealthEndpointGroup {

    @Override
    public boolean isMember(String name) {
      if (name.equals(MessageBusHealthIndicator.NAME)) {
        return member;
      }
      return group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
