/* SentencePiece's Precompiled normalizer (src/text/precompiled.c) against the Rust tokenizers
 * library: normalized text and per-character offsets (tests/golden/text/precompiled.json, made by
 * tools/golden/text/make_precompiled_golden.py) for a tiny charsmap compiled from corner-case rules
 * and for SentencePiece's real nmt_nfkc charsmap; malformed charsmaps fail with clear errors. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"
#include "text/nstr.h"
#include "text/precompiled.h"
#include "text/unicode.h"

/* Byte offset -> code point index of the input, for offsets as the golden file gives them. */
static uint32_t cp_index(const char *s, uint32_t byte) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < byte;) {
    i += (uint32_t)tt_utf8_len((unsigned char)s[i]);
    n++;
  }
  return n;
}

static size_t run_cases(const tt_precompiled *pc, const tetra_json *cases, const char *name) {
  size_t passed = 0;
  for (size_t c = 0; cases && c < cases->len; c++) {
    const tetra_json *cs = tetra_json_at(cases, c);
    const tetra_json *in = tetra_json_get(cs, "input");
    const tetra_json *want = tetra_json_get(cs, "normalized");
    const tetra_json *offs = tetra_json_get(cs, "offsets");
    if (!in || !want || !offs) {
      CHECK(0, "%s case %zu: malformed golden entry", name, c);
      continue;
    }
    tt_nstr ns;
    tetra_error err;
    if (tt_nstr_init(&ns, NULL, in->u.string, in->len, 0, &err) != TETRA_OK) {
      CHECK(0, "%s case %zu: init: %s", name, c, err.message);
      continue;
    }
    tetra_status st = tt_precompiled_apply(pc, &ns, &err);
    CHECK(st == TETRA_OK, "%s case %zu: %s", name, c, err.message);
    int ok = st == TETRA_OK && ns.len == want->len && memcmp(ns.text, want->u.string, ns.len) == 0;
    CHECK(ok, "%s case %zu: \"%s\" -> \"%.*s\", Rust gives \"%s\"", name, c, in->u.string, (int)ns.len,
          ns.text, want->u.string);
    if (ok) {
      size_t k = 0;
      for (uint32_t b = 0; b < ns.len; k++) {
        uint32_t w = (uint32_t)tt_utf8_len((unsigned char)ns.text[b]);
        tt_span sp = tt_nstr_original_span(&ns, b, b + w);
        uint32_t s0 = cp_index(in->u.string, sp.start), s1 = cp_index(in->u.string, sp.end);
        const tetra_json *o = tetra_json_at(offs, k);
        uint32_t w0 = o ? (uint32_t)tetra_json_at(o, 0)->u.number : 9999;
        uint32_t w1 = o ? (uint32_t)tetra_json_at(o, 1)->u.number : 9999;
        if (s0 != w0 || s1 != w1) {
          ok = 0;
          CHECK(0, "%s case %zu (\"%s\"): char %zu at byte %u: offsets [%u,%u), Rust gives [%u,%u)", name, c,
                in->u.string, k, b, s0, s1, w0, w1);
        }
        b += w;
      }
      CHECK(k == offs->len, "%s case %zu: %zu characters, %u offsets", name, c, k, offs->len);
    }
    passed += ok;
    tt_nstr_free(&ns);
  }
  return passed;
}

