/* The tokenizer models (WordPiece, BPE, Unigram, WordLevel) and the string map, against the Rust
 * `tokenizers` library: tests/golden/text/models.json holds, for each model, pieces and the ids and
 * offsets (code points, as the binding reports them) that the library gives for them
 * (tools/golden/text/make_model_golden.mjs). Models from ../shared are skipped, visibly, when
 * absent. Then bad input: malformed vocabularies and merges with errors that name the JSON path. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"
#include "text/components.h"

/* ---- helpers --------------------------------------------------------------------------------- */

/* Byte offsets of a token in text -> the code point offsets that the binding reports. With no
 * normalizer, HF first maps the token's range through the identity alignments (every byte aligns
 * with its whole character, so a byte-fallback token inside a character gets the character's
 * range), then through BytesToCharOffsetConverter. Ranges beyond the text keep their raw values. */
static void to_chars(const char *text, size_t len, uint32_t *s, uint32_t *e, uint32_t *map) {
  uint32_t ci = 0;
  for (size_t i = 0; i < len; i++) {
    if (((unsigned char)text[i] & 0xC0) != 0x80 && i > 0) ci++;
    map[i] = ci;
  }
  uint32_t start = *s, end = *e;
  if (start < end && end <= len) {
    while (start > 0 && ((unsigned char)text[start] & 0xC0) == 0x80) start--;
    while (end < len && ((unsigned char)text[end] & 0xC0) == 0x80) end++;
  }
  if (start >= len) return;
  *s = map[start];
  if (end < len)
    *e = map[end];
  else
    *e = (end - 1 < len ? map[end - 1] : map[start]) + 1;
}

static uint32_t count_chars(const char *text, size_t len) {
  uint32_t n = 0;
  for (size_t i = 0; i < len; i++) n += ((unsigned char)text[i] & 0xC0) != 0x80;
  return n;
}

static char *sha_hex(const char *data, size_t len, char out[65]) {
  uint8_t d[32];
  tetra_sha256(data, len, d);
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
  return out;
}

static int cases_run, cases_skipped, cases_ids_only;

/* A case's offsets as start, end pairs (2 * n entries): the golden file stores one length per token
 * when the tokens follow each other from 0, else the pairs. */
static uint32_t *want_offsets(const tetra_json *offs, uint32_t n) {
  uint32_t *w = malloc((2 * (size_t)n + 1) * sizeof *w);
  if (offs->len == n) {
    uint32_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
      w[2 * i] = pos;
      pos += (uint32_t)offs->u.items[i].u.number;
      w[2 * i + 1] = pos;
    }
  } else {
    for (uint32_t i = 0; i < 2 * n && i < offs->len; i++) w[i] = (uint32_t)offs->u.items[i].u.number;
    CHECK(offs->len == 2 * n, "offsets of %u tokens: %u numbers", n, offs->len);
  }
  return w;
}

/* Runs every case of one golden model entry against a loaded model. */
static void run_cases(tt_model *m, const char *name, const tetra_json *cases) {
  tt_tokens toks = {NULL, NULL, 0, 0};
  /* twice over all cases: the second pass goes through BPE's cache (after evictions) and must
   * give the same answers */
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t c = 0; c < cases->len; c++) {
      const tetra_json *cs = &cases->u.items[c];
      const tetra_json *text = &cs->u.items[0], *ids = &cs->u.items[1], *offs = &cs->u.items[2];
      tetra_error err;
      if (pass == 0) cases_run++;
      toks.n = 0;
      tetra_status st = tt_model_tokenize(m, text->u.string, text->len, &toks, &err);
      if (ids->type == TETRA_JSON_NULL) {
        CHECK(st != TETRA_OK, "%s: \"%.40s\": the reference fails (%s), tetra gave %zu tokens",
              name, text->u.string, offs->u.string, toks.n);
        continue;
      }
      if (st != TETRA_OK) {
        CHECK(0, "%s: \"%.40s\": %s", name, text->u.string, err.message);
        continue;
      }
      int same = toks.n == ids->len;
      uint32_t *want = want_offsets(offs, ids->len);
      /* Only BPE with byte fallback on affixed characters makes HF report offsets beyond the
       * piece; tetra clamps them to the piece, so such cases compare ids only. */
      uint32_t nchars = count_chars(text->u.string, text->len);
      int ids_only = 0;
      for (uint32_t i = 0; i < 2 * ids->len; i++) ids_only |= want[i] > nchars;
      uint32_t *map = malloc((text->len + 1) * sizeof *map);
      for (size_t i = 0; same && i < toks.n; i++) {
        uint32_t s = toks.items[i].start, e = toks.items[i].end;
        to_chars(text->u.string, text->len, &s, &e, map);
        same = toks.items[i].id == (uint32_t)ids->u.items[i].u.number &&
               (ids_only || (s == want[2 * i] && e == want[2 * i + 1]));
      }
      free(map);
      if (ids_only && pass == 0) cases_ids_only++;
      if (!same) {
        fprintf(stderr, "%s: \"%.80s\" (pass %d)\n  want:", name, text->u.string, pass);
        for (uint32_t i = 0; i < ids->len && i < 40; i++)
          fprintf(stderr, " %.0f(%u,%u)", ids->u.items[i].u.number, want[2 * i], want[2 * i + 1]);
        fprintf(stderr, "\n  got: ");
        for (size_t i = 0; i < toks.n && i < 40; i++)
          fprintf(stderr, " %u(%u,%u)", toks.items[i].id, toks.items[i].start, toks.items[i].end);
        fprintf(stderr, " [bytes]\n");
      }
      free(want);
      CHECK(same, "%s: case %u differs from the reference", name, c);
    }
  }
  tetra_free(NULL, toks.items);
}

