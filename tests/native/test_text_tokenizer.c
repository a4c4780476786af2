/* Whole tokenizers against the Rust tokenizers library: tests/golden/text/tokenizer_cases.json
 * (made by tools/golden/text/make_tokenizer_golden.mjs) holds small tokenizer.json documents, one
 * per feature (added tokens and their flags, each post-processor, truncation and padding modes,
 * pairs, batches, decoders), plus the SentencePiece-style tokenizers of tests/golden/text/sp-* and
 * the real all-MiniLM-L6-v2 tokenizer of ../shared (skipped visibly when absent), with the library's
 * ids, type ids, masks, word ids, sequence ids, offsets (code points), overflowing parts and decoded
 * strings. The byte and UTF-16 offsets are derived from the code-point ones.
 * Then what the golden file cannot show: option overrides, errors, invalid UTF-8, reuse after a
 * failed call. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/text.h"

#define GOLDEN "tests/golden/text/tokenizer_cases.json"

static const tetra_json *get(const tetra_json *o, const char *k) { return tetra_json_get(o, k); }

static int is_true(const tetra_json *v) { return v && v->type == TETRA_JSON_TRUE; }

/* ---- comparing one encoding --------------------------------------------------------------- */

static int u32_array_eq(const tetra_json *arr, const uint32_t *v, uint32_t n) {
  if (!arr || arr->type != TETRA_JSON_ARRAY || arr->len != n) return 0;
  for (uint32_t i = 0; i < n; i++)
    if ((uint32_t)arr->u.items[i].u.number != v[i]) return 0;
  return 1;
}

/* Type ids, masks, word ids and sequence ids: a string of one character per token ('0'..'9', '-'
 * for none) or an array of numbers (-1 for none); got(values, i) reads tetra's i-th value. */
typedef int64_t (*value_at)(const void *values, uint32_t i);
static int64_t u32_at(const void *v, uint32_t i) { return ((const uint32_t *)v)[i]; }
static int64_t i32_at(const void *v, uint32_t i) { return ((const int32_t *)v)[i]; }
static int64_t u8_at(const void *v, uint32_t i) { return ((const uint8_t *)v)[i]; }

static int small_eq(const tetra_json *want, const void *values, value_at got, uint32_t n) {
  if (!want || want->len != n) return 0;
  for (uint32_t i = 0; i < n; i++) {
    int64_t w;
    if (want->type == TETRA_JSON_STRING)
      w = want->u.string[i] == '-' ? -1 : want->u.string[i] - '0';
    else if (want->type == TETRA_JSON_ARRAY)
      w = (int64_t)want->u.items[i].u.number;
    else
      return 0;
    if (w != got(values, i)) return 0;
  }
  return 1;
}

/* offsets: flat start0, end0, start1, end1, ... */
static int offsets_eq(const tetra_json *arr, const uint32_t *v, uint32_t n) {
  return u32_array_eq(arr, v, 2 * n);
}

static void print_ids(const char *what, const uint32_t *v, uint32_t n) {
  fprintf(stderr, "  %s:", what);
  for (uint32_t i = 0; i < n && i < 40; i++) fprintf(stderr, " %u", v[i]);
  fputc('\n', stderr);
}

static void compare(const char *where, const tetra_json *want, const tetra_encoding *got) {
  const tetra_json *ids = get(want, "ids");
  uint32_t n = got->len;
  int ok = u32_array_eq(ids, got->ids, n);
  CHECK(ok, "%s: ids differ (%u tokens, wanted %u)", where, n, ids ? ids->len : 0);
  if (!ok) {
    print_ids("got", got->ids, n);
    return;
  }
  CHECK(small_eq(get(want, "type_ids"), got->type_ids, u32_at, n), "%s: type ids differ", where);
  CHECK(small_eq(get(want, "attention_mask"), got->attention_mask, u8_at, n),
        "%s: attention mask differs", where);
  CHECK(small_eq(get(want, "special_tokens_mask"), got->special_tokens_mask, u8_at, n),
        "%s: special tokens mask differs", where);
  CHECK(small_eq(get(want, "word_ids"), got->word_ids, i32_at, n), "%s: word ids differ", where);
  CHECK(small_eq(get(want, "sequence_ids"), got->sequence_ids, i32_at, n),
        "%s: sequence ids differ", where);
  ok = offsets_eq(get(want, "offsets"), got->offsets, n);
  CHECK(ok, "%s: offsets differ", where);
  if (!ok) print_ids("got offsets", got->offsets, 2 * n);
  const tetra_json *over = get(want, "overflowing");
  uint32_t n_over = over ? over->len : 0;
  CHECK(got->n_overflowing == n_over, "%s: %u overflowing encodings, wanted %u", where,
        got->n_overflowing, n_over);
  for (uint32_t i = 0; i < n_over && i < got->n_overflowing; i++) {
    char w[300];
    snprintf(w, sizeof w, "%s: overflowing[%u]", where, i);
    compare(w, &over->u.items[i], got->overflowing[i]);
  }
}

