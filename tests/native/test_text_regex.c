/* The regex engine (src/text/regex.h): matches identical to Oniguruma's (golden file made by the
 * Rust tokenizers library, tools/golden/text/make_regex_golden.mjs), the hand-written GPT-2 and
 * cl100k scanners identical to the general engine on a large varied corpus, errors that name
 * the construct and its offset, a budget that stops catastrophic patterns, and linear time on
 * long runs of one character class. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "text/regex.h"
#include "text/regex_internal.h"
#include "text/unicode.h"

static const char GPT2[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char CL100K[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char QWEN2[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char O200K[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

static tt_regex *compile(const char *pattern) {
  tt_regex *re = NULL;
  tetra_error err;
  tetra_status st = tt_regex_compile(pattern, strlen(pattern), NULL, &re, &err);
  CHECK(st == TETRA_OK, "compile %s: %s", pattern, err.message);
  return re;
}

/* Non-empty matches (what the golden file can see). */
static tetra_status find(const tt_regex *re, const char *text, size_t len, tt_matches *m,
                         tetra_error *err) {
  memset(m, 0, sizeof *m);
  tetra_status st = tt_regex_find_all(re, text, len, NULL, m, err);
  size_t w = 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->spans[i].start != m->spans[i].end) m->spans[w++] = m->spans[i];
  m->n = w;
  return st;
}

static size_t utf8_put(uint32_t cp, char *out) { return (size_t)tt_utf8_encode(cp, out); }

/* ---- golden matches from Oniguruma -------------------------------------------------------- */
static void test_golden(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/regex.json");
  if (!doc) return;
  const tetra_json *root = tetra_json_root(doc);
  /* the classes text: every assigned code point below U+3000 */
  const tetra_json *ranges = tetra_json_get(root, "classes_text");
  size_t cap = 1 << 16, all_len = 0;
  char *all = malloc(cap);
  for (size_t i = 0; ranges && i < ranges->len; i++) {
    const tetra_json *r = tetra_json_at(ranges, i);
    for (uint32_t c = (uint32_t)tetra_json_at(r, 0)->u.number; c <= (uint32_t)tetra_json_at(r, 1)->u.number; c++) {
      if (all_len + 4 > cap) all = realloc(all, cap *= 2);
      all_len += utf8_put(c, all + all_len);
    }
  }
  /* one entry per pattern; its texts are indices into "texts", strings, or null (classes text) */
  const tetra_json *shared = tetra_json_get(root, "texts");
  const tetra_json *patterns = tetra_json_get(root, "patterns");
  size_t n_cases = 0, n_matches = 0, failed = 0, fast_cases = 0;
  tt_regex *re = NULL;
  for (size_t i = 0; patterns && i < patterns->len; i++) {
    const tetra_json *c = tetra_json_at(patterns, i);
    const tetra_json *pat = tetra_json_get(c, "pattern");
    tetra_error err;
    tetra_status st = tt_regex_compile(pat->u.string, pat->len, NULL, &re, &err);
    if (tetra_json_get(c, "error")) {
      CHECK(st != TETRA_OK, "Onig rejects %s; tetra should too", pat->u.string);
      tt_regex_free(re);
      re = NULL;
      n_cases++;
      continue;
    }
    CHECK(st == TETRA_OK, "compile %s: %s", pat->u.string, err.message);
    if (st != TETRA_OK) continue;
    const tetra_json *texts = tetra_json_get(c, "texts"), *wants = tetra_json_get(c, "matches");
    for (uint32_t j = 0; j < texts->len; j++) {
      const tetra_json *text = tetra_json_at(texts, j);
      if (text->type == TETRA_JSON_NUMBER) text = tetra_json_at(shared, (size_t)text->u.number);
      const char *t = text->type == TETRA_JSON_STRING ? text->u.string : all;
      size_t len = text->type == TETRA_JSON_STRING ? text->len : all_len;
      const tetra_json *want = tetra_json_at(wants, j); /* flat: start0, end0, start1, ... */
      uint32_t n_want = want->len / 2;
      for (int fast = 1; fast >= 0; fast--) {
        if (!fast && !tt_regex_fast_kind(re)) break;
        if (fast && tt_regex_fast_kind(re)) fast_cases++;
        tt_regex_set_fast(re, fast);
        tt_matches m;
        st = find(re, t, len, &m, &err);
        CHECK(st == TETRA_OK, "%s: %s", pat->u.string, err.message);
        size_t k = 0;
        for (; k < m.n && k < n_want; k++) {
          if (m.spans[k].start != (uint32_t)tetra_json_at(want, 2 * k)->u.number ||
              m.spans[k].end != (uint32_t)tetra_json_at(want, 2 * k + 1)->u.number)
            break;
        }
        int same = m.n == n_want && k == m.n;
        if (!same) {
          failed++;
          int have = k < n_want;
          CHECK(same, "pattern %s%s on \"%.40s\": %zu matches, Onig %u; first difference at match %zu: "
                "tetra [%u,%u) Onig [%d,%d)", pat->u.string, fast ? "" : " (general engine)",
                text->type == TETRA_JSON_STRING ? t : "<classes text>", m.n, n_want, k,
                k < m.n ? m.spans[k].start : 0, k < m.n ? m.spans[k].end : 0,
                have ? (int)tetra_json_at(want, 2 * k)->u.number : -1,
                have ? (int)tetra_json_at(want, 2 * k + 1)->u.number : -1);
        }
        n_matches += m.n;
        free(m.spans);
      }
      tt_regex_set_fast(re, 1);
      n_cases++;
    }
    tt_regex_free(re);
    re = NULL;
  }
  CHECK(n_cases > 500, "golden cases present (%zu)", n_cases);
  tt_regex_free(re);
  free(all);
  tetra_json_free(doc);
  printf("golden: %zu cases (%zu through a fast path too), %zu matches compared, %zu differ\n", n_cases,
         fast_cases, n_matches, failed);
}

