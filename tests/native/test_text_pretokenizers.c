/* Pre-tokenizers against the Rust tokenizers library (tests/golden/text/pretokenizers.json, made by
 * tools/golden/text/make_pretok_golden.mjs): every piece's text and original offsets, for every
 * pre-tokenizer kind and option over hard strings; plus what the JSON reader accepts and rejects,
 * and splits that already carry tokens. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"
#include "text/components.h"
#include "text/nstr.h"
#include "text/unicode.h"

/* Code point index of every byte offset of s (len + 1 entries). */
static uint32_t *cp_index(const char *s, size_t len) {
  uint32_t *idx = malloc((len + 1) * sizeof *idx);
  uint32_t cp = 0;
  for (size_t i = 0; i < len; i++) /* continuation bytes share their character's index */
    idx[i] = ((unsigned char)s[i] & 0xC0) != 0x80 ? cp++ : (cp ? cp - 1 : 0);
  idx[len] = cp;
  return idx;
}

static int make_input(tt_pretok *pt, const char *text, size_t len) {
  tetra_error err;
  tt_nstr ns;
  tt_pretok_init(pt, NULL);
  if (tt_nstr_init(&ns, NULL, text, (uint32_t)len, 0, &err) != TETRA_OK) {
    CHECK(0, "tt_nstr_init: %s", err.message);
    return 0;
  }
  if (tt_pretok_push(pt, &ns, NULL, 0, &err) != TETRA_OK) {
    CHECK(0, "tt_pretok_push: %s", err.message);
    tt_nstr_free(&ns);
    return 0;
  }
  return 1;
}

static void describe(char *out, size_t size, const tetra_json *config) {
  const tetra_json *type = tetra_json_get(config, "type");
  snprintf(out, size, "%s", type && type->type == TETRA_JSON_STRING ? type->u.string : "?");
  const tetra_json *list = tetra_json_get(config, "pretokenizers");
  for (uint32_t i = 0; list && i < list->len; i++) {
    const tetra_json *t = tetra_json_get(&list->u.items[i], "type");
    size_t n = strlen(out);
    if (t && n + 2 < size) snprintf(out + n, size - n, "%s%s", i ? "," : "[", t->u.string);
    if (i + 1 == list->len && strlen(out) + 2 < size) strcat(out, "]");
  }
}

/* c: {"pre_tokenizer", "pieces"}; pieces[r] holds the pieces of inputs[r], flat: text, start,
 * end, text, ... */
static void run_case(const tetra_json *c, const tetra_json *inputs, size_t case_index,
                     int *compared) {
  const tetra_json *config = tetra_json_get(c, "pre_tokenizer");
  const tetra_json *results = tetra_json_get(c, "pieces");
  char name[160];
  describe(name, sizeof name, config);
  tetra_error err;
  tt_pretokenizer *p = NULL;
  tetra_status st = tt_pretokenizer_from_json(config, "pre_tokenizer", NULL, &p, &err);
  CHECK(st == TETRA_OK, "case %zu (%s): %s", case_index, name, err.message);
  if (st != TETRA_OK) return;
  for (uint32_t r = 0; results && r < results->len; r++) {
    const tetra_json *input = &inputs->u.items[r];
    const tetra_json *pieces = &results->u.items[r];
    uint32_t n_pieces = pieces->len / 3;
    tt_pretok pt;
    if (!make_input(&pt, input->u.string, input->len)) continue;
    st = tt_pretokenizer_apply(p, &pt, &err);
    CHECK(st == TETRA_OK, "case %zu (%s) input %u: %s", case_index, name, r, err.message);
    if (st == TETRA_OK) {
      uint32_t *idx = cp_index(input->u.string, input->len);
      CHECK(pt.n == n_pieces, "case %zu (%s) input %u \"%.40s\": %zu pieces, expected %u",
            case_index, name, r, input->u.string, pt.n, n_pieces);
      for (size_t i = 0; i < pt.n && i < n_pieces; i++) {
        const tetra_json *wtext = &pieces->u.items[3 * i];
        uint32_t wstart = (uint32_t)pieces->u.items[3 * i + 1].u.number;
        uint32_t wend = (uint32_t)pieces->u.items[3 * i + 2].u.number;
        const tt_nstr *ns = &pt.splits[i].ns;
        int same_text = ns->len == wtext->len && memcmp(ns->text, wtext->u.string, ns->len) == 0;
        uint32_t gs = ns->original.start <= input->len ? idx[ns->original.start] : 99999;
        uint32_t ge = ns->original.end <= input->len ? idx[ns->original.end] : 99999;
        CHECK(same_text && gs == wstart && ge == wend,
              "case %zu (%s) input %u \"%.40s\" piece %zu: got \"%.*s\" [%u, %u), expected "
              "\"%s\" [%u, %u)",
              case_index, name, r, input->u.string, i, (int)ns->len, ns->text, gs, ge,
              wtext->u.string, wstart, wend);
        /* alignments stay inside the piece's original range and never go backwards */
        for (uint32_t b = 0; b < ns->len; b++) {
          tt_span al = ns->align[b];
          if (al.start > al.end || al.start < ns->original.start || al.end > ns->original.end ||
              (b > 0 && al.start < ns->align[b - 1].start)) {
            CHECK(0,
                  "case %zu (%s) input %u piece %zu: byte %u aligned to [%u, %u) outside "
                  "[%u, %u)",
                  case_index, name, r, i, b, al.start, al.end, ns->original.start,
                  ns->original.end);
            break;
          }
        }
        (*compared)++;
      }
      free(idx);
    }
    tt_pretok_free(&pt);
  }
  tt_pretokenizer_free(p);
}

