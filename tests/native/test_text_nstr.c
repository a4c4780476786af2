/* Normalized strings and pre-tokenized strings: alignments after transformations, offset
 * conversion, slices and splits, checked against the cases of HF tokenizers' normalizer.rs and
 * pattern.rs unit tests (same inputs, same expected alignments). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "text/nstr.h"

static tt_nstr make(const char *s, uint32_t original_start) {
  tt_nstr ns;
  tetra_error err;
  memset(&ns, 0, sizeof ns);
  tetra_status st = tt_nstr_init(&ns, NULL, s, (uint32_t)strlen(s), original_start, &err);
  CHECK(st == TETRA_OK, "init: %s", err.message);
  return ns;
}

/* Checks text and alignments; want holds 2*len numbers (start, end per byte). */
static void expect(const char *what, const tt_nstr *ns, const char *text, const uint32_t *want,
                   size_t n_pairs) {
  CHECK(ns->len == strlen(text) && memcmp(ns->text, text, ns->len) == 0 && ns->text[ns->len] == 0,
        "%s: text \"%.*s\", wanted \"%s\"", what, (int)ns->len, ns->text, text);
  if (!want) return;
  CHECK(n_pairs == ns->len, "%s: %u alignments, wanted %zu", what, ns->len, n_pairs);
  for (size_t i = 0; i < n_pairs && i < ns->len; i++) {
    CHECK(ns->align[i].start == want[2 * i] && ns->align[i].end == want[2 * i + 1],
          "%s: byte %zu aligned to (%u, %u), wanted (%u, %u)", what, i, ns->align[i].start,
          ns->align[i].end, want[2 * i], want[2 * i + 1]);
  }
}
#define EXPECT(what, ns, text, ...)                                              \
  do {                                                                           \
    static const uint32_t w_[] = {__VA_ARGS__};                                  \
    expect(what, ns, text, w_, sizeof w_ / sizeof w_[0] / 2);                    \
  } while (0)

static void transform(tt_nstr *ns, uint32_t start, uint32_t end, const tt_cpchange *c, size_t n,
                      uint32_t initial) {
  tetra_error err;
  tetra_status st = tt_nstr_transform_range(ns, start, end, c, n, initial, &err);
  CHECK(st == TETRA_OK, "transform_range: %s", err.message);
}

static void test_init(void) {
  tt_nstr ns = make("\xC3\xA9l\xF0\x9F\x98\x80", 10);
  EXPECT("init", &ns, "\xC3\xA9l\xF0\x9F\x98\x80", 10, 12, 10, 12, 12, 13, 13, 17, 13, 17, 13, 17,
         13, 17);
  CHECK(ns.original.start == 10 && ns.original.end == 17, "original span");
  tt_nstr_free(&ns);
  tt_nstr_free(&ns); /* twice is harmless */
  tt_nstr empty = make("", 5);
  CHECK(empty.len == 0 && empty.text[0] == 0 && empty.original.start == 5 && empty.original.end == 5,
        "empty string");
  tt_span s = tt_nstr_original_span(&empty, 0, 0);
  CHECK(s.start == 5 && s.end == 5, "empty span of an empty string: (%u, %u)", s.start, s.end);
  tt_nstr_free(&empty);
}

