// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generators of HTTP requests for the poll and broadcast routes (SPEC §4.1, §4.2, §4.10), aware of
 * the protocol: mostly valid or nearly valid requests (so the fuzzing reaches the bus's own code
 * rather than stopping at Jetty's parser), with every part sometimes replaced by something odd —
 * the method, the path (dot segments, encoded slashes, bad percent-encoding), the query ({@code
 * dlp=t} or not), the protocol version, the headers (charsets, content types, {@code Dont-Chunk},
 * duplicates, oversized ones), the body (form and JSON positions: huge, negative, non-numeric;
 * invalid encodings; raw bytes; over the size limits), the framing, and finally the raw bytes.
 */
final class HttpGen {

  private HttpGen() {}

  // ---- shared pieces ------------------------------------------------------------------------

  @SafeVarargs
  @SuppressWarnings("varargs") // rest is only read, by the library
  static <T> Gen<T> weighted(Pair<Integer, Gen<T>> first, Pair<Integer, Gen<T>>... rest) {
    return Generate.frequency(first, rest);
  }

  static <T> Pair<Integer, Gen<T>> w(int weight, Gen<T> gen) {
    return Pair.of(weight, gen);
  }

  @SafeVarargs
  @SuppressWarnings("varargs") // values is only copied, by List.of
  static <T> Gen<T> pick(T... values) {
    return Generate.pick(List.of(values));
  }

  static <T> Gen<T> constant(T value) {
    return Generate.constant(value);
  }

  /** Picks among values that may include null. */
  static Gen<String> pickNullable(String... values) {
    List<String> list = new ArrayList<>();
    for (String v : values) {
      list.add(v);
    }
    return Generate.pick(list);
  }

  static Gen<String> method() {
    return weighted(
        w(80, constant("POST")),
        w(
            20,
            pick(
                "GET", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "post", "FOO",
                "CONNECT", "")));
  }

  static Gen<String> version() {
    return weighted(
        w(85, constant("HTTP/1.1")),
        w(7, constant("HTTP/1.0")),
        w(
            8,
            pick(
                "HTTP/2.0",
                "HTTP/0.9",
                "HTTP/1.2",
                "http/1.1",
                "",
                "HTTP/1.1 x",
                "HTTP/9.9",
                "PRI")));
  }

  static Gen<FuzzRequest.Framing> framing() {
    return weighted(
        w(85, constant(FuzzRequest.Framing.LENGTH)),
        w(15, Generate.enumValues(FuzzRequest.Framing.class)));
  }

  static Gen<FuzzRequest.Mutation> mutation() {
    Gen<byte[]> bytes = Generate.byteArrays(integers().between(1, 4), anyByte());
    Gen<Integer> position = integers().between(0, 4000);
    return weighted(
        w(90, constant(FuzzRequest.Mutation.NONE)),
        w(
            4,
            position.zip(
                bytes,
                (p, b) -> new FuzzRequest.Mutation(FuzzRequest.Mutation.Kind.OVERWRITE, p, b))),
        w(
            3,
            position.zip(
                bytes, (p, b) -> new FuzzRequest.Mutation(FuzzRequest.Mutation.Kind.INSERT, p, b))),
        w(
            3,
            position.map(
                p ->
                    new FuzzRequest.Mutation(FuzzRequest.Mutation.Kind.TRUNCATE, p, new byte[0]))));
  }

  static Gen<Byte> anyByte() {
    return Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 'a');
  }

  /** The Host header: nearly always a valid one. */
  static Gen<List<String>> host() {
    return weighted(
        w(90, constant(List.of("Host: 127.0.0.1"))),
        w(
            10,
            pick(
                List.of(),
                List.of("Host: "),
                List.of("Host: a b"),
                List.of("Host: 127.0.0.1", "Host: example.com"),
                List.of("Host: [::1]:80"),
                List.of("Host: ex\u00e9mple.com"),
                List.of("Host: site-" + "x".repeat(300)),
                List.of("Host: s1.example"),
                List.of("Host: 127.0.0.1:99999"))));
  }

  /** Odd extra headers: duplicates, oversized ones, bad names, folding, upgrades. */
  static Gen<String> extraHeader() {
    return pick(
        "X-Silence-Logger: true",
        "Connection: close",
        "Connection: keep-alive",
        "Expect: 100-continue",
        "Expect: nonsense",
        "Content-Type: application/json",
        "Content-Type: text/plain; charset=ebcdic",
        "Content-Encoding: gzip",
        "Transfer-Encoding: gzip",
        "Accept: text/plain",
        "Accept: application/json",
        "Accept-Charset: ebcdic",
        "Cookie: JSESSIONID=abc",
        "X-Forwarded-For: 1.2.3.4",
        "Foo",
        "X Y: z",
        "Bad\u0000Name: v",
        "X-Ctl: a\u0001b",
        " folded continuation",
        "X-Big: " + "x".repeat(9000),
        IntStream.range(0, 150)
            .mapToObj(i -> "X-M" + i + ": " + i)
            .collect(Collectors.joining("\r\n")),
        "Origin: http://evil.example",
        "Content-Length: abc",
        "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
        "Upgrade: websocket",
        "X-User: \u00e9\u00e8",
        "X-User: " + "u".repeat(5000),
        "X-Groups: ,,,",
        "X-Groups: " + "g,".repeat(2000),
        "Dont-Chunk:",
        "Range: bytes=0-1",
        "If-None-Match: *",
        "Authorization: Basic !!!");
  }

  /** Content types, odd charsets included; null means no Content-Type header. */
  static Gen<String> anyContentType() {
    return pickNullable(
        null,
        "application/x-www-form-urlencoded",
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "text/plain; charset=ebcdic",
        "application/json; charset=ebcdic",
        "application/x-www-form-urlencoded; charset=ebcdic",
        "text/plain; charset=x-no-such-charset",
        "application/json; charset=\"utf-8\"",
        "application/json; charset=utf-16",
        "application/json; charset=UTF-32",
        "application/json;charset=",
        "application/json; charset=ut f8",
        "application/json; charset=%%%",
        "application/x-www-form-urlencoded; charset=ISO-8859-1",
        "application/x-www-form-urlencoded; charset=utf-16",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "text/plain",
        "*/*",
        "application/jsonp",
        "text/json",
        ";;;==",
        "",
        "application/json, application/x-www-form-urlencoded",
        "APPLICATION/JSON",
        "application/json; charset=utf-8; charset=ebcdic",
        "application/json; boundary=\"");
  }

  static Gen<String> formContentType() {
    return weighted(
        w(70, constant("application/x-www-form-urlencoded")),
        w(10, pickNullable((String) null)),
        w(20, anyContentType()));
  }

  static Gen<String> jsonContentType() {
    return weighted(
        w(70, constant("application/json")),
        w(10, constant("application/json; charset=utf-8")),
        w(20, anyContentType()));
  }

  // ---- form and JSON pieces -----------------------------------------------------------------

  /** Channel names: ordinary ones, reserved and odd ones, and random code points. */
  static Gen<String> channel() {
    return weighted(
        w(40, pick("/foo", "/a/b", "/global/x", "/chat/42")),
        w(
            30,
            pick(
                "/",
                "",
                "__seq",
                "/\u00e9",
                "/\u65e5\u672c",
                "/x$|$y",
                "/foo[bar]",
                "/a b",
                "/a&b=c",
                "/a%b",
                "/a+b",
                "/__status",
                "foo",
                "/" + "a".repeat(3000),
                "/\u0000",
                "/\r\n|\r\n",
                "/\ud800")),
        w(30, strings().allPossible().ofLengthBetween(0, 12).map(s -> "/" + s)));
  }

  /** Positions as form strings: Ruby's to_i territory (SPEC §4.2). */
  static Gen<String> position() {
    return weighted(
        w(30, pick("0", "-1", "")),
        w(
            40,
            pick(
                "-2",
                "-1000000",
                "12",
                "+5",
                " 7",
                "1.5",
                "abc",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "99999999999999999999999999",
                "0x10",
                "\u0661\u0662",
                "1e5",
                "-",
                "--1",
                "\t3")),
        w(15, integers().between(-5, 1_000_000).map(v -> String.valueOf(v))),
        w(15, longs().all().map(v -> String.valueOf(v))));
  }

  /** How one form key or value is written. */
  enum Encoding {
    ENCODED,
    RAW,
    BROKEN,
    LATIN1
  }

  static Gen<Encoding> encoding() {
    return weighted(
        w(70, constant(Encoding.ENCODED)),
        w(10, constant(Encoding.RAW)),
        w(15, constant(Encoding.BROKEN)),
        w(5, constant(Encoding.LATIN1)));
  }

  private static final List<String> CORRUPTIONS =
      List.of("%", "%Z", "%ZZ", "%C3", "%C3%28", "%FF", "%00", "%u0041", "%%", "%E2%82");

  static String encode(String s, Encoding e, int corruption) {
    return switch (e) {
      case ENCODED -> URLEncoder.encode(s, StandardCharsets.UTF_8);
      case RAW -> s;
      case LATIN1 -> URLEncoder.encode(s, StandardCharsets.ISO_8859_1);
      case BROKEN -> {
        String enc = URLEncoder.encode(s, StandardCharsets.UTF_8);
        int at = enc.isEmpty() ? 0 : Math.floorMod(corruption, enc.length() + 1);
        yield enc.substring(0, at)
            + CORRUPTIONS.get(Math.floorMod(corruption, CORRUPTIONS.size()))
            + enc.substring(at);
      }
    };
  }

  /** One {@code key=value} pair of a form. */
  static Gen<String> formPair(Gen<String> key, Gen<String> value) {
    Gen<Integer> corruption = integers().between(0, 1000);
    Gen<String> pair =
        key.zip(
            value,
            encoding(),
            corruption,
            (k, v, e, c) -> v == null ? encode(k, e, c) : encode(k, e, c) + "=" + encode(v, e, c));
    return pair;
  }

  static Gen<String> seqValue() {
    return weighted(
        w(70, integers().between(0, 1000).map(v -> String.valueOf(v))),
        w(30, pick("", "-1", "x", "1.5", "99999999999999999999", " 3", "9223372036854775807")));
  }

  /** A form body of channel positions, sometimes with {@code __seq}. */
  static Gen<String> pollForm() {
    Gen<String> pairs =
        lists()
            .of(formPair(channel(), position()))
            .ofSizeBetween(0, 5)
            .map(list -> String.join("&", list));
    Gen<String> seq = weighted(w(60, seqValue().map(s -> "__seq=" + s)), w(40, constant("")));
    Gen<String> separator = weighted(w(90, constant("&")), w(10, pick(";", "&&", "&=&", "=")));
    return pairs.zip(
        seq, separator, (p, s, sep) -> p.isEmpty() ? s : s.isEmpty() ? p : p + sep + s);
  }

  private static final JsonStringEncoder JSON_STRINGS = JsonStringEncoder.getInstance();

  static String jsonString(String s) {
    return "\"" + new String(JSON_STRINGS.quoteAsString(s)) + "\"";
  }

  /** JSON values for a position: numbers of every size and shape, strings, other types. */
  static Gen<String> jsonPosition() {
    return weighted(
        w(30, pick("0", "-1", "null", "\"\"")),
        w(
            45,
            pick(
                "17",
                "-2",
                "1.5",
                "-0.0",
                "1e400",
                "-1e400",
                "123456789012345678901234567890",
                "-123456789012345678901234567890",
                "9223372036854775808",
                "-9223372036854775809",
                "\"4\"",
                "\"abc\"",
                "\"99999999999999999999\"",
                "true",
                "[]",
                "{}",
                "[1]",
                "{\"a\":1}",
                "1E2",
                "0.0000001",
                "1" + "0".repeat(2000))),
        w(25, longs().all().map(v -> String.valueOf(v))));
  }

  /** A JSON body: a valid object of positions, or one broken in a chosen way. */
  static Gen<String> pollJson() {
    Gen<String> entry = channel().zip(jsonPosition(), (c, p) -> jsonString(c) + ":" + p);
    Gen<String> seq =
        weighted(
            w(60, integers().between(0, 1000).map(i -> "\"__seq\":" + i)),
            w(
                20,
                pick(
                    "\"__seq\":\"2\"",
                    "\"__seq\":\"x\"",
                    "\"__seq\":1.5",
                    "\"__seq\":null",
                    "\"__seq\":99999999999999999999",
                    "\"__seq\":[]",
                    "\"__seq\":1e400")),
            w(20, constant("")));
    Gen<String> valid =
        lists()
            .of(entry)
            .ofSizeBetween(0, 5)
            .zip(
                seq,
                (entries, s) -> {
                  List<String> all = new ArrayList<>(entries);
                  if (!s.isEmpty()) {
                    all.add(s);
                  }
                  return "{" + String.join(",", all) + "}";
                });
    Gen<String> broken =
        valid.zip(
            integers().between(0, 20),
            integers().between(0, 10_000),
            (json, how, at) ->
                switch (how) {
                  case 0 -> json.substring(0, Math.floorMod(at, json.length() + 1));
                  case 1 -> json + " x";
                  case 2 -> "\uFEFF" + json;
                  case 3 -> "[".repeat(3000) + "]".repeat(3000);
                  case 4 -> "{\"/a\":" + "1".repeat(5000) + "}";
                  case 5 -> "{\"/a\":\"\\x\"}";
                  case 6 -> "{\"/a\":1,}";
                  case 7 -> "{/*c*/\"/a\":1}";
                  case 8 -> "{'/a':1}";
                  case 9 -> "{\"/a\":NaN}";
                  case 10 -> "{\"/a\":1,\"/a\":2}";
                  case 11 -> "{\"/a\":" + "{\"b\":".repeat(2000) + "1" + "}".repeat(2001);
                  case 12 -> "[1,2]";
                  case 13 -> "\"x\"";
                  case 14 -> "null";
                  case 15 -> "{\"" + "k".repeat(70_000) + "\":1}";
                  case 16 -> "{\"/a\":\"\u0001\"}";
                  default -> json.replace(":", "");
                });
    return weighted(w(75, valid), w(25, broken));
  }

  /** The body and its Content-Type (null: none), kept together. */
  record Payload(String contentType, byte[] body) {}

  static Gen<byte[]> rawBytes() {
    return Generate.byteArrays(integers().between(0, 300), anyByte());
  }

  static Gen<Payload> pollPayload() {
    Gen<Payload> form = formContentType().zip(pollForm(), (ct, b) -> new Payload(ct, utf8(b)));
    Gen<Payload> json =
        jsonContentType()
            .zip(
                pollJson(),
                weighted(w(90, constant("UTF-8")), w(10, pick("UTF-16", "ISO-8859-1", "UTF-32"))),
                (ct, b, cs) -> new Payload(ct, b.getBytes(java.nio.charset.Charset.forName(cs))));
    Gen<Payload> mismatched =
        weighted(
            w(1, anyContentType().zip(pollForm(), (ct, b) -> new Payload(ct, utf8(b)))),
            w(1, anyContentType().zip(pollJson(), (ct, b) -> new Payload(ct, utf8(b)))));
    Gen<Payload> raw = anyContentType().zip(rawBytes(), Payload::new);
    Gen<Payload> big =
        anyContentType()
            .zip(
                pick(
                    "/a=" + "1".repeat(70_000),
                    IntStream.range(0, 1001)
                        .mapToObj(i -> "/c" + i + "=0")
                        .collect(Collectors.joining("&")),
                    "{"
                        + IntStream.range(0, 1001)
                            .mapToObj(i -> "\"/c" + i + "\":0")
                            .collect(Collectors.joining(","))
                        + "}"),
                (ct, b) -> new Payload(ct, utf8(b)));
    Gen<Payload> empty = anyContentType().map(ct -> new Payload(ct, new byte[0]));
    return weighted(
        w(35, form), w(30, json), w(12, mismatched), w(10, raw), w(5, big), w(8, empty));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- the poll route -----------------------------------------------------------------------

  static Gen<String> pollTarget() {
    Gen<String> prefix =
        weighted(
            w(85, constant("/message-bus/")),
            w(
                15,
                pick(
                    "//message-bus/",
                    "/message-bus//",
                    "/./message-bus/",
                    "/x/../message-bus/",
                    "/MESSAGE-BUS/",
                    "/message-bus%2F",
                    "http://127.0.0.1/message-bus/",
                    "/message-bus;a=b/",
                    "/%6Dessage-bus/",
                    "*",
                    "/message-bus/%2e%2e/message-bus/")));
    Gen<String> clientId =
        weighted(
            w(70, strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 16)),
            w(
                30,
                pick(
                    "",
                    "x".repeat(129),
                    "x".repeat(2000),
                    "%2F",
                    "..",
                    ".",
                    "%2e%2e",
                    "%C3%A9",
                    "%C3%28",
                    "%FF",
                    "%00",
                    "a;b=c",
                    "a%3Bb",
                    "_diagnostics",
                    "broadcast",
                    "message-bus",
                    "\u00e9",
                    "a%20b",
                    "~!$&'()*+,;=:@",
                    "%ZZ")));
    Gen<String> suffix =
        weighted(
            w(70, constant("/poll")),
            w(
                30,
                pick(
                    "",
                    "/",
                    "/poll/extra",
                    "/../_diagnostics",
                    "/../_diagnostics/discover",
                    "/./poll",
                    "//poll",
                    "%2Fpoll",
                    "/poll%00",
                    "/../../etc/passwd",
                    "/..%2F..%2F",
                    "/poll;jsessionid=1")));
    Gen<String> query =
        weighted(
            w(82, constant("?dlp=t")),
            w(
                18,
                pick(
                    "",
                    "?dlp=t&_=1234",
                    "?_=1&dlp=t",
                    "?dlp=true",
                    "?dlp=t&x=%ZZ",
                    "?%ZZ",
                    "?dlp=t&a=%C3%28",
                    "?dlp=t&" + "a=b&".repeat(2000),
                    "?dlp=t#frag",
                    "?dlp=t&dlp=f",
                    "?DLP=T",
                    "?dlp=t&__seq=5",
                    "?dlp=t&channel=%00")));
    return prefix.zip(clientId, suffix, query, (p, c, s, q) -> p.equals("*") ? "*" : p + c + s + q);
  }

  /** The headers of a poll: Host, Content-Type, Dont-Chunk, identity, and odd extras. */
  static Gen<List<String>> pollHeaders() {
    Gen<List<String>> identity =
        weighted(
            w(70, constant(List.<String>of())),
            w(15, pick(List.of("X-User: 1"), List.of("X-User: \"1\""), List.of("X-User: "))),
            w(
                15,
                pick(
                    List.of("X-Groups: a,b"),
                    List.of("X-Groups: "),
                    List.of("X-User: 2", "X-Groups: g"))));
    Gen<List<String>> dontChunk =
        weighted(w(45, constant(List.of("Dont-Chunk: true"))), w(55, constant(List.<String>of())));
    Gen<List<String>> extras =
        weighted(
            w(75, constant(List.<String>of())),
            w(25, lists().of(extraHeader()).ofSizeBetween(1, 3)));
    return host()
        .zip(
            dontChunk,
            identity,
            extras,
            (h, d, i, e) -> {
              List<String> all = new ArrayList<>(h);
              all.addAll(d);
              all.addAll(i);
              all.addAll(e);
              return all;
            });
  }

  static FuzzRequest request(
      String method,
      String target,
      String version,
      List<String> headers,
      Payload payload,
      FuzzRequest.Framing framing,
      FuzzRequest.Mutation mutation) {
    List<String> all = new ArrayList<>(headers);
    if (payload.contentType() != null) {
      all.add(1 <= all.size() ? 1 : 0, "Content-Type: " + payload.contentType());
    }
    return new FuzzRequest(method, target, version, all, payload.body(), framing, mutation);
  }

  /** Requests for the poll route: {@code <base>message-bus/<clientId>/poll}. */
  static Gen<FuzzRequest> pollRequest() {
    Gen<String[]> line = method().zip(pollTarget(), version(), (m, t, v) -> new String[] {m, t, v});
    return line.zip(
        pollHeaders(),
        pollPayload(),
        framing(),
        mutation(),
        (l, h, p, f, mu) -> request(l[0], l[1], l[2], h, p, f, mu));
  }

  // ---- the broadcast route ------------------------------------------------------------------

  static Gen<String> broadcastPath() {
    return weighted(
        w(85, constant("/message-bus/broadcast")),
        w(
            15,
            pick(
                "/message-bus/broadcast/",
                "/message-bus//broadcast",
                "/message-bus/%62roadcast",
                "/message-bus/broadcast;x=y",
                "/message-bus/./broadcast",
                "/message-bus/x/../broadcast",
                "/message-bus/BROADCAST",
                "//message-bus/broadcast",
                "/message-bus/broadcast%00",
                "/message-bus/broadcast/../broadcast")));
  }

  static Gen<String> broadcastChannel() {
    return weighted(
        w(50, pick("/fuzz/b", "/fuzz/c", "/global/fuzz")),
        w(
            25,
            pickNullable(
                null,
                "",
                "$|$",
                "/a$|$b",
                "/\u00e9",
                "/__status",
                "x",
                "/" + "a".repeat(5000),
                "/\u0000",
                "/\ud800",
                "/__mb_keepalive__/")),
        w(25, strings().allPossible().ofLengthBetween(0, 10).map(s -> "/fuzz/" + s)));
  }

  static Gen<String> broadcastData() {
    return weighted(
        w(50, pick("x", "hello", "{\"a\":1}")),
        w(
            25,
            pickNullable(null, "", "\u00e9", "d".repeat(10_000), "\u0000", "\r\n|\r\n", "\ud800")),
        w(25, strings().allPossible().ofLengthBetween(0, 20)));
  }

  /** Where the broadcast parameters go. */
  enum Placement {
    QUERY,
    FORM,
    SPLIT,
    DUPLICATED,
    HUGE_FORM,
    MANY_FIELDS,
    JSON
  }

  /** Over Jetty's form size limit (200,000 bytes). */
  private static final String HUGE_FORM_PADDING = "&pad=" + "p".repeat(210_000);

  /** Over Jetty's form field limit (1,000 keys). */
  private static final String MANY_FORM_FIELDS =
      IntStream.range(0, 1100).mapToObj(i -> "&f" + i + "=1").collect(Collectors.joining());

  static Gen<FuzzRequest> broadcastRequest() {
    Gen<Placement> placement =
        weighted(
            w(40, constant(Placement.QUERY)),
            w(30, constant(Placement.FORM)),
            w(30, Generate.enumValues(Placement.class)));
    Gen<String[]> params =
        broadcastChannel()
            .zip(
                broadcastData(),
                encoding(),
                integers().between(0, 1000),
                (c, d, e, k) ->
                    new String[] {
                      c == null ? null : "channel=" + encode(c, e, k),
                      d == null ? null : "data=" + encode(d, e, k)
                    });
    Gen<String[]> line =
        method().zip(broadcastPath(), version(), (m, p, v) -> new String[] {m, p, v});
    Gen<Object[]> shape =
        placement.zip(params, formContentType(), (pl, pa, ct) -> new Object[] {pl, pa, ct});
    Gen<List<String>> headers = pollHeaders();
    return line.zip(
        shape,
        headers,
        framing(),
        mutation(),
        (l, s, h, f, mu) -> {
          Placement pl = (Placement) s[0];
          String[] pa = (String[]) s[1];
          String ct = (String) s[2];
          String both =
              java.util.stream.Stream.of(pa)
                  .filter(Objects::nonNull)
                  .collect(Collectors.joining("&"));
          String query = "";
          String form = "";
          switch (pl) {
            case QUERY -> query = both;
            case FORM -> form = both;
            case SPLIT -> {
              query = pa[0] == null ? "" : pa[0];
              form = pa[1] == null ? "" : pa[1];
            }
            case DUPLICATED -> {
              query = both;
              form = "channel=%2Fother&" + both;
            }
            case HUGE_FORM -> form = both + HUGE_FORM_PADDING;
            case MANY_FIELDS -> form = both + MANY_FORM_FIELDS;
            case JSON -> {
              form = "{\"channel\":\"/fuzz/b\",\"data\":\"x\"}";
              ct = "application/json";
            }
            default -> throw new IllegalStateException();
          }
          String target = l[1] + (query.isEmpty() ? "" : "?" + query);
          Payload payload =
              new Payload(
                  form.isEmpty() && ct != null && l[0].equals("GET") ? null : ct, utf8(form));
          return request(l[0], target, l[2], h, payload, f, mu);
        });
  }
}
