/* libFuzzer target: the JSON reader must accept or reject any bytes without crashing, and an
 * accepted document must be walkable end to end. */
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"

static size_t walk(const tetra_json *v, int depth) {
  size_t n = 1;
  if (v->type == TETRA_JSON_ARRAY)
    for (uint32_t i = 0; i < v->len; i++) n += walk(&v->u.items[i], depth + 1);
  else if (v->type == TETRA_JSON_OBJECT)
    for (uint32_t i = 0; i < 2 * v->len; i++) n += walk(&v->u.items[i], depth + 1);
  else if (v->type == TETRA_JSON_STRING && v->len)
    n += (unsigned char)v->u.string[v->len - 1];
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tetra_json_doc *doc = NULL;
  tetra_error err;
  tetra_json_options options = {64, (int)(size & 1)};
  if (tetra_json_parse((const char *)data, size, &options, NULL, &doc, &err) == TETRA_OK) {
    walk(tetra_json_root(doc), 0);
    tetra_json_free(doc);
  }
  return 0;
}
