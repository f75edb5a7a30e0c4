package org.messagebus.servlet;

/** Bad input in a bus request: answered with a 4xx status and a one-line reason. */
final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;

  BadRequestException(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }
}