static void test_rules(const tetra_json *root) {
  const tetra_json *rules = tetra_json_get(root, "rules");
  const tetra_json *b64 = tetra_json_get(rules, "charsmap");
  CHECK(b64 && b64->type == TETRA_JSON_STRING, "golden: rules.charsmap");
  if (!b64) return;
  tt_precompiled *pc = NULL;
  tetra_error err;
  tetra_status st = tt_precompiled_from_base64(b64->u.string, b64->len, "normalizer", NULL, &pc, &err);
  CHECK(st == TETRA_OK, "rules charsmap: %s", err.message);
  if (st) return;
  /* The crate's transform takes the shortest prefix with an entry. */
  const char *r;
  size_t rl;
  CHECK(tt_precompiled_lookup(pc, "A\xCC\x81", 3, &r, &rl, &err) == 1 && rl == 1 && r[0] == 'b',
        "shortest prefix: A + U+0301 -> b");
  CHECK(tt_precompiled_lookup(pc, "e\xCC\x81", 3, &r, &rl, &err) == 1 && rl == 1 && r[0] == 'x',
        "cluster key: e + U+0301 -> x");
  CHECK(tt_precompiled_lookup(pc, "e", 1, &r, &rl, &err) == 0, "e alone has no entry");
  CHECK(tt_precompiled_lookup(pc, "\xE2\x80\x8B", 3, &r, &rl, &err) == 1 && rl == 0,
        "U+200B -> empty replacement");
  const tetra_json *cases = tetra_json_get(rules, "cases");
  size_t passed = run_cases(pc, cases, "rules");
  printf("test_text_precompiled: rules charsmap: %zu of %u strings as the Rust library\n", passed,
         cases ? cases->len : 0);
  tt_precompiled_free(pc);
}

static void test_nmt_nfkc(const tetra_json *root) {
  const tetra_json *nmt = tetra_json_get(root, "nmt_nfkc");
  const tetra_json *source = tetra_json_get(nmt, "source");
  const tetra_json *sha = tetra_json_get(nmt, "sha256_base64");
  if (!source || !sha) {
    CHECK(0, "golden: nmt_nfkc.source and sha256_base64");
    return;
  }
  tetra_json_doc *doc = harness_read_json(source->u.string);
  if (!doc) return; /* the CHECK in harness_read_json names the file */
  const tetra_json *norms = tetra_json_get(tetra_json_get(tetra_json_root(doc), "normalizer"), "normalizers");
  const tetra_json *b64 = NULL;
  for (size_t i = 0; norms && i < norms->len; i++) {
    const tetra_json *t = tetra_json_get(tetra_json_at(norms, i), "type");
    if (t && strcmp(t->u.string, "Precompiled") == 0)
      b64 = tetra_json_get(tetra_json_at(norms, i), "precompiled_charsmap");
  }
  CHECK(b64 != NULL, "%s: no Precompiled normalizer", source->u.string);
  if (b64) {
    uint8_t digest[32];
    char hex[65];
    tetra_sha256(b64->u.string, b64->len, digest);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    CHECK(strcmp(hex, sha->u.string) == 0,
          "%s changed since the golden file was made: rerun tools/golden/text/make_precompiled_golden.py",
          source->u.string);
    tt_precompiled *pc = NULL;
    tetra_error err;
    tetra_status st = tt_precompiled_from_base64(b64->u.string, b64->len, "normalizer.normalizers[0]",
                                                 NULL, &pc, &err);
    CHECK(st == TETRA_OK, "nmt_nfkc charsmap: %s", err.message);
    if (st == TETRA_OK) {
      const tetra_json *cases = tetra_json_get(nmt, "cases");
      size_t passed = run_cases(pc, cases, "nmt_nfkc");
      printf("test_text_precompiled: nmt_nfkc charsmap (%u base64 bytes): %zu of %u strings as the Rust "
             "library\n",
             b64->len, passed, cases ? cases->len : 0);
      tt_precompiled_free(pc);
    }
  }
  tetra_json_free(doc);
}

static void expect_error(const void *bytes, size_t len, int base64, const char *needle) {
  tt_precompiled *pc = NULL;
  tetra_error err;
  memset(&err, 0, sizeof err);
  tetra_status st = base64 ? tt_precompiled_from_base64(bytes, len, "normalizer", NULL, &pc, &err)
                           : tt_precompiled_create(bytes, len, "normalizer", NULL, &pc, &err);
  CHECK(st == TETRA_ERR_FORMAT && pc == NULL, "malformed charsmap (%s) should fail: %s", needle,
        tetra_status_name(st));
  CHECK(strstr(err.message, needle) != NULL && strstr(err.message, "normalizer.precompiled_charsmap"),
        "message \"%s\" lacks \"%s\"", err.message, needle);
  tt_precompiled_free(pc);
}

