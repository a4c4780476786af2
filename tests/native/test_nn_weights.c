/* The deterministic test weights: tests/native/nn_weights.c must build the very safetensors bytes
 * that tools/golden/nn/make_encoder_golden.py built (spec.json holds their sha256), and the golden
 * arrays must decode to the shapes inputs.json implies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "nn_weights.h"
#include "tetra/core.h"

static const char *const MODELS[] = {"minilm", "distilbert", "roberta", "bert-multilabel",
                                     "xlm-roberta"};

static void hex(const uint8_t digest[32], char out[65]) {
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static void test_conversions(void) {
  struct { float f; uint16_t h; } f16[] = {
      {1.0f, 0x3C00}, {-2.0f, 0xC000}, {65504.0f, 0x7BFF}, {65519.0f, 0x7BFF}, {65520.0f, 0x7C00},
      {0x1p-24f, 0x0001}, {0x1p-25f, 0x0000}, {0x3p-26f, 0x0001}, {0x1.8p-24f, 0x0002},
      {0x1p-14f, 0x0400}, {0x1.ffcp-15f, 0x0400}, {1.0f + 0x1p-11f, 0x3C00},
      {1.0f + 0x3p-11f, 0x3C02}, {0.0f, 0x0000}, {-0.0f, 0x8000}, {0.1f, 0x2E66},
  };
  for (size_t i = 0; i < sizeof f16 / sizeof f16[0]; i++)
    CHECK(nn_weights_f16(f16[i].f) == f16[i].h, "f16(%a) = %04x, want %04x", f16[i].f,
          nn_weights_f16(f16[i].f), f16[i].h);
  struct { float f; uint16_t h; } bf16[] = {
      {1.0f, 0x3F80}, {1.0f + 0x1p-8f, 0x3F80}, {1.0f + 0x3p-8f, 0x3F82}, {-0.1f, 0xBDCD},
  };
  for (size_t i = 0; i < sizeof bf16 / sizeof bf16[0]; i++)
    CHECK(nn_weights_bf16(bf16[i].f) == bf16[i].h, "bf16(%a) = %04x, want %04x", bf16[i].f,
          nn_weights_bf16(bf16[i].f), bf16[i].h);
  /* single elements, as tools/golden/nn/nn_weights.py gives them */
  struct { uint32_t seed; const char *name; uint32_t index; float amp, offset, want; } el[] = {
      {1234, "classifier.bias", 3, 0x1p-5f, 0.0f, -0x1.40cd5p-6f},
      {1234, "embeddings.LayerNorm.weight", 7, 0x1p-3f, 1.0f, 0x1.0113bcp+0f},
      {0, "x", 123456, 0.25f, 0.0f, 0x1.f4177cp-3f},
  };
  for (size_t i = 0; i < sizeof el / sizeof el[0]; i++) {
    float got = nn_weights_value(el[i].seed, el[i].name, el[i].index, el[i].amp, el[i].offset);
    CHECK(got == el[i].want, "%s[%u] = %a, want %a", el[i].name, el[i].index, got, el[i].want);
  }
}

/* Header sanity: length, JSON, every tensor present once, data offsets contiguous. */
static void check_layout(const char *model, const uint8_t *file, size_t len, size_t n_tensors) {
  uint64_t hlen = 0;
  for (int b = 0; b < 8; b++) hlen |= (uint64_t)file[b] << (8 * b);
  CHECK(hlen % 8 == 0 && 8 + hlen <= len, "%s: header length %llu", model,
        (unsigned long long)hlen);
  if (hlen % 8 || 8 + hlen > len) return;
  tetra_json_doc *doc = NULL;
  tetra_error err;
  int ok = tetra_json_parse((const char *)file + 8, (size_t)hlen, NULL, NULL, &doc, &err) == TETRA_OK;
  CHECK(ok, "%s: header: %s", model, err.message);
  if (!ok) return;
  const tetra_json *root = tetra_json_root(doc);
  CHECK(root->len == n_tensors + 1, "%s: %u header entries for %zu tensors", model, root->len,
        n_tensors);
  size_t end = 0;
  for (uint32_t i = 0; i < root->len; i++) {
    const tetra_json *key = &root->u.items[2 * i], *val = &root->u.items[2 * i + 1];
    if (i == 0) {
      CHECK(strcmp(key->u.string, "__metadata__") == 0, "%s: metadata first", model);
      continue;
    }
    if (i > 1) CHECK(strcmp(root->u.items[2 * i - 2].u.string, key->u.string) < 0,
                     "%s: names sorted (%s)", model, key->u.string);
    const tetra_json *off = tetra_json_get(val, "data_offsets");
    CHECK(off && off->len == 2 && tetra_json_at(off, 0)->u.number == (double)end,
          "%s: %s starts where the previous tensor ends", model, key->u.string);
    if (off && off->len == 2) end = (size_t)tetra_json_at(off, 1)->u.number;
  }
  CHECK(8 + hlen + end == len, "%s: data ends at the end of the file", model);
  tetra_json_free(doc);
}

