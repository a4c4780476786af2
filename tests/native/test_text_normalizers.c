/* Normalizers: text and alignments identical to the Rust tokenizers library (golden file made by
 * tools/golden/text/make_normalizer_golden.mjs from tokenizers 0.22.2) over hard strings, and the
 * errors for malformed or unsupported normalizer objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "text/components.h"

/* The normalizer of a case: inline, or (for the 300 KB Precompiled charsmap) the normalizer of
 * another golden tokenizer.json, whole or one item of its Sequence. */
static const tetra_json *case_normalizer(const tetra_json *c, tetra_json_doc **other) {
  const tetra_json *from = tetra_json_get(c, "normalizer_from");
  if (!from) return tetra_json_get(c, "normalizer");
  *other = harness_read_json(from->u.string);
  if (!*other) return NULL;
  const tetra_json *n = tetra_json_get(tetra_json_root(*other), "normalizer");
  int index = (int)tetra_json_get(c, "normalizer_index")->u.number;
  return index < 0 ? n : tetra_json_at(tetra_json_get(n, "normalizers"), (size_t)index);
}

static int golden_case(const tetra_json *c) {
  const char *name = tetra_json_get(c, "name")->u.string;
  const tetra_json *results = tetra_json_get(c, "results");
  tetra_error err;
  tt_normalizer *n = NULL;
  tetra_json_doc *other = NULL;
  const tetra_json *nj = case_normalizer(c, &other);
  if (!nj) return 1;
  tetra_status st = tt_normalizer_from_json(nj, "normalizer", NULL, &n, &err);
  tetra_json_free(other);
  CHECK(st == TETRA_OK, "%s: %s", name, err.message);
  if (st) return 0;
  int bad = 0;
  for (uint32_t r = 0; r < results->len; r++) {
    const tetra_json *res = &results->u.items[r];
    const tetra_json *in = tetra_json_get(res, "input");
    const tetra_json *want = tetra_json_get(res, "normalized");
    const tetra_json *offs = tetra_json_get(res, "offsets");
    tt_nstr ns;
    /* a shifted start checks that alignments stay absolute */
    const uint32_t shift = 3;
    st = tt_nstr_init(&ns, NULL, in->u.string, in->len, shift, &err);
    if (st == TETRA_OK) st = tt_normalizer_apply(n, &ns, &err);
    CHECK(st == TETRA_OK, "%s on \"%s\": %s", name, in->u.string, err.message);
    if (st) continue;
    int text_ok = ns.len == want->len && memcmp(ns.text, want->u.string, ns.len) == 0;
    CHECK(text_ok, "%s on \"%s\": got \"%.*s\", wanted \"%s\"", name, in->u.string, (int)ns.len,
          ns.text, want->u.string);
    bad += !text_ok;
    if (text_ok) {
      uint32_t k = 0;
      int mismatch = 0;
      for (uint32_t pos = 0; pos < ns.len && !mismatch; k++) {
        uint32_t end = pos + 1;
        while (end < ns.len && ((unsigned char)ns.text[end] & 0xC0) == 0x80) end++;
        tt_span s = tt_nstr_original_span(&ns, pos, end);
        if (2 * k + 1 >= offs->len) {
          mismatch = 1;
          break;
        }
        uint32_t ws = (uint32_t)offs->u.items[2 * k].u.number + shift;
        uint32_t we = (uint32_t)offs->u.items[2 * k + 1].u.number + shift;
        if (s.start != ws || s.end != we) {
          CHECK(0, "%s on \"%s\": char %u (byte %u) aligned to [%u, %u), wanted [%u, %u)", name,
                in->u.string, k, pos, s.start - shift, s.end - shift, ws - shift, we - shift);
          mismatch = 1;
        }
        pos = end;
      }
      if (!mismatch) {
        CHECK(2 * k == offs->len, "%s on \"%s\": %u chars, golden has %u", name, in->u.string, k,
              offs->len / 2);
      }
      bad += mismatch;
    }
    tt_nstr_free(&ns);
  }
  tt_normalizer_free(n);
  return bad;
}