/* GPT-2's encoder.json + vocab.bpe as a BPE model object (merges as "a b" strings, the #version
 * line included: BPE skips it). */
static char *gpt2_model_json(size_t *out_len) {
  size_t elen, mlen;
  char *enc =
      harness_read_file(harness_path("../shared/models/gpt2-tokenizer/encoder.json"), &elen);
  char *bpe = harness_read_file(harness_path("../shared/models/gpt2-tokenizer/vocab.bpe"), &mlen);
  if (!enc || !bpe) {
    free(enc);
    free(bpe);
    return NULL;
  }
  size_t cap = elen + 2 * mlen + 4 * 60000 + 256, n = 0;
  char *out = malloc(cap);
  n += (size_t)snprintf(out + n, cap - n, "{\"type\":\"BPE\",\"vocab\":%s,\"merges\":[", enc);
  int first = 1;
  for (size_t i = 0; i < mlen;) {
    size_t j = i;
    while (j < mlen && bpe[j] != '\n') j++;
    if (j > i) {
      if (!first) out[n++] = ',';
      first = 0;
      out[n++] = '"';
      for (size_t k = i; k < j; k++) {
        if (bpe[k] == '"' || bpe[k] == '\\') out[n++] = '\\';
        out[n++] = bpe[k];
      }
      out[n++] = '"';
    }
    i = j + 1;
  }
  n += (size_t)snprintf(out + n, cap - n, "]}");
  free(enc);
  free(bpe);
  *out_len = n;
  return out;
}

/* The bytes that a golden entry's sha256 covers, or NULL when they are absent. */
static char *source_bytes(const char *source, size_t *len) {
  char path[512];
  if (strcmp(source, "shared/models/gpt2-tokenizer") == 0) {
    size_t elen, mlen;
    char *enc =
        harness_read_file(harness_path("../shared/models/gpt2-tokenizer/encoder.json"), &elen);
    char *bpe = harness_read_file(harness_path("../shared/models/gpt2-tokenizer/vocab.bpe"), &mlen);
    char *all = NULL;
    if (enc && bpe) {
      all = malloc(elen + mlen + 1);
      memcpy(all, enc, elen);
      memcpy(all + elen, bpe, mlen);
      *len = elen + mlen;
    }
    free(enc);
    free(bpe);
    return all;
  }
  if (strncmp(source, "shared/", 7) == 0)
    snprintf(path, sizeof path, "../%s", source);
  else
    snprintf(path, sizeof path, "%s", source);
  return harness_read_file(harness_path(path), len);
}