static void test_golden(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/pretokenizers.json");
  if (!doc) return;
  const tetra_json *cases = tetra_json_get(tetra_json_root(doc), "cases");
  const tetra_json *inputs = tetra_json_get(tetra_json_root(doc), "inputs");
  CHECK(cases && cases->type == TETRA_JSON_ARRAY && cases->len >= 30 && inputs, "golden cases");
  int compared = 0;
  for (uint32_t i = 0; cases && inputs && i < cases->len; i++)
    run_case(&cases->u.items[i], inputs, i, &compared);
  CHECK(compared > 1000, "pieces compared: %d", compared);
  printf("pre-tokenizers: %u configurations, %d pieces compared with the Rust library\n",
         cases ? cases->len : 0, compared);
  tetra_json_free(doc);
}

/* ---- the JSON reader ------------------------------------------------------------------------- */

static void expect_error(const char *json, tetra_status want, const char *needle) {
  tetra_json_doc *doc = harness_parse_json(json, strlen(json));
  if (!doc) return;
  tetra_error err;
  tt_pretokenizer *p = NULL;
  tetra_status st = tt_pretokenizer_from_json(tetra_json_root(doc),
                                              "pre_tokenizer.pretokenizers[1]", NULL, &p, &err);
  CHECK(st == want, "%s: status %s, expected %s (%s)", json, tetra_status_name(st),
        tetra_status_name(want), err.message);
  CHECK(st != TETRA_OK && strstr(err.message, needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
        json, err.message, needle);
  if (st == TETRA_OK) tt_pretokenizer_free(p);
  tetra_json_free(doc);
}

static tt_pretokenizer *load(const char *json) {
  tetra_json_doc *doc = harness_parse_json(json, strlen(json));
  if (!doc) return NULL;
  tetra_error err;
  tt_pretokenizer *p = NULL;
  tetra_status st =
      tt_pretokenizer_from_json(tetra_json_root(doc), "pre_tokenizer", NULL, &p, &err);
  CHECK(st == TETRA_OK, "%s: %s", json, err.message);
  tetra_json_free(doc);
  return p;
}

static void test_json(void) {
  expect_error("{\"type\":\"Nope\"}", TETRA_ERR_UNSUPPORTED,
               "tokenizer.json: pre_tokenizer.pretokenizers[1]: unsupported pre-tokenizer type "
               "\"Nope\"");
  expect_error("[1]", TETRA_ERR_FORMAT, "should be an object, not array");
  expect_error("{\"kind\":\"Whitespace\"}", TETRA_ERR_FORMAT, "missing field \"type\"");
  expect_error("{\"type\":3}", TETRA_ERR_FORMAT, "type: expected a string, found number");
  expect_error("{\"type\":\"ByteLevel\",\"add_prefix_space\":\"yes\"}", TETRA_ERR_FORMAT,
               "pre_tokenizer.pretokenizers[1].add_prefix_space: expected true, false or null");
  expect_error("{\"type\":\"Metaspace\"}", TETRA_ERR_FORMAT, "missing field \"replacement\"");
  expect_error("{\"type\":\"Metaspace\",\"replacement\":\"ab\"}", TETRA_ERR_FORMAT,
               "field \"replacement\" should be one character");
  expect_error("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"prepend_scheme\":\"sometimes\"}",
               TETRA_ERR_FORMAT, "prepend_scheme");
  expect_error("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"add_prefix_space\":false}",
               TETRA_ERR_FORMAT, "does not match prepend_scheme");
  expect_error("{\"type\":\"Punctuation\",\"behavior\":\"isolated\"}", TETRA_ERR_FORMAT,
               "field \"behavior\" = \"isolated\" should be one of");
  expect_error("{\"type\":\"Split\",\"behavior\":\"Isolated\"}", TETRA_ERR_FORMAT,
               "missing field \"pattern\"");
  expect_error("{\"type\":\"Split\",\"pattern\":{\"Glob\":\"*\"},\"behavior\":\"Isolated\"}",
               TETRA_ERR_FORMAT, "{\"Glob\": string}");
  expect_error("{\"type\":\"Split\",\"pattern\":{\"String\":\" \"}}", TETRA_ERR_FORMAT,
               "missing field \"behavior\"");
  expect_error("{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"\"}", TETRA_ERR_FORMAT,
               "field \"delimiter\" should be one character");
  expect_error("{\"type\":\"Sequence\"}", TETRA_ERR_FORMAT, "missing field \"pretokenizers\"");
  expect_error(
      "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Whitespace\"},{\"type\":\"X\"}]}",
      TETRA_ERR_UNSUPPORTED,
      "pre_tokenizer.pretokenizers[1].pretokenizers[1]: "
      "unsupported pre-tokenizer type \"X\"");

  /* Defaults for missing fields (HF's Default impls). */
  tt_pretokenizer *p = load("{\"type\":\"Metaspace\",\"replacement\":\"_\"}");
  if (p) {
    tt_pretok pt;
    if (make_input(&pt, "a b", 3)) {
      tetra_error err;
      CHECK(tt_pretokenizer_apply(p, &pt, &err) == TETRA_OK, "%s", err.message);
      CHECK(pt.n == 2 && strcmp(pt.splits[0].ns.text, "_a") == 0 &&
                strcmp(pt.splits[1].ns.text, "_b") == 0,
            "Metaspace defaults: prepend always, split");
      tt_pretok_free(&pt);
    }
    tt_pretokenizer_free(p);
  }
  p = load("{\"type\":\"ByteLevel\"}");
  if (p) {
    tt_pretok pt;
    if (make_input(&pt, "a b", 3)) {
      tetra_error err;
      CHECK(tt_pretokenizer_apply(p, &pt, &err) == TETRA_OK, "%s", err.message);
      CHECK(pt.n == 2 && strcmp(pt.splits[0].ns.text,
                                "\xC4\xA0"
                                "a") == 0,
            "ByteLevel defaults: add_prefix_space and use_regex");
      tt_pretok_free(&pt);
    }
    tt_pretokenizer_free(p);
  }
}

/* Splits that carry tokens (added tokens) pass through untouched, and "first" looks at where a
 * split starts in the original. */
static void test_tokenized_splits(void) {
  tt_pretokenizer *p =
      load("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"prepend_scheme\":\"first\"}");
  if (!p) return;
  const char *text = "<s>a b<s>c";
  tetra_error err;
  tt_pretok pt;
  tt_pretok_init(&pt, NULL);
  const uint32_t cuts[][2] = {{0, 3}, {3, 6}, {6, 9}, {9, 10}};
  for (int i = 0; i < 4; i++) {
    tt_nstr ns;
    CHECK(tt_nstr_init(&ns, NULL, text + cuts[i][0], cuts[i][1] - cuts[i][0], cuts[i][0], &err) ==
              TETRA_OK,
          "%s", err.message);
    tt_token *tok = NULL;
    if (i % 2 == 0) {
      tok = tetra_alloc(NULL, sizeof *tok);
      *tok = (tt_token){7, 0, 3};
    }
    CHECK(tt_pretok_push(&pt, &ns, tok, tok ? 1 : 0, &err) == TETRA_OK, "%s", err.message);
  }
  /* "a b" starts at 3 and "c" at 9: under "first" neither gets the replacement */
  CHECK(tt_pretokenizer_apply(p, &pt, &err) == TETRA_OK, "%s", err.message);
  const char *want[] = {"<s>", "a", "_b", "<s>", "c"};
  CHECK(pt.n == 5, "%zu splits", pt.n);
  for (size_t i = 0; i < pt.n && i < 5; i++)
    CHECK(strcmp(pt.splits[i].ns.text, want[i]) == 0, "split %zu is \"%s\", expected \"%s\"", i,
          pt.splits[i].ns.text, want[i]);
  if (pt.n == 5) {
    CHECK(pt.splits[0].tokens && pt.splits[0].tokens[0].id == 7, "tokens kept");
    CHECK(pt.splits[2].ns.original.start == 4 && pt.splits[2].ns.original.end == 6,
          "\"_b\" stands for [4, 6)");
  }
  tt_pretok_free(&pt);

  /* a split that starts the input gets the replacement under "first" */
  if (make_input(&pt, "x y", 3)) {
    CHECK(tt_pretokenizer_apply(p, &pt, &err) == TETRA_OK, "%s", err.message);
    CHECK(pt.n == 2 && strcmp(pt.splits[0].ns.text, "_x") == 0, "first: prepended at 0");
    tt_pretok_free(&pt);
  }
  tt_pretokenizer_free(p);
}

/* Every byte value through ByteLevel: 256 distinct characters, and U+0100.. for the unprintable. */
static void test_byte_level_alphabet(void) {
  tt_pretokenizer *p = load(
      "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
      "\"trim_offsets\":false,\"use_regex\":false}");
  if (!p) return;
  /* all code points U+0000..U+00FF as UTF-8: bytes 0x00-0x7F, then 0xC2/0xC3 pairs */
  char text[384];
  size_t n = 0;
  for (uint32_t c = 0; c < 256; c++) {
    if (c < 0x80)
      text[n++] = (char)c;
    else {
      text[n++] = (char)(0xC0 | (c >> 6));
      text[n++] = (char)(0x80 | (c & 0x3F));
    }
  }
  tt_pretok pt;
  tetra_error err;
  if (make_input(&pt, text, n)) {
    CHECK(tt_pretokenizer_apply(p, &pt, &err) == TETRA_OK, "%s", err.message);
    CHECK(pt.n == 1, "one piece");
    if (pt.n == 1) {
      const tt_nstr *ns = &pt.splits[0].ns;
      /* byte 0 -> U+0100, ' ' -> U+0120 (Ġ), 'A' -> 'A', 0x7F -> U+0121, 0xAD -> U+0143 */
      CHECK(memcmp(ns->text, "\xC4\x80", 2) == 0, "NUL maps to U+0100");
      CHECK(memcmp(ns->text + 2 * 32, "\xC4\xA0", 2) == 0, "space maps to U+0120");
      CHECK(ns->text[2 * 33] == '!', "'!' maps to itself");
      CHECK(ns->original.start == 0 && ns->original.end == n, "covers the input");
      /* the two output characters of U+00E9 (bytes C3 A9) both align to its 2 bytes */
      tt_span first = ns->align[ns->len - 4], last = ns->align[ns->len - 1];
      CHECK(first.start == n - 2 && first.end == n && last.start == n - 2 && last.end == n,
            "U+00FF's byte characters align to its bytes: [%u, %u) [%u, %u)", first.start,
            first.end, last.start, last.end);
    }
    tt_pretok_free(&pt);
  }
  tt_pretokenizer_free(p);
}

/* Which code points count as punctuation (HF's is_bert_punc, Unicode 8.0 categories), over all of
 * Unicode: Punctuation isolates c in "a" + c + "a" exactly for the listed ones. */
static void test_punctuation_set(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/punctuation.json");
  if (!doc) return;
  const tetra_json *list = tetra_json_get(tetra_json_root(doc), "code_points");
  tt_pretokenizer *p = load("{\"type\":\"Punctuation\",\"behavior\":\"Isolated\"}");
  if (!p || !list) {
    tetra_json_free(doc);
    tt_pretokenizer_free(p);
    return;
  }
  uint8_t *want = calloc(0x110000, 1);
  for (uint32_t i = 0; i < list->len; i++) want[(uint32_t)list->u.items[i].u.number] = 1;
  enum { CHUNK = 20000 };
  char *text = malloc(CHUNK * 6);
  size_t mismatches = 0, punct = 0;
  tetra_error err;
  for (uint32_t base = 0; base < 0x110000; base += CHUNK) {
    size_t len = 0;
    for (uint32_t c = base; c < base + CHUNK && c < 0x110000; c++) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      text[len++] = 'a';
      len += (size_t)tt_utf8_encode(c, text + len);
      text[len++] = 'a';
    }
    tt_pretok pt;
    if (!make_input(&pt, text, len)) break;
    if (tt_pretokenizer_apply(p, &pt, &err) != TETRA_OK) {
      CHECK(0, "%s", err.message);
      tt_pretok_free(&pt);
      break;
    }
    /* Non-punctuation joins its 'a's; a piece of one character other than 'a' is an isolated c. */
    for (size_t i = 0; i < pt.n; i++) {
      const tt_nstr *ns = &pt.splits[i].ns;
      if (ns->len >= 1 && ns->text[0] != 'a') {
        size_t used = 0;
        uint32_t c = tt_utf8_decode(ns->text, ns->len, &used);
        if (used == ns->len) {
          punct++;
          if (!want[c] && mismatches++ < 10) CHECK(0, "U+%04X is punctuation here, not in HF", c);
          want[c] = 2; /* seen */
        }
      }
    }
    tt_pretok_free(&pt);
  }
  for (uint32_t c = 0; c < 0x110000; c++)
    if (want[c] == 1 && mismatches++ < 20) CHECK(0, "U+%04X is punctuation in HF, not here", c);
  CHECK(mismatches == 0, "%zu code points classified differently", mismatches);
  CHECK(punct == list->len, "%zu punctuation code points, HF has %u", punct, list->len);
  free(want);
  free(text);
  tt_pretokenizer_free(p);
  tetra_json_free(doc);
}