/* ---- errors ------------------------------------------------------------------------------ */
static void bad(const char *pattern, tetra_status want, const char *needle) {
  tt_regex *re = NULL;
  tetra_error err;
  tetra_status st = tt_regex_compile(pattern, strlen(pattern), NULL, &re, &err);
  CHECK(st == want, "%s: status %s, wanted %s (%s)", pattern, tetra_status_name(st),
        tetra_status_name(want), st ? err.message : "");
  CHECK(re == NULL, "no regex on failure");
  if (st != TETRA_OK)
    CHECK(strstr(err.message, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", pattern,
          err.message, needle);
  tt_regex_free(re);
}

static void test_errors(void) {
  bad("(a)\\1", TETRA_ERR_UNSUPPORTED, "backreference or subexpression call \\1 at offset 3");
  bad("\\k<x>", TETRA_ERR_UNSUPPORTED, "\\k at offset 0");
  bad("(?<=a+)b", TETRA_ERR_UNSUPPORTED, "lookbehind of variable length at offset 0");
  bad("(?<=a|b+)c", TETRA_ERR_UNSUPPORTED, "lookbehind of variable length at offset 7");
  bad("\\p{Greek}", TETRA_ERR_UNSUPPORTED, "unsupported property \\p{Greek}");
  bad("x\\p{Foo}", TETRA_ERR_UNSUPPORTED, "at offset 1");
  bad("\\pL", TETRA_ERR_UNSUPPORTED, "\\p without {name}");
  bad("[a", TETRA_ERR_PARSE, "unterminated character class at offset 0");
  bad("[z-a]", TETRA_ERR_PARSE, "empty range in char class at offset 2");
  bad("a)", TETRA_ERR_PARSE, "unmatched close parenthesis at offset 1");
  bad("(a", TETRA_ERR_PARSE, "unmatched parenthesis at offset 0");
  bad("*a", TETRA_ERR_PARSE, "target of repeat operator is not specified at offset 0");
  bad("a|+", TETRA_ERR_PARSE, "at offset 2");
  bad("\\K", TETRA_ERR_UNSUPPORTED, "unsupported escape \\K at offset 0");
  bad("ab\\R", TETRA_ERR_UNSUPPORTED, "\\R at offset 2");
  bad("\\X", TETRA_ERR_UNSUPPORTED, "\\X");
  bad("(?~abc)", TETRA_ERR_UNSUPPORTED, "unsupported group syntax (?~ at offset 0");
  bad("(?(1)a|b)", TETRA_ERR_UNSUPPORTED, "(?( at offset 0");
  bad("\\xA0", TETRA_ERR_PARSE, "invalid code point value");
  bad("\\x{110000}", TETRA_ERR_PARSE, "invalid code point value 0x110000");
  bad("\\ud800", TETRA_ERR_PARSE, "surrogate");
  bad("a{100001}", TETRA_ERR_LIMIT, "too big number for repeat range");
  bad("(?:ab){1000}(?:cd){1000}(?:ef){100000}", TETRA_ERR_LIMIT, "exceeds 200000 instructions");
  bad("[[:foo:]]", TETRA_ERR_UNSUPPORTED, "POSIX bracket [:foo:]");
  bad("a\\", TETRA_ERR_PARSE, "pattern ends with a backslash");
  char deep[1001];
  memset(deep, '(', 500);
  memset(deep + 500, ')', 500);
  deep[1000] = 0;
  bad(deep, TETRA_ERR_LIMIT, "nested too deeply");
  /* the message quotes the pattern */
  bad("(a)\\2", TETRA_ERR_UNSUPPORTED, "regex \"(a)\\2\":");
}

/* ---- semantics that the golden file cannot show (empty matches, search from) ------------- */
static void spans_are(const char *pattern, const char *text, const char *want) {
  tt_regex *re = compile(pattern);
  if (!re) return;
  tt_matches m;
  memset(&m, 0, sizeof m);
  tetra_error err;
  tetra_status st = tt_regex_find_all(re, text, strlen(text), NULL, &m, &err);
  CHECK(st == TETRA_OK, "%s: %s", pattern, err.message);
  char got[512] = "";
  for (size_t i = 0; i < m.n; i++) {
    size_t l = strlen(got);
    snprintf(got + l, sizeof got - l, "%s%u-%u", i ? " " : "", m.spans[i].start, m.spans[i].end);
  }
  CHECK(strcmp(got, want) == 0, "%s on \"%s\": %s, wanted %s", pattern, text, got, want);
  free(m.spans);
  tt_regex_free(re);
}

static void test_semantics(void) {
  /* the onig crate's find_iter: an empty match right after a non-empty one is dropped */
  spans_are("x*", "xxabxx", "0-2 3-3 4-6");
  spans_are("a|", "bab", "0-0 1-2 3-3");
  spans_are("", "ab", "0-0 1-1 2-2");
  spans_are("", "", "");
  spans_are("a*", "", "");
  spans_are("(?=a)", "aab", "0-0 1-1");
  spans_are("\\b", "ab cd", "0-0 2-2 3-3 5-5");
  spans_are("$", "a\nb", "1-1 3-3");
  spans_are("(a*)*b", "aaab", "0-4");
  spans_are("(|a)+b", "aab", "0-3");
  spans_are("(?:a|b)*?c", "abac", "0-4");
  spans_are("\\G\\w", "ab c", "0-1 1-2");
  spans_are("a{2}?", "aaa", "0-2 3-3"); /* (?:aa)?: the empty match at 2 follows a match */
  spans_are("(?i)ǆ", "ǅǄǆ", "0-2 2-4 4-6");
  /* search from an offset: lookbehind sees the text before it */
  tt_regex *re = compile("(?<=a)b");
  if (re) {
    size_t s = 0, e = 0;
    tetra_error err;
    CHECK(tt_regex_search(re, "abab", 4, 1, &s, &e, &err) == 1 && s == 1 && e == 2, "lookbehind before from");
    CHECK(tt_regex_search(re, "abab", 4, 2, &s, &e, &err) == 1 && s == 3, "next");
    CHECK(tt_regex_search(re, "abab", 4, 4, &s, &e, &err) == 0, "none at the end");
    CHECK(tt_regex_search(re, "abab", 4, 5, &s, &e, &err) == 0, "from past the end");
    tt_regex_free(re);
  }
  /* invalid UTF-8 never crashes: bytes are single "other" characters */
  re = compile(GPT2);
  if (re) {
    const char junk[] = "a\xff\xfe b\xc3 \xe2\x82 \xf0\x9f\x98 x\xc0\xaf";
    for (int fast = 0; fast < 2; fast++) {
      tt_regex_set_fast(re, fast);
      tt_matches m;
      tetra_error err;
      CHECK(find(re, junk, sizeof junk - 1, &m, &err) == TETRA_OK, "junk: %s", err.message);
      CHECK(m.n > 0 && m.spans[m.n - 1].end == sizeof junk - 1, "junk covered");
      free(m.spans);
    }
    tt_regex_free(re);
  }
}

/* ---- the budget stops catastrophic patterns ---------------------------------------------- */
static void test_budget(void) {
  char text[64];
  memset(text, 'a', 40);
  text[40] = 'b';
  const char *patterns[] = {"(a|aa)+$", "(?:a*)*c", "(a|a)+c", "(?:a+)+c"};
  for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
    tt_regex *re = compile(patterns[i]);
    if (!re) continue;
    clock_t t0 = clock();
    tt_matches m;
    tetra_error err;
    tetra_status st = find(re, text, 41, &m, &err);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(st == TETRA_OK || (st == TETRA_ERR_LIMIT && strstr(err.message, "budget")),
          "%s: %s (%s)", patterns[i], tetra_status_name(st), err.message);
    CHECK(secs < 20, "%s took %.1f s", patterns[i], secs);
    free(m.spans);
    tt_regex_free(re);
  }
  tt_regex *re = compile("(a|aa)+$");
  if (re) {
    tt_matches m;
    tetra_error err;
    CHECK(find(re, text, 41, &m, &err) == TETRA_ERR_LIMIT, "(a|aa)+$ is exponential here");
    free(m.spans);
    tt_regex_free(re);
  }
}