static void test_golden(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/models.json");
  if (!doc) return;
  const tetra_json *models = tetra_json_get(tetra_json_root(doc), "models");
  for (uint32_t i = 0; models && i < models->len; i++) {
    const tetra_json *entry = &models->u.items[i];
    const char *name = tetra_json_get(entry, "name")->u.string;
    const tetra_json *cases = tetra_json_get(entry, "cases");
    const tetra_json *inline_model = tetra_json_get(entry, "model");
    const tetra_json *source = tetra_json_get(entry, "source");
    tetra_json_doc *mdoc = NULL;
    const tetra_json *mj = inline_model;
    if (!mj) {
      size_t len;
      char *bytes = source_bytes(source->u.string, &len);
      if (!bytes) {
        printf("SKIP %s: %s is absent\n", name, source->u.string);
        cases_skipped += (int)cases->len;
        continue;
      }
      char hex[65];
      if (strcmp(sha_hex(bytes, len, hex), tetra_json_get(entry, "sha256")->u.string) != 0) {
        printf("SKIP %s: %s changed since the golden file was made (rerun make_model_golden.mjs)\n",
               name, source->u.string);
        cases_skipped += (int)cases->len;
        free(bytes);
        continue;
      }
      if (strcmp(name, "bpe_gpt2") == 0) {
        free(bytes);
        char *text = gpt2_model_json(&len);
        mdoc = text ? harness_parse_json(text, len) : NULL;
        free(text);
        mj = mdoc ? tetra_json_root(mdoc) : NULL;
      } else {
        mdoc = harness_parse_json(bytes, len);
        free(bytes);
        mj = mdoc ? tetra_json_get(tetra_json_root(mdoc), "model") : NULL;
      }
      if (!mj) {
        tetra_json_free(mdoc);
        continue;
      }
    }
    tt_model *m = NULL;
    tetra_error err;
    tetra_status st = tt_model_from_json(mj, "model", NULL, &m, &err);
    CHECK(st == TETRA_OK, "%s: %s", name, err.message);
    if (st == TETRA_OK) run_cases(m, name, cases);
    tt_model_free(m);
    tetra_json_free(mdoc);
  }
  tetra_json_free(doc);
}

/* ---- vocabulary lookups and the string map --------------------------------------------------- */
static tt_model *load(const char *json, tetra_error *err, tetra_status *st) {
  tetra_json_doc *doc = harness_parse_json(json, strlen(json));
  tt_model *m = NULL;
  *st = doc ? tt_model_from_json(tetra_json_root(doc), "model", NULL, &m, err) : TETRA_ERR_PARSE;
  tetra_json_free(doc);
  return m;
}

