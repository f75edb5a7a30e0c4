// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The address a poll comes from, for the per-address limit of held polls: the TCP peer, or, when
 * the peer is a trusted proxy, the client those proxies report ({@code Forwarded}, RFC 7239, else
 * {@code X-Forwarded-For}). Walking from the peer backwards, each hop is believed while the hop
 * that reported it is trusted; the first untrusted hop is the client. A header from an untrusted
 * peer is never read, so a client cannot choose its address.
 *
 * <p>Only IP literals are parsed, never names: nothing here ever asks DNS, whatever a header says.
 * The key of an IPv6 address is its {@code /64} network, the smallest block a host usually owns.
 */
final class ClientAddress {

  private ClientAddress() {}

  /** An IP address range in CIDR notation (a single address is a full-length prefix). */
  @SuppressWarnings("ArrayRecordComponent") // never compared nor hashed, only read
  record Range(byte[] network, int prefix) {

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int bits = prefix;
      for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
        if ((a[i] & mask) != (network[i] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Parses a list of addresses and ranges; a bad one throws, naming the option. */
  static List<Range> ranges(String option, List<String> specs) {
    List<Range> result = new ArrayList<>();
    for (String spec : specs) {
      if (spec == null) {
        throw new IllegalArgumentException(option + " must not contain null");
      }
      String s = spec.trim();
      int slash = s.indexOf('/');
      InetAddress address = literal(slash < 0 ? s : s.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException(
            option + ": not an IP address or CIDR range (names are not accepted): " + spec);
      }
      int max = address.getAddress().length * 8;
      int prefix = max;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > max) {
          throw new IllegalArgumentException(option + ": bad prefix length in " + spec);
        }
      }
      result.add(new Range(address.getAddress(), prefix));
    }
    return List.copyOf(result);
  }

  /**
   * The key of the poll's client address: the peer, or the client behind trusted proxies. A hop a
   * trusted proxy reported that is not an IP literal ({@code unknown}, an obfuscated name) is its
   * own key.
   */
  static String key(HttpRequestView req, List<Range> trusted) {
    InetAddress current = req.remoteInetAddress();
    if (current == null) {
      String peer = req.remoteAddress();
      current = literal(peer);
      if (current == null) {
        return raw(peer);
      }
    }
    if (!trusted.isEmpty() && isTrusted(current, trusted)) {
      List<String> hops = forwardedHops(req);
      for (int i = hops.size() - 1; i >= 0 && isTrusted(current, trusted); i--) {
        InetAddress hop = literal(node(hops.get(i)));
        if (hop == null) {
          return raw(hops.get(i));
        }
        current = hop;
      }
    }
    return key(current);
  }

  private static boolean isTrusted(InetAddress address, List<Range> trusted) {
    for (Range r : trusted) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static String key(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] network = address.getAddress();
      for (int i = 8; i < 16; i++) {
        network[i] = 0;
      }
      try {
        return InetAddress.getByAddress(network).getHostAddress() + "/64";
      } catch (UnknownHostException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    return address.getHostAddress();
  }

  private static String raw(String s) {
    String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    return t.length() <= 64 ? t : t.substring(0, 64);
  }

  /** The hops of {@code Forwarded} (its {@code for=} values), else {@code X-Forwarded-For}. */
  // split drops trailing empty elements, and a trailing comma must not add an unknown hop
  @SuppressWarnings("StringSplitter")
  private static List<String> forwardedHops(HttpRequestView req) {
    if (req.header("Forwarded") == null && req.header("X-Forwarded-For") == null) {
      return List.of(); // the common case: no list per request
    }
    List<String> hops = new ArrayList<>();
    for (String value : req.headers("Forwarded")) {
      for (String element : value.split(",")) {
        String hop = null;
        for (String pair : element.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase("for")) {
            hop = pair.substring(eq + 1).trim();
          }
        }
        // An element without for= still is a hop whose client we do not know.
        hops.add(hop == null ? "unknown" : hop);
      }
    }
    if (!hops.isEmpty()) {
      return hops;
    }
    for (String value : req.headers("X-Forwarded-For")) {
      for (String hop : value.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    return hops;
  }

  /** The address part of a hop: unquoted, without brackets or port. */
  static String node(String hop) {
    String s = hop.trim();
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1).trim();
    }
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      return end < 0 ? s : s.substring(1, end);
    }
    int colon = s.indexOf(':');
    if (colon >= 0 && colon == s.lastIndexOf(':')) {
      return s.substring(0, colon); // IPv4 with a port
    }
    return s;
  }

  /** Parses an IPv4 or IPv6 literal (brackets and zone allowed), or null; never asks DNS. */
  static @Nullable InetAddress literal(@Nullable String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    int zone = t.indexOf('%');
    if (zone >= 0) {
      t = t.substring(0, zone);
    }
    if (t.isEmpty() || t.length() > 45) {
      return null;
    }
    if (t.indexOf(':') < 0) {
      byte[] v4 = ipv4(t);
      try {
        return v4 == null ? null : InetAddress.getByAddress(v4);
      } catch (UnknownHostException impossible) {
        return null;
      }
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == ':'
              || c == '.';
      if (!ok) {
        return null;
      }
    }
    try {
      // A string with a colon is parsed as an IPv6 literal, never looked up.
      InetAddress a = InetAddress.getByName(t);
      return a instanceof Inet6Address || a instanceof Inet4Address ? a : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Four decimal octets, 0 to 255, nothing else. */
  private static byte @Nullable [] ipv4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else if (c == '.') {
        if (value < 0 || part > 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }
}