/* ---- long runs stay linear in the general engine ------------------------------------------ */
static void test_long_runs(void) {
  const size_t n = 1 << 19;
  char *text = malloc(n + 8);
  const char *fills[] = {" ", "a", "1", "\n", "!", "\xe4\xb8\xad" /* 中 */, "A", "\xc2\xa0" /* NBSP */};
  const char *pats[] = {GPT2, CL100K, O200K, "\\w+|[^\\w\\s]+", "\\s+(?!\\S)"};
  for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
    size_t fl = strlen(fills[f]), len = 0;
    while (len + fl <= n) memcpy(text + len, fills[f], fl), len += fl;
    text[len++] = 'x';
    for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
      tt_regex *re = compile(pats[p]);
      if (!re) continue;
      tt_regex_set_fast(re, 0);
      clock_t t0 = clock();
      tt_matches m;
      tetra_error err;
      tetra_status st = find(re, text, len, &m, &err);
      double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
      CHECK(st == TETRA_OK, "512 KiB run of \"%s\" with pattern %zu: %s", fills[f], p, err.message);
      CHECK(secs < 10, "512 KiB run of \"%s\" with pattern %zu took %.1f s", fills[f], p, secs);
      free(m.spans);
      tt_regex_free(re);
    }
  }
  free(text);
}