/* Byte and UTF-16 positions of each code point of text (n + 1 entries each). */
static size_t positions(const char *text, size_t len, uint32_t **bytes, uint32_t **units) {
  *bytes = malloc((len + 2) * sizeof(uint32_t));
  *units = malloc((len + 2) * sizeof(uint32_t));
  size_t n = 0;
  uint32_t u = 0;
  for (size_t i = 0; i < len;) {
    unsigned char c = (unsigned char)text[i];
    size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    (*bytes)[n] = (uint32_t)i;
    (*units)[n++] = u;
    u += l == 4 ? 2 : 1;
    i += l;
  }
  (*bytes)[n] = (uint32_t)len;
  (*units)[n] = u;
  return n;
}

/* The same single-sequence encode in bytes and UTF-16 units must give the converted offsets. */
static void check_units(const char *where, tetra_tokenizer *tok, const char *text, size_t len,
                        const tetra_encode_options *base, const tetra_encoding *chars) {
  uint32_t *bytes, *units;
  size_t ncp = positions(text, len, &bytes, &units);
  for (int unit = TETRA_OFFSETS_BYTES; unit <= TETRA_OFFSETS_UTF16; unit++) {
    tetra_encode_options o = *base;
    o.offset_unit = (tetra_offset_unit)unit;
    tetra_encoding *e = NULL;
    tetra_error err;
    tetra_status st = tetra_tokenizer_encode(tok, text, len, NULL, 0, &o, &e, &err);
    CHECK(st == TETRA_OK, "%s: unit %d: %s", where, unit, err.message);
    if (st) continue;
    int ok = e->len == chars->len;
    const uint32_t *map = unit == TETRA_OFFSETS_BYTES ? bytes : units;
    for (uint32_t i = 0; ok && i < e->len; i++) {
      uint32_t s = chars->offsets[2 * i], t = chars->offsets[2 * i + 1];
      if (s >= ncp) continue; /* HF leaves such pairs in bytes; not comparable */
      /* HF's rule: a position maps to the character that contains it (the end of the text to
       * the number of characters) */
      uint32_t gs = e->offsets[2 * i], ge = e->offsets[2 * i + 1], cs = 0, ce = 0;
      while (cs + 1 <= ncp && map[cs + 1] <= gs) cs++;
      if (ge >= map[ncp]) {
        ce = (uint32_t)ncp;
      } else {
        while (ce + 1 <= ncp && map[ce + 1] <= ge) ce++;
      }
      if (gs == 0 && ge == 0) cs = ce = 0;
      if (cs != s || ce != t) {
        ok = 0;
        CHECK(0, "%s: unit %d: token %u: (%u, %u) is chars (%u, %u), wanted (%u, %u)", where,
              unit, i, gs, ge, cs, ce, s, t);
      }
    }
    CHECK(e->len == chars->len, "%s: unit %d: length differs", where, unit);
    tetra_encoding_free(e);
  }
  free(bytes);
  free(units);
}

static tetra_tokenizer *load_case(const tetra_json *c, const char *name) {
  const tetra_json *file = get(c, "file"), *text = get(c, "tokenizer_json");
  char *buf = NULL;
  size_t len = 0;
  const char *json;
  if (file) {
    buf = harness_read_file(harness_path(file->u.string), &len);
    if (!buf) {
      fprintf(stderr, "SKIP %s: %s is absent\n", name, file->u.string);
      return NULL;
    }
    json = buf;
  } else {
    json = text->u.string;
    len = text->len;
  }
  tetra_tokenizer *tok = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_from_json(json, len, NULL, &tok, &err);
  CHECK(st == TETRA_OK, "%s: load: %s", name, err.message);
  free(buf);
  return st ? NULL : tok;
}