/* An allocator that fails from the n-th allocation on: every failure path must report
 * TETRA_ERR_OUT_OF_MEMORY, leak nothing (LeakSanitizer) and leave the split list as it was. */
typedef struct failing {
  int left;
} failing;
static void *failing_alloc(void *user, size_t size) {
  failing *f = user;
  if (f->left-- <= 0) return NULL;
  return malloc(size ? size : 1);
}
static void failing_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

static void test_out_of_memory(void) {
  static const char *configs[] = {
      "{\"type\":\"BertPreTokenizer\"}",
      "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
      "{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"first\"}",
      "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"behavior\":\"MergedWithNext\","
      "\"invert\":false}",
      "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Punctuation\"},{\"type\":\"Digits\","
      "\"individual_digits\":true},{\"type\":\"UnicodeScripts\"}]}"};
  const char *text = "Hello, w\xC3\xB6rld 123 \xE4\xB8\xAD\xE6\x96\x87!";
  for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
    tetra_json_doc *doc = harness_parse_json(configs[c], strlen(configs[c]));
    if (!doc) continue;
    tetra_error err;
    int succeeded = 0;
    for (int n = 0; n < 400 && !succeeded; n++) {
      failing f = {n};
      tetra_allocator a = {failing_alloc, failing_free, &f};
      tt_pretokenizer *p = NULL;
      tetra_status st =
          tt_pretokenizer_from_json(tetra_json_root(doc), "pre_tokenizer", &a, &p, &err);
      if (st != TETRA_OK) {
        CHECK(st == TETRA_ERR_OUT_OF_MEMORY, "%s: load with %d allocations: %s", configs[c], n,
              err.message);
        continue;
      }
      f.left = 1 << 30;
      tt_pretok pt;
      tt_nstr ns;
      tt_pretok_init(&pt, &a);
      CHECK(tt_nstr_init(&ns, &a, text, (uint32_t)strlen(text), 0, &err) == TETRA_OK, "init");
      CHECK(tt_pretok_push(&pt, &ns, NULL, 0, &err) == TETRA_OK, "push");
      f.left = n;
      st = tt_pretokenizer_apply(p, &pt, &err);
      if (st == TETRA_OK) {
        succeeded = 1;
      } else {
        CHECK(st == TETRA_ERR_OUT_OF_MEMORY, "%s: apply with %d allocations: %s", configs[c], n,
              err.message);
        if (c < 4) /* one step: the input is left as it was */
          CHECK(pt.n == 1 && strcmp(pt.splits[0].ns.text, text) == 0,
                "%s: apply with %d allocations changed the input", configs[c], n);
      }
      tt_pretok_free(&pt);
      tt_pretokenizer_free(p);
    }
    CHECK(succeeded, "%s: never succeeded", configs[c]);
    tetra_json_free(doc);
  }
}

int main(void) {
  test_golden();
  test_json();
  test_tokenized_splits();
  test_byte_level_alphabet();
  test_punctuation_set();
  test_out_of_memory();
  return harness_finish("test_text_pretokenizers");
}