static void test_golden(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/normalizers.json");
  if (!doc) return;
  const tetra_json *cases = tetra_json_get(tetra_json_root(doc), "cases");
  int n_strings = 0, n_bad = 0;
  for (uint32_t i = 0; i < cases->len; i++) {
    n_bad += golden_case(&cases->u.items[i]);
    n_strings += (int)tetra_json_get(&cases->u.items[i], "results")->len;
  }
  printf("normalizers golden: %u normalizers x strings = %d cases, %d differ\n", cases->len,
         n_strings, n_bad);
  tetra_json_free(doc);
}

/* Parses text as one normalizer and expects failure with the status (either of want and want2)
 * and a message fragment. */
static void bad2(const char *json, tetra_status want, tetra_status want2, const char *needle) {
  tetra_json_doc *doc = harness_parse_json(json, strlen(json));
  if (!doc) return;
  tetra_error err;
  tt_normalizer *n = NULL;
  tetra_status st = tt_normalizer_from_json(tetra_json_root(doc), "normalizer", NULL, &n, &err);
  CHECK(st == want || st == want2, "%s: status %s, wanted %s (%s)", json, tetra_status_name(st),
        tetra_status_name(want), err.message);
  CHECK(n == NULL, "%s: no normalizer on failure", json);
  CHECK(strstr(err.message, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", json, err.message,
        needle);
  tt_normalizer_free(n);
  tetra_json_free(doc);
}

static void bad(const char *json, tetra_status want, const char *needle) {
  bad2(json, want, want, needle);
}

static void apply_text(const char *json, const char *input, const char *want) {
  tetra_json_doc *doc = NULL;
  tetra_error err;
  tt_normalizer *n = NULL;
  tt_nstr ns;
  if (tetra_json_parse(json, strlen(json), NULL, NULL, &doc, &err) != TETRA_OK ||
      tt_normalizer_from_json(tetra_json_root(doc), "normalizer", NULL, &n, &err) != TETRA_OK ||
      tt_nstr_init(&ns, NULL, input, (uint32_t)strlen(input), 0, &err) != TETRA_OK) {
    CHECK(0, "%s: %s", json, err.message);
    tetra_json_free(doc);
    tt_normalizer_free(n);
    return;
  }
  CHECK(tt_normalizer_apply(n, &ns, &err) == TETRA_OK, "%s: %s", json, err.message);
  CHECK(ns.len == strlen(want) && memcmp(ns.text, want, ns.len) == 0, "%s on \"%s\": \"%s\"", json,
        input, ns.text);
  tt_nstr_free(&ns);
  tt_normalizer_free(n);
  tetra_json_free(doc);
}

static void test_errors_and_defaults(void) {
  bad("{\"type\": \"UnicodeMagic\"}", TETRA_ERR_UNSUPPORTED,
      "tokenizer.json: normalizer: unsupported normalizer type \"UnicodeMagic\"");
  bad("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"Nope\"}]}",
      TETRA_ERR_UNSUPPORTED, "normalizer.normalizers[1]: unsupported normalizer type \"Nope\"");
  bad("[1]", TETRA_ERR_FORMAT, "normalizer: expected a normalizer object, got array");
  bad("{\"kind\": \"NFC\"}", TETRA_ERR_FORMAT, "normalizer.type: missing");
  bad("{\"type\": 7}", TETRA_ERR_FORMAT, "normalizer.type: expected a string");
  bad("{\"type\": \"Strip\", \"strip_left\": 1}", TETRA_ERR_FORMAT,
      "normalizer.strip_left: expected true, false or null, found number");
  bad("{\"type\": \"BertNormalizer\", \"lowercase\": \"yes\"}", TETRA_ERR_FORMAT,
      "normalizer.lowercase: expected true, false or null");
  bad("{\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}}", TETRA_ERR_FORMAT,
      "normalizer: missing field \"content\"");
  bad("{\"type\": \"Replace\", \"pattern\": {\"Glob\": \"a\"}, \"content\": \"\"}", TETRA_ERR_FORMAT,
      "normalizer.pattern: unknown pattern kind \"Glob\"");
  bad("{\"type\": \"Replace\", \"pattern\": \"a\", \"content\": \"\"}", TETRA_ERR_FORMAT,
      "normalizer.pattern: expected {\"String\": ...} or {\"Regex\": ...}");
  bad("{\"type\": \"Replace\", \"pattern\": {\"String\": 5}, \"content\": \"\"}", TETRA_ERR_FORMAT,
      "normalizer.pattern.String: expected a string, found number");
  /* (the regex engine reports its own status for a malformed pattern) */
  bad2("{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"(a\"}, \"content\": \"\"}", TETRA_ERR_FORMAT,
       TETRA_ERR_PARSE, "tokenizer.json: normalizer.pattern.Regex: ");
  bad("{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@@@\"}", TETRA_ERR_FORMAT,
      "tokenizer.json: normalizer.precompiled_charsmap");
  bad("{\"type\": \"Prepend\"}", TETRA_ERR_FORMAT, "normalizer: missing field \"prepend\"");
  bad("{\"type\": \"Sequence\", \"normalizers\": {}}", TETRA_ERR_FORMAT,
      "normalizer.normalizers: expected an array, got object");
  bad("{\"type\": \"Sequence\", \"normalizers\": [null]}", TETRA_ERR_FORMAT,
      "normalizer.normalizers[0]: expected a normalizer, got null");
  bad("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Sequence\", \"normalizers\": "
      "[{\"type\": \"Strip\", \"strip_right\": []}]}]}",
      TETRA_ERR_FORMAT, "normalizer.normalizers[0].normalizers[0].strip_right");
  bad("{\"type\": \"Precompiled\", \"precompiled_charsmap\": 12}", TETRA_ERR_FORMAT,
      "normalizer.precompiled_charsmap");

  /* HF's defaults for missing fields: BertNormalizer all on (strip_accents follows lowercase),
   * Strip both sides; an empty Sequence does nothing. */
  apply_text("{\"type\": \"BertNormalizer\"}", "H\xC3\xA9llo\t\xE4\xB8\xAD", "hello  \xE4\xB8\xAD ");
  apply_text("{\"type\": \"BertNormalizer\", \"lowercase\": false}", "H\xC3\xA9llo", "H\xC3\xA9llo");
  apply_text("{\"type\": \"BertNormalizer\", \"lowercase\": false, \"strip_accents\": true}",
             "H\xC3\xA9llo", "Hello");
  apply_text("{\"type\": \"Strip\"}", "  x  ", "x");
  apply_text("{\"type\": \"Sequence\", \"normalizers\": []}", " X ", " X ");
  apply_text("{\"type\": \"Precompiled\", \"precompiled_charsmap\": null}", " X ", " X ");
}

/* The normalizer of a real tokenizer.json (all-MiniLM-L6-v2), when ../shared is present. */
static void test_real_tokenizer(void) {
  const char *path = harness_path("../shared/models/all-MiniLM-L6-v2/tokenizer.json");
  size_t len = 0;
  char *text = harness_read_file(path, &len);
  if (!text) {
    printf("SKIP real tokenizer normalizer: %s is absent\n", path);
    return;
  }
  tetra_json_doc *doc = harness_parse_json(text, len);
  tetra_error err;
  tt_normalizer *n = NULL;
  if (doc) {
    CHECK(tt_normalizer_from_json(tetra_json_get(tetra_json_root(doc), "normalizer"), "normalizer",
                                  NULL, &n, &err) == TETRA_OK,
          "%s", err.message);
  }
  if (n) {
    tt_nstr ns;
    const char *in = "Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC!";
    CHECK(tt_nstr_init(&ns, NULL, in, (uint32_t)strlen(in), 0, &err) == TETRA_OK, "init");
    CHECK(tt_normalizer_apply(n, &ns, &err) == TETRA_OK, "%s", err.message);
    const char *want = "cafe  \xE6\x97\xA5  \xE6\x9C\xAC !";
    CHECK(ns.len == strlen(want) && memcmp(ns.text, want, ns.len) == 0, "MiniLM: \"%s\"", ns.text);
    tt_nstr_free(&ns);
  }
  tt_normalizer_free(n);
  tetra_json_free(doc);
  free(text);
}

int main(void) {
  test_golden();
  test_errors_and_defaults();
  test_real_tokenizer();
  return harness_finish("test_text_normalizers");
}
