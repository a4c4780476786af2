#include "harness.h"

#include <stdlib.h>

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

int harness_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, harness_checks, harness_failures);
  return harness_failures ? 1 : 0;
}