static void run_case(const tetra_json *c) {
  const char *name = get(c, "name")->u.string;
  tetra_tokenizer *tok = load_case(c, name);
  if (!tok) return;
  const tetra_json *encodes = get(c, "encodes");
  for (uint32_t i = 0; encodes && i < encodes->len; i++) {
    const tetra_json *e = &encodes->u.items[i];
    const tetra_json *text = get(e, "text"), *pair = get(e, "pair");
    int add = is_true(get(e, "add_special_tokens"));
    char where[300];
    snprintf(where, sizeof where, "%s: encodes[%u] \"%.40s\"%s%.30s%s (special %d)", name, i,
             text->u.string, pair->type == TETRA_JSON_STRING ? " + \"" : "",
             pair->type == TETRA_JSON_STRING ? pair->u.string : "",
             pair->type == TETRA_JSON_STRING ? "\"" : "", add);
    tetra_encode_options o;
    tetra_encode_options_default(&o);
    o.skip_special_tokens = !add;
    o.offset_unit = TETRA_OFFSETS_CHARS;
    tetra_encoding *got = NULL;
    tetra_error err;
    tetra_status st = tetra_tokenizer_encode(
        tok, text->u.string, text->len, pair->type == TETRA_JSON_STRING ? pair->u.string : NULL,
        pair->type == TETRA_JSON_STRING ? pair->len : 0, &o, &got, &err);
    if (get(e, "error")) {
      CHECK(st != TETRA_OK, "%s: should fail like the Rust library (%s)", where,
            get(e, "error")->u.string);
      tetra_encoding_free(got);
      continue;
    }
    CHECK(st == TETRA_OK, "%s: %s", where, err.message);
    if (st) continue;
    compare(where, e, got);
    if (pair->type != TETRA_JSON_STRING) check_units(where, tok, text->u.string, text->len, &o, got);
    tetra_encoding_free(got);
  }

  const tetra_json *batch = get(c, "batch");
  if (batch) {
    const tetra_json *texts = get(batch, "texts"), *pairs = get(batch, "pairs"),
                     *encs = get(batch, "encodings");
    size_t n = texts->len;
    const char **t = calloc(n + 1, sizeof(char *)), **p = calloc(n + 1, sizeof(char *));
    size_t *tl = calloc(n + 1, sizeof(size_t)), *pl = calloc(n + 1, sizeof(size_t));
    tetra_encoding **out = calloc(n + 1, sizeof(tetra_encoding *));
    for (size_t i = 0; i < n; i++) {
      t[i] = texts->u.items[i].u.string;
      tl[i] = texts->u.items[i].len;
      if (pairs->type == TETRA_JSON_ARRAY) {
        p[i] = pairs->u.items[i].u.string;
        pl[i] = pairs->u.items[i].len;
      }
    }
    tetra_encode_options o;
    tetra_encode_options_default(&o);
    o.offset_unit = TETRA_OFFSETS_CHARS;
    tetra_error err;
    tetra_status st = tetra_tokenizer_encode_batch(tok, n, t, tl,
                                                   pairs->type == TETRA_JSON_ARRAY ? p : NULL,
                                                   pl, &o, out, &err);
    CHECK(st == TETRA_OK, "%s: batch: %s", name, err.message);
    for (size_t i = 0; !st && i < n; i++) {
      char where[200];
      snprintf(where, sizeof where, "%s: batch[%zu]", name, i);
      compare(where, &encs->u.items[i], out[i]);
      tetra_encoding_free(out[i]);
    }
    free(t);
    free(p);
    free(tl);
    free(pl);
    free(out);
  }

  const tetra_json *decodes = get(c, "decodes");
  for (uint32_t i = 0; decodes && i < decodes->len; i++) {
    const tetra_json *d = &decodes->u.items[i];
    /* the ids of an encode ("encode": its index) or their own */
    const tetra_json *from = get(d, "encode");
    const tetra_json *ids = from ? get(&encodes->u.items[(uint32_t)from->u.number], "ids")
                                 : get(d, "ids");
    const tetra_json *want = get(d, "text");
    uint32_t *v = malloc((ids->len + 1) * sizeof(uint32_t));
    for (uint32_t k = 0; k < ids->len; k++) v[k] = (uint32_t)ids->u.items[k].u.number;
    char *text = NULL;
    size_t len = 0;
    tetra_error err;
    int skip = is_true(get(d, "skip_special_tokens"));
    tetra_status st = tetra_tokenizer_decode(tok, v, ids->len, skip, &text, &len, &err);
    CHECK(st == TETRA_OK, "%s: decodes[%u]: %s", name, i, err.message);
    if (!st) {
      CHECK(len == want->len && !memcmp(text, want->u.string, len),
            "%s: decodes[%u] (skip %d): \"%s\", wanted \"%s\"", name, i, skip, text, want->u.string);
    }
    tetra_text_free(tok, text);
    free(v);
  }
  tetra_tokenizer_free(tok);
}