static void test_lookups(void) {
  tetra_error err;
  tetra_status st;
  tt_model *m = load(
      "{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":{\"a\":0,\"b\":5,\"c\":5,\"<unk>"
      "\":2}}",
      &err, &st);
  CHECK(st == TETRA_OK, "%s", err.message);
  if (m) {
    size_t len = 0;
    uint32_t id = 99;
    CHECK(strcmp(tt_model_type(m), "WordLevel") == 0, "type");
    CHECK(tt_model_vocab_size(m) == 4, "size %u", tt_model_vocab_size(m));
    CHECK(tt_model_token_to_id(m, "c", 1, &id) && id == 5, "c -> 5");
    CHECK(!tt_model_token_to_id(m, "d", 1, &id), "d absent");
    const char *t = tt_model_id_to_token(m, 5, &len);
    CHECK(t && len == 1 && t[0] == 'b', "5 -> the first token with that id, b");
    CHECK(tt_model_id_to_token(m, 1, &len) == NULL, "a hole");
    CHECK(tt_model_id_to_token(m, 6, &len) == NULL, "beyond the last id");
    tt_model_free(m);
  }
  /* the model type is guessed from the fields when "type" is absent, as HF's untagged variants */
  const char *guess[][2] = {
      {"{\"vocab\":{\"a\":0},\"merges\":[]}", "BPE"},
      {"{\"vocab\":[[\"a\",0]],\"unk_id\":0}", "Unigram"},
      {"{\"vocab\":{\"a\":0},\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_input_"
       "chars_per_word\":9}",
       "WordPiece"},
      {"{\"vocab\":{\"a\":0},\"unk_token\":\"a\"}", "WordLevel"},
  };
  for (size_t i = 0; i < sizeof guess / sizeof guess[0]; i++) {
    m = load(guess[i][0], &err, &st);
    CHECK(st == TETRA_OK && strcmp(tt_model_type(m), guess[i][1]) == 0, "%s: %s", guess[i][1],
          err.message);
    tt_model_free(m);
  }

  /* the string map: many keys, overwrites, empty and binary keys */
  tt_strmap map;
  CHECK(tt_strmap_init(&map, NULL, 0, &err) == TETRA_OK, "init");
  char key[32];
  for (uint32_t i = 0; i < 20000; i++) {
    int n = snprintf(key, sizeof key, "k%u", i);
    CHECK(tt_strmap_put(&map, key, (size_t)n, i, &err) == TETRA_OK, "put");
  }
  CHECK(tt_strmap_put(&map, "", 0, 777, &err) == TETRA_OK, "empty key");
  CHECK(tt_strmap_put(&map, "a\0b", 3, 778, &err) == TETRA_OK, "key with NUL");
  CHECK(tt_strmap_put(&map, "k5", 2, 5555, &err) == TETRA_OK, "overwrite");
  CHECK(map.count == 20002, "count %zu", map.count);
  int ok = 1;
  for (uint32_t i = 0; i < 20000; i++) {
    int n = snprintf(key, sizeof key, "k%u", i);
    uint32_t v = 0;
    ok &= tt_strmap_get(&map, key, (size_t)n, &v) && v == (i == 5 ? 5555u : i);
  }
  CHECK(ok, "all keys found");
  uint32_t v = 0;
  CHECK(tt_strmap_get(&map, "", 0, &v) && v == 777, "empty key found");
  CHECK(tt_strmap_get(&map, "a\0b", 3, &v) && v == 778, "NUL key found");
  CHECK(!tt_strmap_get(&map, "a", 1, &v) && !tt_strmap_get(&map, "k20000", 6, &v), "absent keys");
  tt_strmap_free(&map);
  tt_strmap_free(&map); /* twice is harmless */
}

/* ---- bad input ------------------------------------------------------------------------------- */
static void bad(const char *json, tetra_status want, const char *needle) {
  tetra_error err;
  tetra_status st;
  tt_model *m = load(json, &err, &st);
  CHECK(st == want && m == NULL, "%.70s: got %s (%s), wanted %s", json, tetra_status_name(st),
        err.message, tetra_status_name(want));
  if (st != TETRA_OK)
    CHECK(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message, needle);
  tt_model_free(m);
}

static void test_bad_input(void) {
  const tetra_status F = TETRA_ERR_FORMAT;
  bad("[]", F, "tokenizer.json: model: expected an object");
  bad("{\"type\":\"Bogus\",\"vocab\":{}}", TETRA_ERR_UNSUPPORTED,
      "unsupported model type \"Bogus\"");
  bad("{\"type\":3}", F, "model.type");
  /* vocabularies */
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":5,"
      "\"vocab\":{\"a\":-1}}",
      F, "model.vocab[\"a\"]");
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":5,"
      "\"vocab\":{\"a\":1.5}}",
      F, "model.vocab[\"a\"]: the id must be an integer");
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":5,"
      "\"vocab\":{\"a\":\"1\"}}",
      F, "model.vocab[\"a\"]");
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":5,"
      "\"vocab\":{\"a\":4294967296}}",
      F, "model.vocab[\"a\"]");
  bad("{\"type\":\"WordLevel\",\"unk_token\":\"a\",\"vocab\":{\"a\":4000000000}}", TETRA_ERR_LIMIT,
      "model.vocab[\"a\"]: id 4000000000 is beyond");
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":5,"
      "\"vocab\":[]}",
      F, "model.vocab: expected an object");
  bad("{\"type\":\"WordPiece\",\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":5,"
      "\"vocab\":{}}",
      F, "missing field \"unk_token\"");
  bad("{\"type\":\"WordPiece\",\"unk_token\":null,\"continuing_subword_prefix\":\"##\",\"max_input_"
      "chars_per_word\":5,"
      "\"vocab\":{}}",
      F, "model.unk_token: expected a string");
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":-5,"
      "\"vocab\":{}}",
      F, "model.max_input_chars_per_word");
  bad("{\"type\":\"WordPiece\",\"unk_token\":\"a\",\"continuing_subword_prefix\":\"##\",\"max_"
      "input_chars_per_word\":5}",
      F, "missing field \"vocab\"");
  bad("{\"type\":\"WordLevel\",\"vocab\":{}}", F, "missing field \"unk_token\"");
  /* BPE */
  bad("{\"type\":\"BPE\",\"vocab\":{}}", F, "missing field \"merges\"");
  bad("{\"type\":\"BPE\",\"merges\":[]}", F, "missing field \"vocab\"");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":{}}", F, "model.merges: expected an array");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\",\"a c\"]}", F,
      "model.merges[1]: \"c\" is not in model.vocab");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[[\"a\",\"b\"],[\"x\","
      "\"b\"]]}",
      F, "model.merges[1]: \"x\" is not in model.vocab");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\"]}", F,
      "model.merges[0]: the merged token \"ab\" is not in model.vocab");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\",[\"a\",\"b\"]]}",
      F, "model.merges[1]");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[[\"a\",\"b\"],\"a b\"]}",
      F, "model.merges[1]");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[[\"a\",\"b\",\"c\"]]}", F,
      "model.merges[0]");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b c\"]}", F,
      "model.merges[0]: \"a b c\" is not two tokens");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"ab\"]}", F,
      "model.merges[0]");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\", 7]}", F,
      "model.merges[1]");
  bad("{\"type\":\"BPE\",\"dropout\":0.1,\"vocab\":{\"a\":0},\"merges\":[]}", TETRA_ERR_UNSUPPORTED,
      "model.dropout");
  bad("{\"type\":\"BPE\",\"dropout\":1.5,\"vocab\":{\"a\":0},\"merges\":[]}", F, "model.dropout");
  bad("{\"type\":\"BPE\",\"fuse_unk\":1,\"vocab\":{\"a\":0},\"merges\":[]}", F, "model.fuse_unk");
  bad("{\"type\":\"BPE\",\"unk_token\":5,\"vocab\":{\"a\":0},\"merges\":[]}", F, "model.unk_token");
  bad("{\"type\":\"BPE\",\"continuing_subword_prefix\":\"##\",\"vocab\":{\"a\":0,\"b\":1},"
      "\"merges\":[\"a b\"]}",
      F, "model.merges[0]: \"b\" cannot lose the 2-byte continuing_subword_prefix");
  bad("{\"type\":\"BPE\",\"vocab\":{\"a\":-3},\"merges\":[]}", F, "model.vocab[\"a\"]");
  /* Unigram */
  bad("{\"type\":\"Unigram\",\"vocab\":{}}", F, "model.vocab: expected an array");
  bad("{\"type\":\"Unigram\",\"unk_id\":0}", F, "missing field \"vocab\"");
  bad("{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[]}", F, "model.vocab: empty");
  bad("{\"type\":\"Unigram\",\"unk_id\":2,\"vocab\":[[\"a\",0],[\"b\",-1]]}", F, "model.unk_id: 2");
  bad("{\"type\":\"Unigram\",\"unk_id\":-1,\"vocab\":[[\"a\",0]]}", F, "model.unk_id");
  bad("{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"a\",0],[\"b\"]]}", F, "model.vocab[1]");
  bad("{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"a\",0],[\"b\",\"x\"]]}", F,
      "model.vocab[1]");
  bad("{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"a\",0],[1,1]]}", F, "model.vocab[1]");
  bad("{\"type\":\"Unigram\",\"unk_id\":0,\"byte_fallback\":\"yes\",\"vocab\":[[\"a\",0]]}", F,
      "model.byte_fallback");

  /* accepted quirks: a Unigram without unk_id and with an empty vocabulary loads (HF does too) */
  tetra_error err;
  tetra_status st;
  tt_model *m = load("{\"type\":\"Unigram\",\"unk_id\":null,\"vocab\":[]}", &err, &st);
  CHECK(st == TETRA_OK, "empty Unigram without unk: %s", err.message);
  if (m) {
    tt_tokens toks = {NULL, NULL, 0, 0};
    CHECK(tt_model_tokenize(m, "a", 1, &toks, &err) == TETRA_ERR_FORMAT &&
              strstr(err.message, "no unk_id"),
          "unknown character without unk_id: %s", err.message);
    CHECK(toks.n == 0, "nothing appended on failure");
    tetra_free(NULL, toks.items);
  }
  tt_model_free(m);
  tt_model_free(NULL);
}

