#include "harness.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int harness_checks = 0;
int harness_failures = 0;

char *harness_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) {
    fclose(f);
    return NULL;
  }
  long size = ftell(f);
  rewind(f);
  char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[size] = '\0';
  *len = (size_t)size;
  return buf;
}

const char *harness_path(const char *relative) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", TETRA_TEST_ROOT, relative);
  return buf;
}

/* label names the text in the failed check. */
static tetra_json_doc *parse_json(const char *text, size_t len, const char *label) {
  tetra_json_doc *doc = NULL;
  tetra_error err;
  int ok = tetra_json_parse(text, len, NULL, NULL, &doc, &err) == TETRA_OK;
  CHECK(ok, "%.80s: %s", label, err.message);
  return ok ? doc : NULL;
}

tetra_json_doc *harness_read_json(const char *relative) {
  size_t len;
  char *text = harness_read_file(harness_path(relative), &len);
  CHECK(text != NULL, "cannot read %s", relative);
  if (!text) return NULL;
  tetra_json_doc *doc = parse_json(text, len, relative);
  free(text);
  return doc;
}

tetra_json_doc *harness_parse_json(const char *text, size_t len) {
  return parse_json(text, len, text);
}

int harness_ids_match(const tetra_encoding *e, const char *line, size_t len) {
  size_t p = 0;
  uint32_t i = 0;
  for (;;) {
    while (p < len && (line[p] == ' ' || line[p] == '\r' || line[p] == '\t')) p++;
    if (p == len) break;
    unsigned long v = 0;
    size_t start = p;
    while (p < len && line[p] >= '0' && line[p] <= '9') v = v * 10 + (unsigned long)(line[p++] - '0');
    if (p == start || i >= e->len || e->ids[i] != v) return 0;
    i++;
  }
  return i == e->len;
}

float harness_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

uint32_t harness_to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

double harness_ulp_at(double t) {
  double a = fabs(t);
  if (a < FLT_MIN) return ldexp(1.0, -149);
  int e;
  frexp(a, &e);
  return ldexp(1.0, e - 24);
}

int harness_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, harness_checks, harness_failures);
  return harness_failures ? 1 : 0;
}