/* ---- what the golden file cannot show ------------------------------------------------------ */

static tetra_tokenizer *case_tokenizer(const tetra_json *cases, const char *name) {
  for (uint32_t i = 0; i < cases->len; i++) {
    if (!strcmp(get(&cases->u.items[i], "name")->u.string, name))
      return load_case(&cases->u.items[i], name);
  }
  CHECK(0, "no case %s", name);
  return NULL;
}

static tetra_encoding *enc(tetra_tokenizer *tok, const char *text, const char *pair,
                           const tetra_encode_options *o) {
  tetra_encoding *e = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_encode(tok, text, strlen(text), pair, pair ? strlen(pair) : 0,
                                           o, &e, &err);
  CHECK(st == TETRA_OK, "encode \"%s\": %s", text, err.message);
  return e;
}

static int same_ids(const tetra_encoding *a, const tetra_encoding *b) {
  if (!a || !b || a->len != b->len) return 0;
  for (uint32_t i = 0; i < a->len; i++)
    if (a->ids[i] != b->ids[i] || a->type_ids[i] != b->type_ids[i] ||
        a->attention_mask[i] != b->attention_mask[i])
      return 0;
  return 1;
}

/* Options ON with the values of tokenizer.json give what tokenizer.json gives; OFF turns it off. */
static void test_options(const tetra_json *cases) {
  tetra_tokenizer *tok = case_tokenizer(cases, "only_first_left_fixed_pad_left");
  tetra_tokenizer *plain = case_tokenizer(cases, "bert_template_added_tokens");
  if (!tok || !plain) goto done;
  const char *text = "a b c d e f g h i j k l m n o p", *pair = "x y";
  tetra_encode_options dflt, on, off;
  tetra_encode_options_default(&dflt);
  on = dflt;
  on.truncation = TETRA_ENCODE_ON;
  on.max_length = 10;
  on.stride = 1;
  on.strategy = TETRA_TRUNCATE_ONLY_FIRST;
  on.truncate_left = 1;
  on.padding = TETRA_ENCODE_ON;
  on.pad_mode = TETRA_PAD_FIXED;
  on.pad_length = 16;
  on.pad_left = 1;
  tetra_encoding *a = enc(tok, text, pair, &dflt), *b = enc(tok, text, pair, &on);
  CHECK(same_ids(a, b), "options equal to tokenizer.json give the same encoding");
  CHECK(a && b && a->n_overflowing == b->n_overflowing && a->n_overflowing > 0,
        "same overflowing parts");
  tetra_encoding_free(a);
  tetra_encoding_free(b);
  off = dflt;
  off.truncation = off.padding = TETRA_ENCODE_OFF;
  a = enc(tok, text, pair, &off);
  b = enc(plain, text, pair, &dflt);
  CHECK(same_ids(a, b), "truncation and padding off");
  CHECK(a && a->len == 16 + 2 + 3, "no truncation: %u tokens", a ? a->len : 0);
  tetra_encoding_free(a);
  tetra_encoding_free(b);
  /* padding to a multiple, on the left, batch-longest */
  on = dflt;
  on.padding = TETRA_ENCODE_ON;
  on.pad_mode = TETRA_PAD_LONGEST;
  on.pad_to_multiple_of = 8;
  on.pad_left = 1;
  a = enc(plain, "hello world", NULL, &on);
  CHECK(a && a->len == 8 && a->attention_mask[0] == 0 && a->attention_mask[7] == 1 &&
            a->special_tokens_mask[0] == 1 && a->word_ids[0] == -1 && a->ids[4] == 2,
        "left padding to a multiple of 8");
  tetra_encoding_free(a);
  /* bad option values are errors, and the tokenizer stays usable */
  tetra_encode_options bad = dflt;
  bad.truncation = 7;
  tetra_encoding *e = NULL;
  tetra_error err;
  CHECK(tetra_tokenizer_encode(plain, "x", 1, NULL, 0, &bad, &e, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "truncation = 7 is rejected");
  bad = dflt;
  bad.truncation = TETRA_ENCODE_ON;
  bad.max_length = 4;
  bad.stride = 4;
  CHECK(tetra_tokenizer_encode(plain, "a b c d e f g h", 15, NULL, 0, &bad, &e, &err) != TETRA_OK &&
            strstr(err.message, "stride"),
        "stride >= max_length is an error: %s", err.message);
  bad.strategy = TETRA_TRUNCATE_ONLY_SECOND;
  bad.stride = 0;
  CHECK(tetra_tokenizer_encode(plain, "a b c d e f g h", 15, NULL, 0, &bad, &e, &err) != TETRA_OK,
        "only_second without a pair is an error");
  a = enc(plain, "hello world", NULL, &dflt);
  CHECK(a && a->len == 4, "usable after failed calls");
  tetra_encoding_free(a);
  /* max_length below the special tokens: the Rust library truncates nothing (usize wrap) */
  on = dflt;
  on.truncation = TETRA_ENCODE_ON;
  on.max_length = 1;
  a = enc(plain, "a b c d e f", NULL, &on);
  CHECK(a && a->len == 8 && a->n_overflowing == 0, "max_length 1 < 2 special tokens: no truncation");
  tetra_encoding_free(a);
done:
  tetra_tokenizer_free(tok);
  tetra_tokenizer_free(plain);
}

/* Invalid UTF-8: one U+FFFD per maximal invalid subpart, byte offsets in the caller's bytes. */
static void test_invalid_utf8(const tetra_json *cases) {
  tetra_tokenizer *tok = case_tokenizer(cases, "roberta_bytelevel");
  if (!tok) return;
  tetra_encode_options o;
  tetra_encode_options_default(&o);
  o.skip_special_tokens = 1;
  /* "a" F0 9F (truncated 4-byte: one subpart) "b" ED A0 80 (surrogate: three subparts) "c" */
  const char bad[] = "a\xF0\x9F" "b\xED\xA0\x80" "c";
  const char good[] = "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "c";
  tetra_encoding *x = NULL, *y = NULL;
  tetra_error err;
  CHECK(tetra_tokenizer_encode(tok, bad, sizeof bad - 1, NULL, 0, &o, &x, &err) == TETRA_OK, "%s",
        err.message);
  CHECK(tetra_tokenizer_encode(tok, good, sizeof good - 1, NULL, 0, &o, &y, &err) == TETRA_OK, "%s",
        err.message);
  CHECK(same_ids(x, y), "invalid bytes encode as U+FFFD");
  if (x && x->len) {
    uint32_t last = x->offsets[2 * (x->len - 1) + 1];
    CHECK(last == sizeof bad - 1, "offsets end at the caller's last byte: %u", last);
    for (uint32_t i = 0; i < x->len; i++)
      CHECK(x->offsets[2 * i + 1] <= sizeof bad - 1, "offset inside the input");
  }
  tetra_encoding_free(x);
  tetra_encoding_free(y);
  tetra_tokenizer_free(tok);
}

static void expect_load_error(const char *json, tetra_status want, const char *needle) {
  tetra_tokenizer *tok = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_from_json(json, strlen(json), NULL, &tok, &err);
  CHECK(st == want, "%.80s: status %s, wanted %s (%s)", json, tetra_status_name(st),
        tetra_status_name(want), err.message);
  CHECK(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message, needle);
  CHECK(tok == NULL, "no tokenizer on failure");
  tetra_tokenizer_free(tok);
}

#define WL "\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"[UNK]\": 0, \"a\": 1}, \"unk_token\": \"[UNK]\"}"

static void test_errors(void) {
  expect_load_error("{\"version\": \"1.0\"}", TETRA_ERR_FORMAT, "tokenizer.json: model: missing");
  expect_load_error("{\"model\": ", TETRA_ERR_PARSE, "tokenizer.json");
  expect_load_error("[]", TETRA_ERR_FORMAT, "should be an object");
  expect_load_error("{" WL ", \"added_tokens\": [{\"id\": 2, \"content\": \"x\"}, {\"id\": 3}]}",
                    TETRA_ERR_FORMAT, "added_tokens[1].content");
  expect_load_error("{" WL ", \"added_tokens\": [{\"id\": 2, \"content\": \"x\", \"lstrip\": 1}]}",
                    TETRA_ERR_FORMAT, "added_tokens[0].lstrip");
  expect_load_error("{" WL ", \"post_processor\": {\"type\": \"Magic\"}}", TETRA_ERR_UNSUPPORTED,
                    "post_processor: unsupported post-processor type \"Magic\"");
  expect_load_error("{" WL ", \"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": "
                    "\"Fuse\"}, {\"type\": \"Nope\"}]}}",
                    TETRA_ERR_UNSUPPORTED, "decoder.decoders[1]: unsupported decoder type \"Nope\"");
  expect_load_error("{" WL ", \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": "
                    "[{\"SpecialToken\": {\"id\": \"[X]\", \"type_id\": 0}}], \"pair\": [], "
                    "\"special_tokens\": {}}}",
                    TETRA_ERR_FORMAT, "post_processor.single[0]");
  expect_load_error("{" WL ", \"truncation\": {\"max_length\": -1}}", TETRA_ERR_FORMAT,
                    "truncation.max_length");
  expect_load_error("{" WL ", \"padding\": {\"strategy\": {\"Fixed\": \"x\"}}}", TETRA_ERR_FORMAT,
                    "padding.strategy.Fixed");

  /* decode: ids out of range name their position */
  const char *ok = "{" WL ", \"added_tokens\": [{\"id\": 2, \"content\": \"[S]\", \"special\": true}]}";
  tetra_tokenizer *tok = NULL;
  tetra_error err;
  CHECK(tetra_tokenizer_from_json(ok, strlen(ok), NULL, &tok, &err) == TETRA_OK, "%s", err.message);
  if (!tok) return;
  CHECK(tetra_tokenizer_vocab_size(tok) == 3, "vocab size counts added tokens");
  uint32_t id = 99;
  CHECK(tetra_tokenizer_token_to_id(tok, "[S]", 3, &id) && id == 2, "added token id");
  CHECK(tetra_tokenizer_token_to_id(tok, "a", 1, &id) && id == 1, "model token id");
  CHECK(!tetra_tokenizer_token_to_id(tok, "zz", 2, &id), "unknown token");
  size_t len = 0;
  const char *t = tetra_tokenizer_id_to_token(tok, 2, &len);
  CHECK(t && len == 3 && !memcmp(t, "[S]", 3), "id to token");
  uint32_t ids[] = {1, 2, 7};
  char *text = NULL;
  CHECK(tetra_tokenizer_decode(tok, ids, 3, 0, &text, &len, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "ids[2] = 7"),
        "decode names the bad position: %s", err.message);
  CHECK(tetra_tokenizer_decode(tok, ids, 2, 1, &text, &len, &err) == TETRA_OK && len == 1 &&
            !strcmp(text, "a"),
        "decode after a failure, skipping specials");
  tetra_text_free(tok, text);
  tetra_tokenizer_free(tok);
}

/* Many encodes of varied length reuse the scratch; a long input goes through the heap blocks. */
static void test_scratch_reuse(const tetra_json *cases) {
  tetra_tokenizer *tok = case_tokenizer(cases, "llama3_style_sequence");
  if (!tok) return;
  size_t big = 300000;
  char *s = malloc(big + 1);
  for (size_t i = 0; i < big; i++) s[i] = "hello world, the in  \xC3\xA9"[i % 23];
  s[big] = 0;
  while (((unsigned char)s[big - 1] & 0xC0) == 0x80 || (unsigned char)s[big - 1] >= 0xC0) s[--big] = 0;
  tetra_encoding *first = enc(tok, s, NULL, NULL);
  for (int r = 0; r < 20; r++) {
    tetra_encoding *e = enc(tok, r % 2 ? "short one" : s, NULL, NULL);
    if (r % 2 == 0) CHECK(same_ids(first, e), "same result on reuse %d", r);
    tetra_encoding_free(e);
  }
  CHECK(first && first->len > 1000, "long input tokenized: %u tokens", first ? first->len : 0);
  tetra_encoding_free(first);
  free(s);
  tetra_tokenizer_free(tok);
}

int main(void) {
  tetra_json_doc *doc = harness_read_json(GOLDEN);
  if (!doc) return harness_finish("test_text_tokenizer");
  const tetra_json *cases = get(tetra_json_root(doc), "cases");
  int have_minilm = 0;
  for (uint32_t i = 0; i < cases->len; i++) {
    const tetra_json *c = &cases->u.items[i];
    if (!strcmp(get(c, "name")->u.string, "minilm")) have_minilm = 1;
    run_case(c);
  }
  if (!have_minilm) fprintf(stderr, "SKIP minilm: not in %s (../shared was absent)\n", GOLDEN);
  test_options(cases);
  test_invalid_utf8(cases);
  test_errors();
  test_scratch_reuse(cases);
  tetra_json_free(doc);
  return harness_finish("test_text_tokenizer");
}