/* A long word runs through BPE's heap and WordPiece's trie without trouble, and a word made of
 * 100,000 repetitions is handled in reasonable time (no quadratic blow-up in the merge). */
static void test_long_words(void) {
  tetra_error err;
  tetra_status st;
  tt_model *m = load(
      "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,\"abab\":3,\"aa\":4},"
      "\"merges\":[\"a b\",\"ab ab\",\"a a\"]}",
      &err, &st);
  CHECK(st == TETRA_OK, "%s", err.message);
  if (!m) return;
  size_t n = 100000;
  char *w = malloc(n);
  for (size_t i = 0; i < n; i++) w[i] = i % 2 ? 'b' : 'a';
  tt_tokens toks = {NULL, NULL, 0, 0};
  CHECK(tt_model_tokenize(m, w, (uint32_t)n, &toks, &err) == TETRA_OK, "%s", err.message);
  CHECK(toks.n == n / 4, "abab x 25000: %zu tokens", toks.n);
  int ok = 1;
  for (size_t i = 0; i < toks.n; i++) ok &= toks.items[i].id == 3 && toks.items[i].start == 4 * i;
  CHECK(ok, "all abab with offsets");
  tetra_free(NULL, toks.items);
  free(w);
  tt_model_free(m);
}

int main(void) {
  test_golden();
  printf("golden cases: %d checked (%d of them ids only), %d skipped\n", cases_run, cases_ids_only,
         cases_skipped);
  test_lookups();
  test_bad_input();
  test_long_words();
  return harness_finish("test_text_models");
}