/* ---- fast scanners equal the general engine ------------------------------------------------- */
static uint64_t rng_next(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return *s >> 33;
}

/* Strings built from runs of characters of every class the patterns distinguish. */
static char *generated_corpus(size_t want, size_t *len) {
  static const char *const pieces[] = {
      "a", "Z", "s", "S", "t", "T", "r", "e", "E", "v", "l", "L", "d", "D", "m", "M", "'", "'", "'",
      "\xc5\xbf" /* ſ */, "\xc3\xa9", "\xc3\x89", "\xc7\x85" /* ǅ */, "\xca\xb0" /* ʰ Lm */,
      "\xe4\xb8\xad", "\xe3\x81\x8b", " ", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\xc2\xa0",
      "\xe3\x80\x80", "\xe2\x80\xa8", "\xc2\x85", "\x0b", "\x0c", "1", "2", "\xd9\xa3", "\xc2\xbd",
      "\xe2\x85\xab", "!", ".", ",", "/", "\"", "-", "\xe2\x80\x99", "\xf0\x9f\x99\x82", "\xcc\x81",
      "\xe2\x80\x8d", "\xef\xbb\xbf", "\x01", "\xe0\xa4\x95", "\xe0\xa5\x8d", "_", "$", "\xd8\xa7"};
  const size_t np = sizeof pieces / sizeof pieces[0];
  char *out = malloc(want + 64);
  uint64_t seed = 12345;
  size_t n = 0;
  while (n < want) {
    const char *p = pieces[rng_next(&seed) % np];
    size_t reps = 1 + (rng_next(&seed) % 8 == 0 ? rng_next(&seed) % 6 : 0);
    size_t pl = strlen(p);
    for (size_t r = 0; r < reps && n + pl < want + 60; r++) memcpy(out + n, p, pl), n += pl;
  }
  *len = n;
  return out;
}

