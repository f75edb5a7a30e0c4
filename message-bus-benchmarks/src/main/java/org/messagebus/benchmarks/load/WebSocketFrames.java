// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of RFC 6455 framing, as much as the load client needs: the handshake key and its
 * expected accept value, masked client frames (text, pong, close), and an incremental {@link
 * Reader} of the server's frames, fed bytes as they arrive in pieces of any size.
 */
final class WebSocketFrames {

  static final int OP_CONTINUATION = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketFrames() {}

  /**
   * A fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64.
   *
   * @return the key
   */
  static String newKey() {
    byte[] k = new byte[16];
    ThreadLocalRandom.current().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  /**
   * The {@code Sec-WebSocket-Accept} a server must answer a key with.
   *
   * @param key the {@code Sec-WebSocket-Key} sent
   * @return base64 of SHA-1 of the key and the RFC's GUID
   */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      return Base64.getEncoder()
          .encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is always available", e);
    }
  }

  /**
   * One complete client frame (FIN set), masked with a random key as a client must.
   *
   * @param opcode the opcode
   * @param payload the payload
   * @return the frame
   */
  static ByteBuffer clientFrame(int opcode, byte[] payload) {
    return clientFrame(opcode, payload, ThreadLocalRandom.current().nextInt());
  }

  /**
   * One complete client frame (FIN set), masked with the given key.
   *
   * @param opcode the opcode
   * @param payload the payload
   * @param maskKey the masking key, big-endian
   * @return the frame
   */
  static ByteBuffer clientFrame(int opcode, byte[] payload, int maskKey) {
    int n = payload.length;
    int ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
    ByteBuffer b = ByteBuffer.allocate(2 + ext + 4 + n);
    b.put((byte) (0x80 | opcode));
    if (ext == 0) {
      b.put((byte) (0x80 | n));
    } else if (ext == 2) {
      b.put((byte) (0x80 | 126));
      b.putShort((short) n);
    } else {
      b.put((byte) (0x80 | 127));
      b.putLong(n);
    }
    b.putInt(maskKey);
    byte[] mask = {
      (byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey
    };
    for (int i = 0; i < n; i++) {
      b.put((byte) (payload[i] ^ mask[i & 3]));
    }
    return b.flip();
  }

  /**
   * A close frame's payload: the code and the reason.
   *
   * @param code the close code
   * @param reason the reason (short)
   * @return the payload
   */
  static byte[] closePayload(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return p;
  }

  /** Receives the server's messages. */
  interface Listener {
    /**
     * A whole text message (its fragments joined).
     *
     * @param buf the UTF-8 bytes, valid only during the call
     * @param off where they start
     * @param len how many
     */
    void text(byte[] buf, int off, int len);

    /**
     * A ping: the client must answer with a pong carrying the same payload.
     *
     * @param payload the ping's payload
     */
    void ping(byte[] payload);

    /**
     * A close frame.
     *
     * @param code its code, or 1005 when it had none
     * @param reason its reason, empty when none
     */
    void close(int code, String reason);
  }

  /**
   * An incremental reader of server frames. The server must not mask; control frames (at most 125
   * bytes, never fragmented) may come between the fragments of a message; a message is handed over
   * when its last fragment arrives. Reserved bits, unknown opcodes, a masked frame, a continuation
   * with no message started, a new message inside a fragmented one, a binary message (the bus sends
   * none), a 64-bit length with its top bit set and a message over {@link #MAX_MESSAGE} throw
   * {@link MalformedResponseException}; the reader is then unusable.
   */
  static final class Reader {

    /** Largest message accepted. */
    static final int MAX_MESSAGE = 16 * 1024 * 1024;

    private final Listener listener;
    // The frame header being read: 2 bytes, then 0, 2 or 8 length bytes.
    private final byte[] header = new byte[10];
    private int headerLen;
    private int headerNeed = 2;
    private boolean fin;
    private int opcode;
    private long remaining;
    private boolean inPayload;
    private boolean failed;
    // The fragmented text message being assembled.
    private boolean inMessage;
    private byte[] message = new byte[256];
    private int messageLen;
    // The control frame being read.
    private final byte[] control = new byte[125];
    private int controlLen;

    Reader(Listener listener) {
      this.listener = listener;
    }

    /**
     * Whether part of a frame or of a fragmented message has been read.
     *
     * @return true in the middle of one
     */
    boolean inFrame() {
      return headerLen > 0 || inPayload || inMessage;
    }

    /**
     * Parses more bytes of the connection.
     *
     * @param buf the bytes
     * @param off where they start
     * @param len how many
     * @throws MalformedResponseException if they break the framing
     */
    void feed(byte[] buf, int off, int len) throws MalformedResponseException {
      if (failed) {
        throw new MalformedResponseException("frame reader used after a malformed frame");
      }
      int i = off;
      int end = off + len;
      while (i < end) {
        if (!inPayload) {
          header[headerLen++] = buf[i++];
          if (headerLen == headerNeed) {
            headerDone();
          }
          continue;
        }
        int take = (int) Math.min(remaining, end - i);
        payload(buf, i, take);
        i += take;
        remaining -= take;
        if (remaining == 0) {
          frameDone();
        }
      }
    }

    private void fail(String why) throws MalformedResponseException {
      failed = true;
      throw new MalformedResponseException(why);
    }

    private void headerDone() throws MalformedResponseException {
      if (headerLen == 2) {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
          fail("reserved bits set in a server frame");
        }
        if ((b1 & 0x80) != 0) {
          fail("a masked server frame");
        }
        int len7 = b1 & 0x7F;
        boolean isControl = opcode >= 0x8;
        switch (opcode) {
          case OP_CONTINUATION -> {
            if (!inMessage) {
              fail("a continuation frame with no message started");
            }
          }
          case OP_TEXT -> {
            if (inMessage) {
              fail("a new message inside a fragmented one");
            }
          }
          case OP_BINARY -> fail("a binary message (the bus sends text)");
          case OP_CLOSE, OP_PING, OP_PONG -> {
            if (!fin || len7 > 125) {
              fail("a fragmented or long control frame");
            }
          }
          default -> fail("unknown opcode " + opcode);
        }
        if (len7 == 126) {
          headerNeed = 4;
          return;
        }
        if (len7 == 127) {
          headerNeed = 10;
          return;
        }
        startPayload(len7, isControl);
        return;
      }
      long len = 0;
      for (int k = 2; k < headerLen; k++) {
        len = (len << 8) | (header[k] & 0xFF);
      }
      if (headerLen == 10 && len < 0) {
        fail("a 64-bit frame length with its top bit set");
      }
      startPayload(len, false);
    }

    private void startPayload(long len, boolean isControl) throws MalformedResponseException {
      headerLen = 0;
      headerNeed = 2;
      if (!isControl) {
        if (!inMessage) {
          inMessage = true;
          messageLen = 0;
        }
        if (messageLen + len > MAX_MESSAGE) {
          fail("a message over " + MAX_MESSAGE + " bytes");
        }
      } else {
        controlLen = 0;
      }
      remaining = len;
      inPayload = true;
      if (len == 0) {
        frameDone();
      }
    }

    private void payload(byte[] buf, int off, int n) {
      if (opcode >= 0x8) {
        System.arraycopy(buf, off, control, controlLen, n);
        controlLen += n;
        return;
      }
      if (messageLen + n > message.length) {
        message = Arrays.copyOf(message, Math.max(message.length * 2, messageLen + n));
      }
      System.arraycopy(buf, off, message, messageLen, n);
      messageLen += n;
    }

    private void frameDone() {
      inPayload = false;
      switch (opcode) {
        case OP_PING -> listener.ping(Arrays.copyOf(control, controlLen));
        case OP_PONG -> {
          // unsolicited pongs are allowed and ignored
        }
        case OP_CLOSE -> {
          int code = controlLen >= 2 ? ((control[0] & 0xFF) << 8) | (control[1] & 0xFF) : 1005;
          String reason =
              controlLen > 2 ? new String(control, 2, controlLen - 2, StandardCharsets.UTF_8) : "";
          listener.close(code, reason);
        }
        default -> {
          if (fin) {
            inMessage = false;
            int n = messageLen;
            messageLen = 0;
            listener.text(message, 0, n);
            if (message.length > 64 * 1024) {
              message = new byte[256];
            }
          }
        }
      }
    }
  }
}