/* HF normalizer.rs transform_range_single_bytes, over "Hello friend". */
static void test_transform_single_bytes(void) {
  tt_nstr ns = make("Hello friend", 0);
  static const tt_cpchange y[] = {{'Y', 0}};
  transform(&ns, 0, 4, y, 1, 3);
  EXPECT("remove at beginning", &ns, "Yo friend", 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11,
         11, 12);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange mid[] = {{'_', 0}, {'F', 0}, {'R', -2}};
  transform(&ns, 3, 10, mid, 3, 2);
  EXPECT("remove in the middle", &ns, "Hel_FRnd", 0, 1, 1, 2, 2, 3, 5, 6, 6, 7, 7, 8, 10, 11, 11,
         12);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange end[] = {{'_', 0}, {'F', -5}};
  transform(&ns, 5, 12, end, 2, 0);
  EXPECT("remove at the end", &ns, "Hello_F", 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange add0[] = {{'H', 1}, {'H', 0}};
  transform(&ns, 0, 1, add0, 2, 0);
  EXPECT("add at beginning", &ns, "HHello friend", 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7,
         7, 8, 8, 9, 9, 10, 10, 11, 11, 12);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange add00[] = {{'H', 1}};
  transform(&ns, 0, 0, add00, 1, 0);
  EXPECT("add in an empty range at the beginning", &ns, "HHello friend", 0, 0, 0, 1, 1, 2, 2, 3, 3,
         4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange add1[] = {{'H', 0}, {'H', 1}};
  transform(&ns, 0, 1, add1, 2, 0);
  EXPECT("add as part of the first char", &ns, "HHello friend", 0, 1, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5,
         5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange my[] = {{'_', 0}, {'m', 1}, {'y', 1}, {'_', 1}};
  transform(&ns, 5, 6, my, 4, 0);
  EXPECT("add in the middle", &ns, "Hello_my_friend", 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 5, 6, 5,
         6, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12);
  tt_nstr_free(&ns);

  ns = make("Hello friend", 0);
  static const tt_cpchange bang[] = {{'d', 0}, {'_', 1}, {'!', 1}};
  transform(&ns, 11, 12, bang, 3, 0);
  EXPECT("add at the end", &ns, "Hello friend_!", 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8,
         8, 9, 9, 10, 10, 11, 11, 12, 11, 12, 11, 12);
  tt_nstr_free(&ns);

  /* An insertion at the very start of a piece of a bigger input: an empty span at the piece's
   * own original start (HF's (0, 0) plus the piece's shift). */
  ns = make("ab", 7);
  transform(&ns, 0, 0, add00, 1, 0);
  EXPECT("insert at the start of a shifted piece", &ns, "Hab", 7, 7, 7, 8, 8, 9);
  tt_nstr_free(&ns);
}

/* HF transform_range_multiple_bytes over "𝔾𝕠𝕠𝕕" (4 bytes each). */
static void test_transform_multi_bytes(void) {
  const char *good = "\xF0\x9D\x94\xBE\xF0\x9D\x95\xA0\xF0\x9D\x95\xA0\xF0\x9D\x95\x95";
  tt_nstr ns = make(good, 0);
  static const tt_cpchange g[] = {{'G', -1}};
  transform(&ns, 0, 8, g, 1, 0);
  EXPECT("multi: remove at beginning", &ns, "G\xF0\x9D\x95\xA0\xF0\x9D\x95\x95", 0, 4, 8, 12, 8,
         12, 8, 12, 8, 12, 12, 16, 12, 16, 12, 16, 12, 16);
  tt_span s = tt_nstr_original_span(&ns, 0, 1);
  CHECK(s.start == 0 && s.end == 4, "G comes from the first char: (%u, %u)", s.start, s.end);
  tt_nstr_free(&ns);

  ns = make(good, 0);
  static const tt_cpchange o[] = {{'o', -1}};
  transform(&ns, 4, 12, o, 1, 0);
  EXPECT("multi: remove in the middle", &ns, "\xF0\x9D\x94\xBEo\xF0\x9D\x95\x95", 0, 4, 0, 4, 0, 4,
         0, 4, 4, 8, 12, 16, 12, 16, 12, 16, 12, 16);
  tt_nstr_free(&ns);

  ns = make(good, 0);
  static const tt_cpchange d[] = {{'d', 0}, {'!', 1}};
  transform(&ns, 12, 16, d, 2, 0);
  EXPECT("multi: add at the end", &ns,
         "\xF0\x9D\x94\xBE\xF0\x9D\x95\xA0\xF0\x9D\x95\xA0"
         "d!",
         0, 4, 0, 4, 0, 4, 0, 4, 4, 8, 4, 8, 4, 8, 4, 8, 8, 12, 8, 12, 8, 12, 8, 12, 12, 16, 12, 16);
  tt_nstr_free(&ns);

  ns = make(good, 0);
  static const tt_cpchange u[] = {{'_', 1}, {0x1D53E, 0}};
  transform(&ns, 0, 4, u, 2, 0);
  EXPECT("multi: add at the beginning", &ns,
         "_\xF0\x9D\x94\xBE\xF0\x9D\x95\xA0\xF0\x9D\x95\xA0\xF0\x9D\x95\x95", 0, 0, 0, 4, 0, 4, 0,
         4, 0, 4, 4, 8, 4, 8, 4, 8, 4, 8, 8, 12, 8, 12, 8, 12, 8, 12, 12, 16, 12, 16, 12, 16, 12,
         16);
  tt_nstr_free(&ns);
}

/* HF nfd_adds_new_chars / remove_chars, with the transformations spelled out. */
static void test_transform_whole(void) {
  tetra_error err;
  tt_nstr ns = make("\xC3\xA9l\xC3\xA9gant", 0);
  static const tt_cpchange nfd[] = {{'e', 0}, {0x301, 1}, {'l', 0}, {'e', 0}, {0x301, 1},
                                    {'g', 0}, {'a', 0},   {'n', 0}, {'t', 0}};
  CHECK(tt_nstr_transform(&ns, nfd, 9, 0, &err) == TETRA_OK, "%s", err.message);
  EXPECT("nfd", &ns, "e\xCC\x81le\xCC\x81gant", 0, 2, 0, 2, 0, 2, 2, 3, 3, 5, 3, 5, 3, 5, 5, 6, 6,
         7, 7, 8, 8, 9);
  /* then drop the marks as a filter does: each kept char before a mark gets -1 */
  static const tt_cpchange strip[] = {{'e', -1}, {'l', 0}, {'e', -1}, {'g', 0},
                                      {'a', 0},  {'n', 0}, {'t', 0}};
  CHECK(tt_nstr_transform(&ns, strip, 7, 0, &err) == TETRA_OK, "%s", err.message);
  EXPECT("nfd then strip", &ns, "elegant", 0, 2, 2, 3, 3, 5, 5, 6, 6, 7, 7, 8, 8, 9);
  tt_nstr_free(&ns);

  /* bad output characters are refused and leave the string as it was */
  ns = make("ab", 0);
  static const tt_cpchange bad[] = {{'x', 0}, {0xD800, 0}};
  CHECK(tt_nstr_transform(&ns, bad, 2, 0, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "U+D800") != NULL,
        "surrogate refused: %s", err.message);
  EXPECT("unchanged after failure", &ns, "ab", 0, 1, 1, 2);
  /* asking to remove more than there is, or to replace past the end, does not crash */
  static const tt_cpchange greedy[] = {{'x', -9}, {'y', 0}, {'z', 0}};
  CHECK(tt_nstr_transform(&ns, greedy, 3, 5, &err) == TETRA_OK, "%s", err.message);
  CHECK(ns.len == 3, "xyz");
  tt_nstr_free(&ns);

  /* HF quirk: transform() starts at the first byte whose alignment is not empty, so characters
   * inserted at the very start (aligned to nothing) are kept in front of the output. */
  ns = make("ab", 0);
  static const tt_cpchange lead[] = {{'_', 1}, {'a', 0}, {'b', 0}};
  CHECK(tt_nstr_transform(&ns, lead, 3, 0, &err) == TETRA_OK, "%s", err.message);
  EXPECT("lead insert", &ns, "_ab", 0, 0, 0, 1, 1, 2);
  static const tt_cpchange again[] = {{'_', 0}, {'A', 0}, {'B', 0}};
  CHECK(tt_nstr_transform(&ns, again, 3, 0, &err) == TETRA_OK, "%s", err.message);
  /* (HF panics here, indexing past the end for 'B'; the last alignment is reused instead) */
  EXPECT("zero-width lead kept", &ns, "__AB", 0, 0, 0, 1, 1, 2, 1, 2);
  tt_nstr_free(&ns);
}

static void test_offsets_and_slices(void) {
  tetra_error err;
  /* HF range_conversion: "    __Hello__   " filtered of white space, then lowercased */
  tt_nstr ns = make("    __Hello__   ", 100);
  static const tt_cpchange f[] = {{'_', 0}, {'_', 0}, {'h', 0}, {'e', 0}, {'l', 0},
                                  {'l', 0}, {'o', 0}, {'_', 0}, {'_', -3}};
  CHECK(tt_nstr_transform(&ns, f, 9, 4, &err) == TETRA_OK, "%s", err.message);
  CHECK(ns.len == 9 && memcmp(ns.text, "__hello__", 9) == 0, "filtered");
  tt_span s = tt_nstr_original_span(&ns, 2, 7);
  CHECK(s.start == 106 && s.end == 111, "hello -> (%u, %u)", s.start, s.end);
  s = tt_nstr_original_span(&ns, 0, 9);
  CHECK(s.start == 104 && s.end == 113, "all -> (%u, %u)", s.start, s.end);
  s = tt_nstr_original_span(&ns, 3, 3);
  CHECK(s.start == 107 && s.end == 107, "empty in the middle -> (%u, %u)", s.start, s.end);
  s = tt_nstr_original_span(&ns, 9, 9);
  CHECK(s.start == 113 && s.end == 113, "empty at the end -> (%u, %u)", s.start, s.end);
  s = tt_nstr_original_span(&ns, 7, 40);
  CHECK(s.start == 111 && s.end == 113, "end clamped -> (%u, %u)", s.start, s.end);

  tt_nstr sl;
  CHECK(tt_nstr_slice(&ns, 2, 7, &sl, &err) == TETRA_OK, "%s", err.message);
  EXPECT("slice", &sl, "hello", 106, 107, 107, 108, 108, 109, 109, 110, 110, 111);
  CHECK(sl.original.start == 106 && sl.original.end == 111, "slice original (%u, %u)",
        sl.original.start, sl.original.end);
  /* an insertion at the start of the slice is aligned to the slice's own start */
  static const tt_cpchange ins[] = {{'>', 1}};
  transform(&sl, 0, 0, ins, 1, 0);
  EXPECT("insert into slice", &sl, ">hello", 106, 106, 106, 107, 107, 108, 108, 109, 109, 110, 110,
         111);
  tt_nstr_free(&sl);
  CHECK(tt_nstr_slice(&ns, 3, 3, &sl, &err) == TETRA_OK, "%s", err.message);
  CHECK(sl.len == 0 && sl.original.start == 107 && sl.original.end == 107, "empty slice");
  tt_nstr_free(&sl);
  tt_nstr_free(&ns);

  ns = make("a\xC3\xA9z", 0);
  memset(&sl, 0x5A, sizeof sl);
  CHECK(tt_nstr_slice(&ns, 0, 2, &sl, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "boundaries"),
        "slice inside a char: %s", err.message);
  CHECK(tt_nstr_slice(&ns, 2, 9, &sl, &err) == TETRA_ERR_INVALID_ARGUMENT, "slice past the end");
  CHECK(tt_nstr_slice(&ns, 3, 1, &sl, &err) == TETRA_ERR_INVALID_ARGUMENT, "reversed slice");
  uint32_t *cps;
  size_t n;
  CHECK(tt_nstr_codepoints(&ns, &cps, &n, &err) == TETRA_OK, "%s", err.message);
  CHECK(n == 3 && cps[0] == 'a' && cps[1] == 0xE9 && cps[2] == 'z', "code points");
  tetra_free(ns.alloc, cps);
  tt_nstr_free(&ns);
}

/* ---- editing helpers ---- */
static int not_n(uint32_t cp, void *ctx) {
  (void)ctx;
  return cp != 'n';
}
static int not_space(uint32_t cp, void *ctx) {
  (void)ctx;
  return cp != ' ';
}
static int not_mark(uint32_t cp, void *ctx) {
  (void)ctx;
  return !(cp >= 0x300 && cp < 0x370);
}
static uint32_t upper_ascii(uint32_t cp, void *ctx) {
  (void)ctx;
  return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
}

static void test_edits(void) {
  tetra_error err;
  tt_nstr ns = make("\xC3\xA9l\xC3\xA9gant", 0);
  CHECK(tt_nstr_filter(&ns, not_n, NULL, &err) == TETRA_OK, "%s", err.message);
  EXPECT("filter n", &ns, "\xC3\xA9l\xC3\xA9gat", 0, 2, 0, 2, 2, 3, 3, 5, 3, 5, 5, 6, 6, 7, 8, 9);
  tt_nstr_free(&ns);

  /* HF test_strip_accents_multiple */
  ns = make("e\xCC\x84\xCC\x84\xCC\x84o", 0);
  CHECK(tt_nstr_filter(&ns, not_mark, NULL, &err) == TETRA_OK, "%s", err.message);
  EXPECT("filter marks", &ns, "eo", 0, 1, 7, 8);
  tt_nstr_free(&ns);

  ns = make("  Hello  ", 0);
  CHECK(tt_nstr_filter(&ns, not_space, NULL, &err) == TETRA_OK, "%s", err.message);
  EXPECT("filter both edges", &ns, "Hello", 2, 3, 3, 4, 4, 5, 5, 6, 6, 7);
  CHECK(tt_nstr_map(&ns, upper_ascii, NULL, &err) == TETRA_OK, "%s", err.message);
  EXPECT("map", &ns, "HELLO", 2, 3, 3, 4, 4, 5, 5, 6, 6, 7);
  tt_nstr_free(&ns);

  ns = make("   ", 0);
  CHECK(tt_nstr_filter(&ns, not_space, NULL, &err) == TETRA_OK, "%s", err.message);
  CHECK(ns.len == 0, "all removed");
  tt_nstr_free(&ns);

  /* HF prepend / append tests */
  ns = make("there", 0);
  CHECK(tt_nstr_prepend(&ns, "Hey ", 4, &err) == TETRA_OK, "%s", err.message);
  EXPECT("prepend", &ns, "Hey there", 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5);
  tt_span s = tt_nstr_original_span(&ns, 0, 4);
  CHECK(s.start == 0 && s.end == 1, "prepended range -> (%u, %u)", s.start, s.end);
  tt_nstr_free(&ns);
  ns = make("Hey", 0);
  CHECK(tt_nstr_append(&ns, " there", 6, &err) == TETRA_OK, "%s", err.message);
  EXPECT("append", &ns, "Hey there", 0, 1, 1, 2, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
  tt_nstr_free(&ns);
  ns = make("", 3);
  CHECK(tt_nstr_prepend(&ns, "x", 1, &err) == TETRA_OK && ns.len == 0, "prepend to empty: no-op");
  CHECK(tt_nstr_append(&ns, "x", 1, &err) == TETRA_OK && ns.len == 0, "append to empty: no-op");
  tt_nstr_free(&ns);
  /* prepending a multi-byte marker, as Metaspace and Llama's Prepend do */
  ns = make("\xC3\xA9t\xC3\xA9", 0);
  CHECK(tt_nstr_prepend(&ns, "\xE2\x96\x81", 3, &err) == TETRA_OK, "%s", err.message);
  EXPECT("prepend U+2581", &ns, "\xE2\x96\x81\xC3\xA9t\xC3\xA9", 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 2,
         3, 3, 5, 3, 5);
  tt_nstr_free(&ns);

  /* replace: content takes the alignment of the match's last byte */
  tt_matches m = {0};
  ns = make(" Hello   friend ", 0);
  CHECK(tt_find_literal(ns.text, ns.len, " ", 1, NULL, &m, &err) == TETRA_OK, "%s", err.message);
  CHECK(m.n == 5, "five spaces, got %zu", m.n);
  CHECK(tt_nstr_replace(&ns, &m, "_", 1, &err) == TETRA_OK, "%s", err.message);
  CHECK(ns.len == 16 && memcmp(ns.text, "_Hello___friend_", 16) == 0, "replace ' ' -> '_'");
  tt_matches_free(&m, NULL);
  tt_nstr_free(&ns);

  ns = make("aaaab", 0);
  CHECK(tt_find_literal(ns.text, ns.len, "aaa", 3, NULL, &m, &err) == TETRA_OK, "%s", err.message);
  CHECK(tt_nstr_replace(&ns, &m, "b", 1, &err) == TETRA_OK, "%s", err.message);
  EXPECT("replace overlapping", &ns, "bab", 2, 3, 3, 4, 4, 5);
  tt_matches_free(&m, NULL);
  tt_nstr_free(&ns);

  ns = make("a  b", 0);
  CHECK(tt_find_literal(ns.text, ns.len, "  ", 2, NULL, &m, &err) == TETRA_OK, "%s", err.message);
  CHECK(tt_nstr_replace(&ns, &m, "\xE2\x96\x81", 3, &err) == TETRA_OK, "%s", err.message);
  EXPECT("replace by a longer char", &ns, "a\xE2\x96\x81" "b", 0, 1, 2, 3, 2, 3, 2, 3, 3, 4);
  tt_matches_free(&m, NULL);
  tt_nstr_free(&ns);

  /* empty matches: insertions at every boundary; at 0 an empty span at the string's start */
  ns = make("ab", 10);
  CHECK(tt_find_literal(ns.text, ns.len, "", 0, NULL, &m, &err) == TETRA_OK, "%s", err.message);
  CHECK(m.n == 3, "empty literal: %zu matches", m.n);
  CHECK(tt_nstr_replace(&ns, &m, "_", 1, &err) == TETRA_OK, "%s", err.message);
  EXPECT("replace empty matches", &ns, "_a_b_", 10, 10, 10, 11, 10, 11, 11, 12, 11, 12);
  tt_matches_free(&m, NULL);
  tt_nstr_free(&ns);

  /* removal with an empty content */
  ns = make("x--y--", 0);
  CHECK(tt_find_literal(ns.text, ns.len, "--", 2, NULL, &m, &err) == TETRA_OK, "%s", err.message);
  CHECK(tt_nstr_replace(&ns, &m, "", 0, &err) == TETRA_OK, "%s", err.message);
  EXPECT("replace by nothing", &ns, "xy", 0, 1, 3, 4);
  tt_matches_free(&m, NULL);
  tt_nstr_free(&ns);
}

/* ---- splitting (HF normalizer.rs split test, pattern.rs cases, invert) ---- */
static void check_pieces(const char *what, const tt_pretok *pt, size_t from, const char *const *want,
                         size_t n) {
  CHECK(pt->n - from == n, "%s: %zu pieces, wanted %zu", what, pt->n - from, n);
  for (size_t i = 0; i < n && from + i < pt->n; i++) {
    const tt_nstr *p = &pt->splits[from + i].ns;
    CHECK(p->len == strlen(want[i]) && memcmp(p->text, want[i], p->len) == 0,
          "%s: piece %zu is \"%.*s\", wanted \"%s\"", what, i, (int)p->len, p->text, want[i]);
  }
}

static void split_dash(tt_split_behavior b, int invert, const char *const *want, size_t n,
                       const char *what) {
  tetra_error err;
  tt_nstr ns = make("The-final--countdown", 0);
  tt_matches m = {0};
  CHECK(tt_find_literal(ns.text, ns.len, "-", 1, NULL, &m, &err) == TETRA_OK, "%s", err.message);
  tt_pretok pt;
  tt_pretok_init(&pt, NULL);
  CHECK(tt_pretok_split_matches(&pt, &ns, &m, b, invert, &err) == TETRA_OK, "%s: %s", what,
        err.message);
  check_pieces(what, &pt, 0, want, n);
  tt_pretok_free(&pt);
  tt_matches_free(&m, NULL);
  tt_nstr_free(&ns);
}
#define SPLIT(b, inv, what, ...)                                                      \
  do {                                                                                \
    static const char *const w_[] = {__VA_ARGS__};                                   \
    split_dash(b, inv, w_, sizeof w_ / sizeof w_[0], what);                          \
  } while (0)

static void test_split(void) {
  SPLIT(TT_SPLIT_REMOVED, 0, "removed", "The", "final", "countdown");
  SPLIT(TT_SPLIT_ISOLATED, 0, "isolated", "The", "-", "final", "-", "-", "countdown");
  SPLIT(TT_SPLIT_MERGED_WITH_PREVIOUS, 0, "merged with previous", "The-", "final-", "-",
        "countdown");
  SPLIT(TT_SPLIT_MERGED_WITH_NEXT, 0, "merged with next", "The", "-final", "-", "-countdown");
  SPLIT(TT_SPLIT_CONTIGUOUS, 0, "contiguous", "The", "-", "final", "--", "countdown");
  /* inverted: the words are the matches */
  SPLIT(TT_SPLIT_REMOVED, 1, "inverted removed", "-", "-", "-");
  SPLIT(TT_SPLIT_MERGED_WITH_PREVIOUS, 1, "inverted merged with previous", "The", "-final", "-",
        "-countdown");
  SPLIT(TT_SPLIT_MERGED_WITH_NEXT, 1, "inverted merged with next", "The-", "final-", "-",
        "countdown");
  SPLIT(TT_SPLIT_CONTIGUOUS, 1, "inverted contiguous", "The", "-", "final", "--", "countdown");

  tetra_error err;
  tt_pretok pt;
  tt_pretok_init(&pt, NULL);
  /* offsets of pieces of a shifted, transformed string */
  tt_nstr ns = make("  Hi  yo ", 50);
  tt_matches m = {0};
  tt_matches_push(&m, NULL, 0, 2, &err);
  tt_matches_push(&m, NULL, 4, 6, &err);
  tt_matches_push(&m, NULL, 8, 9, &err);
  CHECK(tt_pretok_split_matches(&pt, &ns, &m, TT_SPLIT_REMOVED, 0, &err) == TETRA_OK, "%s",
        err.message);
  static const char *const hy[] = {"Hi", "yo"};
  check_pieces("whitespace split", &pt, 0, hy, 2);
  if (pt.n == 2) {
    CHECK(pt.splits[1].ns.original.start == 56 && pt.splits[1].ns.original.end == 58 &&
              pt.splits[1].ns.align[0].start == 56 && pt.splits[1].tokens == NULL,
          "piece offsets stay absolute");
  }
  /* empty text: no pieces; empty matches only: the whole text as one piece */
  tt_nstr empty = make("", 0);
  CHECK(tt_pretok_split_matches(&pt, &empty, NULL, TT_SPLIT_ISOLATED, 1, &err) == TETRA_OK &&
            pt.n == 2,
        "empty text gives no piece");
  tt_nstr_free(&empty);
  tt_matches_free(&m, NULL);
  tt_matches_push(&m, NULL, 0, 0, &err);
  tt_matches_push(&m, NULL, 3, 3, &err);
  CHECK(tt_pretok_split_matches(&pt, &ns, &m, TT_SPLIT_ISOLATED, 0, &err) == TETRA_OK && pt.n == 4,
        "empty matches: gaps only (%zu)", pt.n);
  /* bad matches are refused and add nothing */
  tt_matches_free(&m, NULL);
  tt_matches_push(&m, NULL, 4, 6, &err);
  tt_matches_push(&m, NULL, 2, 3, &err);
  CHECK(tt_pretok_split_matches(&pt, &ns, &m, TT_SPLIT_ISOLATED, 0, &err) ==
                TETRA_ERR_INVALID_ARGUMENT &&
            pt.n == 4,
        "out of order matches refused");
  tt_matches_free(&m, NULL);
  tt_matches_push(&m, NULL, 4, 60, &err);
  CHECK(tt_pretok_split_matches(&pt, &ns, &m, TT_SPLIT_ISOLATED, 0, &err) ==
            TETRA_ERR_INVALID_ARGUMENT,
        "match beyond the text refused");
  tt_matches_free(&m, NULL);
  tt_pretok_free(&pt);
  tt_nstr_free(&ns);
}

int main(void) {
  test_init();
  test_transform_single_bytes();
  test_transform_multi_bytes();
  test_transform_whole();
  test_offsets_and_slices();
  test_edits();
  test_split();
  return harness_finish("test_text_nstr");
}
