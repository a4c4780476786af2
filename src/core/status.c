/* Status names and error messages. Messages are truncated, never overflowed, at
 * TETRA_ERROR_MESSAGE_SIZE - 1 bytes. */
#include "tetra/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *tetra_status_name(tetra_status status) {
  switch (status) {
    case TETRA_OK: return "TETRA_OK";
    case TETRA_ERR_INVALID_ARGUMENT: return "TETRA_ERR_INVALID_ARGUMENT";
    case TETRA_ERR_OUT_OF_MEMORY: return "TETRA_ERR_OUT_OF_MEMORY";
    case TETRA_ERR_PARSE: return "TETRA_ERR_PARSE";
    case TETRA_ERR_FORMAT: return "TETRA_ERR_FORMAT";
    case TETRA_ERR_UNSUPPORTED: return "TETRA_ERR_UNSUPPORTED";
    case TETRA_ERR_LIMIT: return "TETRA_ERR_LIMIT";
  }
  return "TETRA_ERR_UNKNOWN";
}

tetra_status tetra_error_set(tetra_error *err, tetra_status code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

void tetra_error_clear(tetra_error *err) {
  if (err) {
    err->code = TETRA_OK;
    err->message[0] = '\0';
  }
}

void tetra_error_prefix(tetra_error *err, const char *fmt, ...) {
  if (!err) return;
  char prefix[TETRA_ERROR_MESSAGE_SIZE];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t plen = strlen(prefix);
  size_t mlen = strlen(err->message);
  char joined[TETRA_ERROR_MESSAGE_SIZE];
  /* "prefix: message", cut at the buffer's end */
  snprintf(joined, sizeof joined, "%.*s: %.*s", (int)plen, prefix, (int)mlen, err->message);
  memcpy(err->message, joined, sizeof joined);
}