static void test_malformed(void) {
  expect_error("\x04\x00", 2, 0, "too short");
  expect_error("\x08\x00\x00\x00\x01\x00\x00\x00", 8, 0, "only 4 follow");
  expect_error("\x00\x00\x00\x00", 4, 0, "empty trie");
  expect_error("\x04\x00\x00\x00\x00\x00\x00\x00\xC3(", 10, 0, "not valid UTF-8 (byte 8");
  expect_error("QUJD=", 5, 1, "multiple of 4");
  expect_error("QU*D", 4, 1, "invalid base64 byte 0x2A at offset 2");
  expect_error("QR==", 4, 1, "trailing bits");
  expect_error("", 0, 1, "too short");

  /* Well-formed header, broken trie: lookups fail cleanly instead of reading out of bounds. */
  const unsigned char one_unit[] = {4, 0, 0, 0, 0, 0, 0, 0, 'x', 0};
  tt_precompiled *pc = NULL;
  tetra_error err;
  CHECK(tt_precompiled_create(one_unit, sizeof one_unit, "normalizer", NULL, &pc, &err) == TETRA_OK,
        "one-unit trie loads: %s", err.message);
  if (pc) {
    tt_nstr ns;
    if (tt_nstr_init(&ns, NULL, "abc", 3, 0, &err) == TETRA_OK) {
      tetra_status st = tt_precompiled_apply(pc, &ns, &err);
      CHECK(st == TETRA_ERR_FORMAT && strstr(err.message, "outside the charsmap"),
            "out-of-bounds trie walk: %s (%s)", tetra_status_name(st), err.message);
      CHECK(ns.len == 3 && memcmp(ns.text, "abc", 3) == 0, "string untouched on failure");
      tt_nstr_free(&ns);
    }
    tt_precompiled_free(pc);
  }

  /* Random tries over random text: errors or results, never a crash (ASan watches). */
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  size_t ok = 0, failed = 0;
  for (int round = 0; round < 300; round++) {
    unsigned char buf[4 + 64 * 4 + 16];
    uint32_t units = 1 + (uint32_t)(round % 64);
    buf[0] = (unsigned char)(units * 4);
    buf[1] = buf[2] = buf[3] = 0;
    for (size_t i = 4; i < sizeof buf; i++) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      buf[i] = (unsigned char)(rng >> 24);
      if (i >= 4 + units * 4) buf[i] = (unsigned char)('a' + (buf[i] & 7)); /* valid UTF-8 tail */
    }
    /* Small offsets so walks stay in range sometimes and find leaves. */
    for (uint32_t u = 0; u < units; u++) buf[4 + 4 * u + 1] &= 0x03, buf[4 + 4 * u + 2] = 0, buf[4 + 4 * u + 3] &= 0x80;
    size_t len = 4 + units * 4 + 16;
    if (tt_precompiled_create(buf, len, "normalizer", NULL, &pc, &err) != TETRA_OK) continue;
    static const char *texts[] = {"abc def", "\x01\x02\x03 e\xCC\x81", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", ""};
    for (size_t t = 0; t < 4; t++) {
      tt_nstr ns;
      if (tt_nstr_init(&ns, NULL, texts[t], (uint32_t)strlen(texts[t]), 0, &err) != TETRA_OK) continue;
      if (tt_precompiled_apply(pc, &ns, &err) == TETRA_OK) ok++;
      else failed++;
      tt_nstr_free(&ns);
    }
    tt_precompiled_free(pc);
  }
  printf("test_text_precompiled: random tries: %zu applied, %zu refused cleanly\n", ok, failed);
}

int main(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/precompiled.json");
  if (doc) {
    test_rules(tetra_json_root(doc));
    test_nmt_nfkc(tetra_json_root(doc));
    tetra_json_free(doc);
  }
  test_malformed();
  return harness_finish("test_text_precompiled");
}