static void compare_fast(const char *pattern, const char *name, const char *text, size_t len,
                         size_t *total) {
  tt_regex *re = compile(pattern);
  if (!re) return;
  CHECK(tt_regex_fast_kind(re) != 0, "%s selects a scanner", name);
  tt_matches fast, slow;
  tetra_error err;
  tt_regex_set_fast(re, 1);
  CHECK(find(re, text, len, &fast, &err) == TETRA_OK, "%s fast: %s", name, err.message);
  tt_regex_set_fast(re, 0);
  CHECK(find(re, text, len, &slow, &err) == TETRA_OK, "%s general: %s", name, err.message);
  size_t k = 0;
  while (k < fast.n && k < slow.n && fast.spans[k].start == slow.spans[k].start &&
         fast.spans[k].end == slow.spans[k].end)
    k++;
  int same = fast.n == slow.n && k == fast.n;
  if (!same) {
    uint32_t at = k < slow.n ? slow.spans[k].start : k < fast.n ? fast.spans[k].start : 0;
    CHECK(same, "%s: scanner and engine differ at match %zu (byte %u, text \"%.24s\"): scanner [%u,%u) "
          "engine [%u,%u)", name, k, at, text + at, k < fast.n ? fast.spans[k].start : 0,
          k < fast.n ? fast.spans[k].end : 0, k < slow.n ? slow.spans[k].start : 0,
          k < slow.n ? slow.spans[k].end : 0);
  }
  *total += slow.n;
  free(fast.spans);
  free(slow.spans);
  tt_regex_free(re);
}

static void test_fast_paths(void) {
  size_t total = 0, bytes = 0, len;
  char *gen = generated_corpus(1 << 20, &len);
  compare_fast(GPT2, "GPT-2", gen, len, &total);
  compare_fast(CL100K, "cl100k", gen, len, &total);
  compare_fast(QWEN2, "Qwen2", gen, len, &total);
  bytes += len;
  free(gen);
  const char *files[] = {"../shared/models/llamacpp-vocab-tests/ggml-vocab-gpt-2.gguf.inp",
                         "../shared/models/llamacpp-vocab-tests/ggml-vocab-bert-bge.gguf.inp",
                         "../shared/models/llamacpp-vocab-tests/ggml-vocab-llama-spm.gguf.inp",
                         "../shared/models/all-MiniLM-L6-v2/vocab.txt",
                         "../shared/models/gpt2-tokenizer/vocab.bpe",
                         "../shared/models/gpt2-tokenizer/encoder.json", "README.md"};
  size_t found = 0;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *text = harness_read_file(harness_path(files[i]), &len);
    if (!text) continue;
    found++;
    compare_fast(GPT2, files[i], text, len, &total);
    compare_fast(CL100K, files[i], text, len, &total);
    compare_fast(QWEN2, files[i], text, len, &total);
    bytes += len;
    free(text);
  }
  if (found < 3) printf("SKIPPED part of the scanner comparison: ../shared/models is absent\n");
  printf("fast paths: %zu matches on %zu bytes equal to the general engine's\n", total, bytes);
  /* literal patterns take a byte search */
  tt_regex *re = compile("\xe2\x96\x81");
  if (re) {
    CHECK(tt_regex_fast_kind(re) == TT_RX_FAST_LITERAL, "literal pattern");
    tt_regex_free(re);
  }
  spans_are("\xe2\x96\x81", "\xe2\x96\x81" "a\xe2\x96\x81\xe2\x96\x81", "0-3 4-7 7-10");
  spans_are("ab", "aababab", "1-3 3-5 5-7");
}

int main(void) {
  test_errors();
  test_semantics();
  test_golden();
  test_budget();
  test_fast_paths();
  test_long_runs();
  return harness_finish("test_text_regex");
}