static void test_model(const char *model) {
  char path[256];
  snprintf(path, sizeof path, "tests/golden/nn/%s/spec.json", model);
  tetra_json_doc *spec = harness_read_json(path);
  if (!spec) return;
  const tetra_json *root = tetra_json_root(spec);
  const tetra_json *tensors = tetra_json_get(root, "tensors");
  const char *variants[][2] = {{"sha256_f32", "F32"}, {"sha256_f16", "F16"},
                               {"sha256_bf16", "BF16"}, {"sha256_f32_stripped", "F32"}};
  for (size_t v = 0; v < 4; v++) {
    const tetra_json *want = tetra_json_get(root, variants[v][0]);
    if (!want) {
      CHECK(v != 0, "%s: no sha256_f32", path);
      continue;
    }
    uint8_t *file = NULL;
    size_t len = 0;
    if (!nn_weights_build(path, variants[v][1], v == 3, &file, &len)) continue;
    uint8_t digest[32];
    char got[65];
    tetra_sha256(file, len, digest);
    hex(digest, got);
    CHECK(strcmp(got, want->u.string) == 0, "%s %s: sha256 %s, the Python generator's %s", model,
          variants[v][0], got, want->u.string);
    if (v == 0) {
      const tetra_json *bytes = tetra_json_get(root, "bytes_f32");
      CHECK(bytes && bytes->u.number == (double)len, "%s: %zu bytes", model, len);
      check_layout(model, file, len, tensors ? tensors->len : 0);
    }
    free(file);
  }
  tetra_json_free(spec);
}

/* golden.json's arrays decode, and per-token arrays have one row per real token of inputs.json. */
static void test_golden_arrays(const char *model) {
  char path[256];
  snprintf(path, sizeof path, "tests/golden/nn/%s/inputs.json", model);
  tetra_json_doc *inputs = harness_read_json(path);
  snprintf(path, sizeof path, "tests/golden/nn/%s/golden.json", model);
  tetra_json_doc *golden = harness_read_json(path);
  if (!inputs || !golden) {
    tetra_json_free(inputs);
    tetra_json_free(golden);
    return;
  }
  const tetra_json *ib = tetra_json_get(tetra_json_root(inputs), "batches");
  const tetra_json *gb = tetra_json_get(tetra_json_root(golden), "batches");
  CHECK(ib && gb && ib->len == gb->len && ib->len > 0, "%s: batches", model);
  for (size_t b = 0; ib && gb && b < ib->len && b < gb->len; b++) {
    const tetra_json *mask = tetra_json_get(tetra_json_at(ib, b), "attention_mask");
    size_t tokens = 0;
    for (size_t r = 0; mask && r < mask->len; r++)
      for (size_t c = 0; c < tetra_json_at(mask, r)->len; c++)
        tokens += tetra_json_at(tetra_json_at(mask, r), c)->u.number != 0;
    size_t count = 0, shape[4] = {0}, rank = 0;
    float *h = nn_golden_array(tetra_json_get(tetra_json_at(gb, b), "last_hidden_state"), &count,
                               shape, &rank);
    CHECK(h && rank == 2 && shape[0] == tokens, "%s batch %zu: %zu hidden rows for %zu tokens",
          model, b, shape[0], tokens);
    int finite = h != NULL;
    double sumsq = 0;
    for (size_t i = 0; h && i < count; i++) {
      finite &= isfinite(h[i]) != 0;
      sumsq += (double)h[i] * h[i];
    }
    /* LayerNorm output: per-row mean square near gamma^2 ~ 1 */
    CHECK(finite && count && sumsq / (double)count > 0.3 && sumsq / (double)count < 3,
          "%s batch %zu: hidden states finite with LayerNorm scale (mean square %g)", model, b,
          count ? sumsq / (double)count : 0.0);
    free(h);
  }
  tetra_json_free(inputs);
  tetra_json_free(golden);
}

int main(void) {
  test_conversions();
  for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) {
    test_model(MODELS[i]);
    test_golden_arrays(MODELS[i]);
  }
  return harness_finish("test_nn_weights");
}
