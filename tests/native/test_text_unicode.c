/* Unicode layer (src/text/unicode.c): properties, lowercase, normalization with its change values,
 * grapheme clusters and UTF-8, against Unicode's own conformance files (NormalizationTest.txt,
 * GraphemeBreakTest.txt, from Debian's unicode-data) and the Rust tokenizers library's output
 * (tests/golden/text/unicode.json, made by tools/golden/text/make_unicode_golden.mjs). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"
#include "text/unicode.h"
#include "text/unicode_internal.h"

#define GRAPHEME_TEST_FILE "/usr/share/unicode/auxiliary/GraphemeBreakTest.txt"

static const char *const FORM_NAMES[] = {"NFD", "NFKD", "NFC", "NFKC"};

/* ---- helpers ---------------------------------------------------------------------------------- */

static size_t json_cps(const tetra_json *arr, uint32_t *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; arr && i < arr->len && n < cap; i++) out[n++] = (uint32_t)tetra_json_at(arr, i)->u.number;
  return n;
}

/* Normalizes and returns the code points (and change values when changes != NULL). */
static size_t normalize(tt_nf form, int latest, const uint32_t *in, size_t n, uint32_t *out,
                        int32_t *changes, size_t cap) {
  tt_cpchange *r = NULL;
  size_t m = 0;
  tetra_error err;
  tetra_status st = tt_uc_normalize_ex(form, latest, in, n, NULL, &r, &m, &err);
  CHECK(st == TETRA_OK, "normalize: %s", err.message);
  if (st != TETRA_OK) return 0;
  size_t k = 0;
  for (; k < m && k < cap; k++) {
    out[k] = r[k].cp;
    if (changes) changes[k] = r[k].change;
  }
  tetra_free(NULL, r);
  return m;
}

static int same_cps(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
  return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* ---- properties ------------------------------------------------------------------------------- */

static void test_properties(void) {
  static const struct {
    uint32_t cp;
    tt_gc gc;
    int white, alpha, numeric;
    uint8_t ccc;
  } samples[] = {
      {'A', TT_GC_LU, 0, 1, 0, 0},        {'z', TT_GC_LL, 0, 1, 0, 0},
      {'7', TT_GC_ND, 0, 0, 1, 0},        {' ', TT_GC_ZS, 1, 0, 0, 0},
      {'\t', TT_GC_CC, 1, 0, 0, 0},       {0x1C, TT_GC_CC, 0, 0, 0, 0},
      {0x85, TT_GC_CC, 1, 0, 0, 0},       {0xA0, TT_GC_ZS, 1, 0, 0, 0},
      {0x1680, TT_GC_ZS, 1, 0, 0, 0},     {0x200B, TT_GC_CF, 0, 0, 0, 0},
      {0x2028, TT_GC_ZL, 1, 0, 0, 0},     {0x2029, TT_GC_ZP, 1, 0, 0, 0},
      {0x3000, TT_GC_ZS, 1, 0, 0, 0},     {0xFEFF, TT_GC_CF, 0, 0, 0, 0},
      {0x01C5, TT_GC_LT, 0, 1, 0, 0},     {0x02B0, TT_GC_LM, 0, 1, 0, 0},
      {0x4E2D, TT_GC_LO, 0, 1, 0, 0},     {0xAC00, TT_GC_LO, 0, 1, 0, 0},
      {0x0301, TT_GC_MN, 0, 0, 0, 230},   {0x0345, TT_GC_MN, 0, 1, 0, 240},
      {0x0903, TT_GC_MC, 0, 1, 0, 0},     {0x20DD, TT_GC_ME, 0, 0, 0, 0},
      {0x0663, TT_GC_ND, 0, 0, 1, 0},     {0x216B, TT_GC_NL, 0, 1, 1, 0},
      {0x00BD, TT_GC_NO, 0, 0, 1, 0},     {0x2460, TT_GC_NO, 0, 0, 1, 0},
      {'_', TT_GC_PC, 0, 0, 0, 0},        {'-', TT_GC_PD, 0, 0, 0, 0},
      {'(', TT_GC_PS, 0, 0, 0, 0},        {')', TT_GC_PE, 0, 0, 0, 0},
      {0xAB, TT_GC_PI, 0, 0, 0, 0},       {0xBB, TT_GC_PF, 0, 0, 0, 0},
      {'!', TT_GC_PO, 0, 0, 0, 0},        {0x3002, TT_GC_PO, 0, 0, 0, 0},
      {'+', TT_GC_SM, 0, 0, 0, 0},        {'$', TT_GC_SC, 0, 0, 0, 0},
      {'^', TT_GC_SK, 0, 0, 0, 0},        {0x1F600, TT_GC_SO, 0, 0, 0, 0},
      {0xE000, TT_GC_CO, 0, 0, 0, 0},     {0x10FFFD, TT_GC_CO, 0, 0, 0, 0},
      {0xD800, TT_GC_CN, 0, 0, 0, 0},     {0x0378, TT_GC_CN, 0, 0, 0, 0},
      {0x110000, TT_GC_CN, 0, 0, 0, 0},   {0xFFFFFFFF, TT_GC_CN, 0, 0, 0, 0},
      {0x20000, TT_GC_LO, 0, 1, 0, 0},    {0x3134A, TT_GC_LO, 0, 1, 0, 0},
      {0x05B0, TT_GC_MN, 0, 1, 0, 10},    {0x093C, TT_GC_MN, 0, 0, 0, 7},
      {0x1D165, TT_GC_MC, 0, 0, 0, 216},  {0x0E38, TT_GC_MN, 0, 1, 0, 103},
  };
  for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
    uint32_t cp = samples[i].cp;
    CHECK(tt_uc_category(cp) == samples[i].gc, "U+%04X: category %d, wanted %d", cp,
          (int)tt_uc_category(cp), (int)samples[i].gc);
    CHECK(tt_uc_is_white_space(cp) == samples[i].white, "U+%04X: white space", cp);
    CHECK(tt_uc_is_alphabetic(cp) == samples[i].alpha, "U+%04X: alphabetic", cp);
    CHECK(tt_uc_is_numeric(cp) == samples[i].numeric, "U+%04X: numeric", cp);
    CHECK(tt_uc_is_number(cp) == samples[i].numeric, "U+%04X: number", cp);
    CHECK(tt_uc_ccc(cp) == samples[i].ccc, "U+%04X: ccc %d, wanted %d", cp, tt_uc_ccc(cp),
          samples[i].ccc);
  }
  CHECK(tt_uc_is_letter(0x01C5) && tt_uc_is_letter('q') && !tt_uc_is_letter('1') &&
            !tt_uc_is_letter(0x0345),
        "is_letter is L*");
  CHECK(tt_uc_is_mark(0x0301) && tt_uc_is_mark(0x0903) && tt_uc_is_mark(0x20DD) && !tt_uc_is_mark('a'),
        "is_mark is M*");
  CHECK(tt_uc_is_punctuation('!') && tt_uc_is_punctuation(0x3001) && !tt_uc_is_punctuation('$') &&
            !tt_uc_is_punctuation('+'),
        "is_punctuation is P*");
  /* The fast ASCII paths agree with the tables. */
  for (uint32_t cp = 0; cp < 0x80; cp++) {
    uint32_t low[3];
    int n = tt_uc_to_lower(cp, low);
    CHECK(n == 1 && low[0] == ((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp), "ASCII lower U+%04X", cp);
    CHECK(tt_uc_is_alphabetic(cp) == ((tt_uc_category(cp) == TT_GC_LU) || (tt_uc_category(cp) == TT_GC_LL)),
          "ASCII alphabetic U+%04X", cp);
  }
}

static void test_lowercase_specials(void) {
  uint32_t o[3];
  CHECK(tt_uc_to_lower(0x0130, o) == 2 && o[0] == 'i' && o[1] == 0x0307, "U+0130 -> i + U+0307");
  CHECK(tt_uc_to_lower(0x03A3, o) == 1 && o[0] == 0x03C3, "capital sigma -> U+03C3, never final");
  CHECK(tt_uc_to_lower(0x03C2, o) == 1 && o[0] == 0x03C2, "final sigma stays");
  CHECK(tt_uc_to_lower(0x1E9E, o) == 1 && o[0] == 0xDF, "capital sharp s -> U+00DF");
  CHECK(tt_uc_to_lower(0x212A, o) == 1 && o[0] == 'k', "Kelvin sign -> k");
  CHECK(tt_uc_to_lower(0x01C5, o) == 1 && o[0] == 0x01C6, "titlecase Dz -> dz");
  CHECK(tt_uc_to_lower(0x10400, o) == 1 && o[0] == 0x10428, "Deseret");
  CHECK(tt_uc_to_lower(0x00DF, o) == 1 && o[0] == 0xDF, "sharp s has no lowercase expansion");
  CHECK(tt_uc_to_lower(0x110000, o) == 1 && o[0] == 0x110000, "beyond Unicode: itself");
}

/* Every code point against Rust's char::to_lowercase and char::is_whitespace as the library
 * applies them. Rust's std is at Unicode 16 and Debian's data at 15: code points unassigned in
 * our data (category Cn) may differ; they are counted, not failed. */
static void test_lowercase_golden(const tetra_json *root) {
  const tetra_json *lower = tetra_json_get(root, "lowercase");
  CHECK(lower && lower->type == TETRA_JSON_ARRAY, "golden: lowercase");
  if (!lower) return;
  size_t next = 0, newer = 0, compared = 0;
  for (uint32_t cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    uint32_t want[4] = {cp};
    size_t nw = 1;
    const tetra_json *row = tetra_json_at(lower, next);
    if (row && (uint32_t)tetra_json_at(row, 0)->u.number == cp) {
      nw = 0;
      for (size_t k = 1; k < row->len && nw < 4; k++) want[nw++] = (uint32_t)tetra_json_at(row, k)->u.number;
      next++;
    }
    uint32_t got[3];
    int ng = tt_uc_to_lower(cp, got);
    if (!same_cps(got, (size_t)ng, want, nw)) {
      if (tt_uc_category(cp) == TT_GC_CN) {
        newer++;
        continue;
      }
      CHECK(0, "lowercase U+%04X: got %d chars (U+%04X), Rust gives %zu (U+%04X)", cp, ng, got[0], nw,
            want[0]);
    }
    compared++;
  }
  CHECK(next == lower->len, "every golden lowercase row was visited");
  printf("test_text_unicode: lowercase of %zu code points equal to Rust's; %zu unassigned in Unicode %s "
         "(newer in Rust's std) differ\n",
         compared, newer, tt_uc_version);

  const tetra_json *ws = tetra_json_get(root, "white_space");
  CHECK(ws && ws->type == TETRA_JSON_ARRAY && ws->len == 25, "golden: white_space has 25 entries");
  if (!ws) return;
  size_t k = 0;
  for (uint32_t cp = 0; cp < 0x110000; cp++) {
    int want = k < ws->len && (uint32_t)tetra_json_at(ws, k)->u.number == cp;
    if (want) k++;
    CHECK(tt_uc_is_white_space(cp) == want, "is_white_space(U+%04X) should be %d", cp, want);
  }
}

/* ---- normalization ------------------------------------------------------------------------------ */

/* Replays HF's NormalizedString::transform over an identity-aligned input, in code points: a
 * character with change <= 0 takes the span of the input character it replaces and skips -change
 * more; an inserted one (change > 0) takes the span of the input character before the read
 * position ((0,0) at the start). */
static void replay_offsets(const int32_t *changes, size_t m, uint32_t (*spans)[2]) {
  size_t pos = 0;
  for (size_t i = 0; i < m; i++) {
    if (changes[i] > 0) {
      spans[i][0] = pos ? (uint32_t)pos - 1 : 0;
      spans[i][1] = pos ? (uint32_t)pos : 0;
    } else {
      spans[i][0] = (uint32_t)pos;
      spans[i][1] = (uint32_t)pos + 1;
      pos += 1 + (size_t)(-changes[i]);
    }
  }
}

static void test_normalization_golden(const tetra_json *root) {
  const tetra_json *cases = tetra_json_get(root, "normalization");
  CHECK(cases && cases->type == TETRA_JSON_ARRAY && cases->len > 0, "golden: normalization");
  if (!cases) return;
  enum { CAP = 512 };
  static uint32_t in[CAP], want[CAP], got[CAP], spans[CAP][2];
  static int32_t changes[CAP];
  size_t checked = 0;
  for (size_t c = 0; c < cases->len; c++) {
    const tetra_json *cs = tetra_json_at(cases, c);
    size_t n = json_cps(tetra_json_get(cs, "input"), in, CAP);
    for (int f = 0; f < 4; f++) {
      const tetra_json *g = tetra_json_get(cs, FORM_NAMES[f]);
      size_t nw = json_cps(tetra_json_get(g, "output"), want, CAP);
      size_t m = normalize((tt_nf)f, 0, in, n, got, changes, CAP);
      CHECK(same_cps(got, m, want, nw), "case %zu %s: %zu code points, Rust gives %zu", c,
            FORM_NAMES[f], m, nw);
      if (!same_cps(got, m, want, nw)) continue;
      /* The change values must account for every input character exactly once. */
      size_t consumed = 0;
      for (size_t i = 0; i < m; i++) consumed += changes[i] > 0 ? 0 : 1 + (size_t)(-changes[i]);
      CHECK(consumed == n, "case %zu %s: change values consume %zu of %zu characters", c,
            FORM_NAMES[f], consumed, n);
      replay_offsets(changes, m, spans);
      const tetra_json *offs = tetra_json_get(g, "offsets");
      for (size_t i = 0; i < m; i++) {
        const tetra_json *o = tetra_json_at(offs, i);
        uint32_t ws = o ? (uint32_t)tetra_json_at(o, 0)->u.number : 0;
        uint32_t we = o ? (uint32_t)tetra_json_at(o, 1)->u.number : 0;
        CHECK(spans[i][0] == ws && spans[i][1] == we,
              "case %zu %s char %zu (U+%04X, change %d): span [%u,%u), Rust gives [%u,%u)", c,
              FORM_NAMES[f], i, got[i], changes[i], spans[i][0], spans[i][1], ws, we);
      }
      checked++;
    }
  }
  printf("test_text_unicode: %zu golden normalizations (strings x forms) with their offsets\n", checked);
}

static uint32_t fnv_words(uint32_t h, const uint32_t *w, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < 4; k++) {
      h ^= (w[i] >> (8 * k)) & 0xFF;
      h *= 0x01000193u;
    }
  return h;
}

/* Every code point alone, in all four forms, against the library (hashes per 4096). */
static void test_normalization_blocks(const tetra_json *root) {
  const tetra_json *blocks = tetra_json_get(root, "blocks");
  CHECK(blocks != NULL, "golden: blocks");
  if (!blocks) return;
  size_t equal = 0;
  for (int f = 0; f < 4; f++) {
    const tetra_json *hashes = tetra_json_get(blocks, FORM_NAMES[f]);
    CHECK(hashes && hashes->len == 0x110, "golden: %s has 272 blocks", FORM_NAMES[f]);
    if (!hashes || hashes->len != 0x110) continue;
    for (uint32_t b = 0; b < 0x110; b++) {
      uint32_t h = 0x811c9dc5u;
      for (uint32_t cp = b << 12; cp < ((b + 1) << 12); cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        uint32_t out[2 + TT_UC_MAX_DECOMP];
        size_t m = normalize((tt_nf)f, 0, &cp, 1, out + 2, NULL, TT_UC_MAX_DECOMP);
        out[0] = cp;
        out[1] = (uint32_t)m;
        h = fnv_words(h, out, 2 + m);
      }
      uint32_t want = (uint32_t)tetra_json_at(hashes, b)->u.number;
      CHECK(h == want, "%s of U+%04X..U+%04X differs from the Rust library", FORM_NAMES[f], b << 12,
            ((b + 1) << 12) - 1);
      equal += h == want;
    }
  }
  printf("test_text_unicode: %zu of %d blocks of 4096 code points normalize as the Rust library\n",
         equal, 4 * 0x110);
}

/* Parses one column "0044 0307" into cps; returns the count. */
static size_t parse_column(const char *s, const char *end, uint32_t *out, size_t cap) {
  size_t n = 0;
  while (s < end && n < cap) {
    while (s < end && *s == ' ') s++;
    if (s >= end) break;
    char *next;
    out[n++] = (uint32_t)strtoul(s, &next, 16);
    if (next == s) break;
    s = next;
  }
  return n;
}

static int hf_knows_all(const uint32_t *cps, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (tt_uc_props(cps[i]) & TT_UCP_HF_NEW) return 0;
  return 1;
}

/* UAX #15 conformance, every line and every form, with the full data (latest) and with the data
 * the crate has (skipping lines that hold characters it does not know). */
static void test_normalization_conformance(void) {
#ifndef TETRA_NORMALIZATION_TEST
  printf("test_text_unicode: SKIPPED NormalizationTest.txt (CMake found no "
         "/usr/share/unicode/NormalizationTest.txt.bz2 or no bzip2: apt-get install unicode-data bzip2)\n");
#else
  size_t len = 0;
  char *text = harness_read_file(TETRA_NORMALIZATION_TEST, &len);
  if (!text) {
    printf("test_text_unicode: SKIPPED NormalizationTest.txt (cannot read %s)\n", TETRA_NORMALIZATION_TEST);
    return;
  }
  enum { CAP = 64 };
  uint32_t col[5][CAP], out[CAP * 4];
  size_t ncol[5];
  size_t lines = 0, hf_lines = 0, failures_before = (size_t)harness_failures;
  int part = -1;
  static uint8_t in_part1[0x110000 / 8];
  memset(in_part1, 0, sizeof in_part1);
  for (char *line = text; line && *line;) {
    char *eol = strchr(line, '\n');
    char *end = eol ? eol : line + strlen(line);
    char *next_line = eol ? eol + 1 : NULL;
    if (*line == '@') {
      part = atoi(line + 5);
    } else if (*line != '#' && end > line) {
      const char *p = line;
      int ok = 1;
      for (int c = 0; c < 5; c++) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (!semi) {
          ok = 0;
          break;
        }
        ncol[c] = parse_column(p, semi, col[c], CAP);
        p = semi + 1;
      }
      CHECK(ok, "NormalizationTest.txt: malformed line %.40s", line);
      if (ok) {
        lines++;
        if (part == 1 && ncol[0] == 1) in_part1[col[0][0] >> 3] |= (uint8_t)(1u << (col[0][0] & 7));
        for (int latest = 1; latest >= 0; latest--) {
          if (!latest) {
            int known = 1;
            for (int c = 0; c < 5; c++) known = known && hf_knows_all(col[c], ncol[c]);
            if (!known) break;
            hf_lines++;
          }
          /* c2 == NFC(c1..c3), c4 == NFC(c4, c5); c3 == NFD(c1..c3), c5 == NFD(c4, c5);
           * c4 == NFKC(c1..c5); c5 == NFKD(c1..c5) */
          static const int want_nfc[5] = {1, 1, 1, 3, 3}, want_nfd[5] = {2, 2, 2, 4, 4};
          for (int c = 0; c < 5; c++) {
            struct { tt_nf form; int want; } checks[4] = {
                {TT_NFC, want_nfc[c]}, {TT_NFD, want_nfd[c]}, {TT_NFKC, 3}, {TT_NFKD, 4}};
            for (int k = 0; k < 4; k++) {
              size_t m = normalize(checks[k].form, latest, col[c], ncol[c], out, NULL, CAP * 4);
              int w = checks[k].want;
              /* 76K checks: print the first 50 failures, count the rest */
              if (!same_cps(out, m, col[w], ncol[w]) && harness_failures < 50 + (int)failures_before)
                CHECK(0, "NormalizationTest.txt line \"%.60s\": %s(c%d) != c%d (%s data)", line,
                      FORM_NAMES[checks[k].form], c + 1, w + 1, latest ? "latest" : "crate");
              else if (!same_cps(out, m, col[w], ncol[w]))
                harness_failures++;
              harness_checks++;
            }
          }
        }
      }
    }
    line = next_line;
  }
  CHECK(lines > 19000, "NormalizationTest.txt: %zu lines read", lines);
  /* Part 1's complement: every other code point is unchanged by every form. */
  size_t invariant = 0;
  for (uint32_t cp = 0; cp < 0x110000; cp++) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || (in_part1[cp >> 3] & (1u << (cp & 7)))) continue;
    for (int f = 0; f < 4; f++) {
      size_t m = normalize((tt_nf)f, 1, &cp, 1, out, NULL, CAP);
      if (!(m == 1 && out[0] == cp)) CHECK(0, "U+%04X is not in part 1 but %s changes it", cp, FORM_NAMES[f]);
    }
    invariant++;
  }
  printf("test_text_unicode: NormalizationTest.txt (Unicode %s): %zu lines x 4 forms with the full "
         "data, %zu with the crate's 9.0 data; %zu other code points invariant\n",
         tt_uc_version, lines, hf_lines, invariant);
  free(text);
#endif
}

/* ---- decomposition, composition, Hangul -------------------------------------------------------- */

static void test_decompose_compose(void) {
  uint32_t d[TT_UC_MAX_DECOMP];
  CHECK(tt_uc_decompose(0x00C5, 0, d) == 2 && d[0] == 'A' && d[1] == 0x030A, "U+00C5");
  CHECK(tt_uc_decompose(0x212B, 0, d) == 2 && d[0] == 'A' && d[1] == 0x030A, "Angstrom sign");
  CHECK(tt_uc_decompose(0x1E69, 0, d) == 3 && d[0] == 's' && d[1] == 0x0323 && d[2] == 0x0307,
        "U+1E69 recursive");
  CHECK(tt_uc_decompose(0xFB01, 0, d) == 1 && d[0] == 0xFB01, "fi ligature: no canonical");
  CHECK(tt_uc_decompose(0xFB01, 1, d) == 2 && d[0] == 'f' && d[1] == 'i', "fi ligature: compat");
  CHECK(tt_uc_decompose(0xFDFA, 1, d) == 18 && d[17] == 0x0645, "U+FDFA: the longest, 18");
  CHECK(tt_uc_decompose(0x1D15E, 0, d) == 2 && d[0] == 0x1D157 && d[1] == 0x1D165, "musical symbol");
  CHECK(tt_uc_decompose(0x2F800, 0, d) == 1 && d[0] == 0x4E3D, "CJK compatibility ideograph");
  CHECK(tt_uc_decompose(0xD55C, 0, d) == 3 && d[0] == 0x1112 && d[1] == 0x1161 && d[2] == 0x11AB,
        "Hangul LVT");
  CHECK(tt_uc_decompose(0xAC00, 0, d) == 2 && d[0] == 0x1100 && d[1] == 0x1161, "Hangul LV");
  CHECK(tt_uc_compose('A', 0x030A) == 0x00C5, "A + ring");
  CHECK(tt_uc_compose(0x0915, 0x093C) == 0, "U+0958 is excluded from composition");
  CHECK(tt_uc_compose('a', 'b') == 0, "no composite");
  CHECK(tt_uc_compose(0x1100, 0x1161) == 0xAC00 && tt_uc_compose(0xAC00, 0x11A8) == 0xAC01,
        "Hangul L+V, LV+T");
  CHECK(tt_uc_compose(0xAC01, 0x11A8) == 0 && tt_uc_compose(0xAC00, 0x11A7) == 0,
        "LVT + T and T base do not compose");
  /* Every primary composite decomposes back to its pair, and all of Hangul round-trips. */
  size_t composites = 0;
  for (size_t i = 0; i < tt_uc_compose_count; i++) {
    const uint32_t *row = tt_uc_compose_pairs + 3 * i;
    uint32_t a[TT_UC_MAX_DECOMP], c[TT_UC_MAX_DECOMP];
    int na = tt_uc_decompose(row[0], 0, a), nc = tt_uc_decompose(row[2], 0, c);
    int nb = tt_uc_decompose(row[1], 0, a + na);
    CHECK(tt_uc_compose(row[0], row[1]) == row[2] && same_cps(a, (size_t)(na + nb), c, (size_t)nc),
          "composite U+%04X", row[2]);
    composites++;
  }
  for (uint32_t s = 0xAC00; s <= 0xD7A3; s++) {
    int n = tt_uc_decompose(s, 0, d);
    uint32_t r = tt_uc_compose(d[0], d[1]);
    if (n == 3) r = tt_uc_compose(r, d[2]);
    CHECK(r == s, "Hangul U+%04X round trip", s);
  }
  printf("test_text_unicode: %zu primary composites and 11172 Hangul syllables round-trip\n", composites);
}

/* The crate's change values on hand-checked cases (the golden file covers the rest). */
static void test_change_values(void) {
  static const struct {
    tt_nf form;
    uint32_t in[8];
    size_t n;
    uint32_t out[8];
    int32_t change[8];
    size_t m;
  } cases[] = {
      {TT_NFD, {0xE9}, 1, {'e', 0x301}, {0, 1}, 2},
      {TT_NFC, {'e', 0x301}, 2, {0xE9}, {-1}, 1},
      {TT_NFC, {0xE9}, 1, {0xE9}, {0}, 1},
      /* s + dot above + dot below: reordered, then both absorbed: one character for three */
      {TT_NFC, {'s', 0x307, 0x323}, 3, {0x1E69}, {-2}, 1},
      {TT_NFD, {0x1E69, 0x316}, 2, {'s', 0x323, 0x316, 0x307}, {0, 1, 0, 1}, 4},
      {TT_NFC, {0x1100, 0x1161, 0x11A8}, 3, {0xAC01}, {-2}, 1},
      {TT_NFKD, {0xFB03}, 1, {'f', 'f', 'i'}, {0, 1, 1}, 3},
      {TT_NFKC, {0xFF76, 0xFF9E}, 2, {0x30AC}, {-1}, 1},
      {TT_NFC, {0x301, 'a'}, 2, {0x301, 'a'}, {0, 0}, 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    uint32_t got[16];
    int32_t ch[16];
    size_t m = normalize(cases[i].form, 0, cases[i].in, cases[i].n, got, ch, 16);
    int ok = same_cps(got, m, cases[i].out, cases[i].m);
    for (size_t k = 0; ok && k < m; k++) ok = ch[k] == cases[i].change[k];
    CHECK(ok, "change values case %zu", i);
  }
  /* Empty input, and a long run of non-starters (the merge sort path) stays stable. */
  tt_cpchange *r = NULL;
  size_t m = 99;
  tetra_error err;
  CHECK(tt_uc_normalize(TT_NFC, NULL, 0, NULL, &r, &m, &err) == TETRA_OK && m == 0, "empty input");
  tetra_free(NULL, r);
  enum { RUN = 300 };
  uint32_t in[RUN + 1], out[RUN + 1];
  in[0] = 'a';
  for (int i = 1; i <= RUN; i++) in[i] = (i % 3 == 0) ? 0x316 : (i % 3 == 1) ? 0x301 : 0x302;
  m = normalize(TT_NFD, 0, in, RUN + 1, out, NULL, RUN + 1);
  int sorted = m == RUN + 1 && out[0] == 'a';
  for (int i = 1; sorted && i <= RUN / 3; i++) sorted = out[i] == 0x316;
  for (int i = RUN / 3 + 1; sorted && i <= RUN; i++) sorted = out[i] == (((i - RUN / 3) % 2) ? 0x301 : 0x302);
  CHECK(sorted, "a run of 300 marks sorts stably by class");
}

/* ---- grapheme clusters ------------------------------------------------------------------------- */

static size_t clusters(const uint32_t *cps, size_t n, size_t *ends) {
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    size_t e = tt_uc_grapheme_end(cps, n, i);
    if (e <= i) return 0; /* no progress: a bug */
    ends[k++] = e;
    i = e;
  }
  return k;
}

static void test_graphemes(void) {
  static const struct {
    const char *name;
    uint32_t cps[12];
    size_t n;
    size_t ends[12];
    size_t k;
  } cases[] = {
      {"CRLF", {'a', '\r', '\n', 'b'}, 4, {1, 3, 4}, 3},
      {"LF CR", {'\n', '\r'}, 2, {1, 2}, 2},
      {"combining marks", {'e', 0x301, 0x302, 'x', 0x20DD}, 5, {3, 5}, 2},
      {"family ZWJ", {0x1F468, 0x200D, 0x1F469, 0x200D, 0x1F467, 0x200D, 0x1F466, '!'}, 8, {7, 8}, 2},
      {"skin tone + ZWJ", {0x1F44D, 0x1F3FD, 0x200D, 0x1F525}, 4, {4}, 1},
      {"ZWJ without pictograph", {'a', 0x200D, 0x1F525}, 3, {2, 3}, 2},
      {"rainbow flag", {0x1F3F3, 0xFE0F, 0x200D, 0x1F308}, 4, {4}, 1},
      {"flags", {0x1F1EB, 0x1F1F7, 0x1F1E9, 0x1F1EA, 0x1F1EF}, 5, {2, 4, 5}, 3},
      {"Hangul jamo", {0x1100, 0x1161, 0x11A8, 0x1100, 0xAC00, 0x11A8, 0xAC01, 0x11A8}, 8, {3, 6, 8}, 3},
      {"Hangul syllables", {0xD55C, 0xAD6D}, 2, {1, 2}, 2},
      {"spacing mark", {0x0915, 0x093F, 0x0915}, 3, {2, 3}, 2},
      {"prepend", {0x0600, '1', '2'}, 3, {2, 3}, 2},
      {"control", {'a', 0x0007, 0x0301}, 3, {1, 2, 3}, 3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t ends[16];
    size_t k = clusters(cases[i].cps, cases[i].n, ends);
    CHECK(k == cases[i].k && memcmp(ends, cases[i].ends, k * sizeof *ends) == 0, "graphemes: %s (%zu clusters)",
          cases[i].name, k);
  }
  CHECK(tt_uc_grapheme_end(NULL, 0, 0) == 0, "empty");

  size_t len = 0;
  char *text = harness_read_file(GRAPHEME_TEST_FILE, &len);
  if (!text) {
    printf("test_text_unicode: SKIPPED %s (absent: apt-get install unicode-data)\n", GRAPHEME_TEST_FILE);
    return;
  }
  size_t lines = 0, passed = 0;
  for (char *line = text; line && *line;) {
    char *eol = strchr(line, '\n');
    char *end = eol ? eol : line + strlen(line);
    char *hash = memchr(line, '#', (size_t)(end - line));
    if (hash) end = hash;
    /* "÷ 0020 × 0308 ÷ 0020 ÷": ÷ is C3 B7, × is C3 97 */
    uint32_t cps[64];
    size_t want[64], n = 0, k = 0;
    for (const char *p = line; p < end;) {
      if ((unsigned char)p[0] == 0xC3 && p + 1 < end && (unsigned char)p[1] == 0xB7) {
        if (n > 0) want[k++] = n;
        p += 2;
      } else if ((unsigned char)p[0] == 0xC3) {
        p += 2;
      } else if (*p == ' ' || *p == '\t') {
        p++;
      } else {
        char *q;
        unsigned long v = strtoul(p, &q, 16);
        if (q == p) break;
        if (n < 64) cps[n++] = (uint32_t)v;
        p = q;
      }
    }
    if (n > 0) {
      lines++;
      size_t got[64];
      size_t g = clusters(cps, n, got);
      int ok = g == k && memcmp(got, want, k * sizeof *got) == 0;
      passed += ok;
      CHECK(ok, "GraphemeBreakTest.txt: %.*s", (int)(end - line), line);
    }
    line = eol ? eol + 1 : NULL;
  }
  printf("test_text_unicode: GraphemeBreakTest.txt: %zu of %zu lines\n", passed, lines);
  CHECK(lines > 500, "GraphemeBreakTest.txt lines: %zu", lines);
  free(text);
}

/* ---- UTF-8 --------------------------------------------------------------------------------------- */

static void test_utf8(void) {
  size_t bad = 0;
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    char buf[4];
    int n = tt_utf8_encode(cp, buf);
    size_t used = 0;
    uint32_t back = tt_utf8_decode(buf, (size_t)n, &used);
    int want_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (n != want_len || back != cp || used != (size_t)n || tt_utf8_len((unsigned char)buf[0]) != n) bad++;
  }
  CHECK(bad == 0, "UTF-8 round trip: %zu code points wrong", bad);
  char buf[4];
  CHECK(tt_utf8_encode(0xD800, buf) == 3 && (unsigned char)buf[0] == 0xEF, "surrogate -> U+FFFD");
  size_t used = 0;
  CHECK(tt_utf8_decode("\xE2\x82", 2, &used) == 0xFFFD && used == 1, "truncated sequence");
  CHECK(tt_utf8_decode("\xC3(", 2, &used) == 0xFFFD && used == 1, "bad continuation");
  CHECK(tt_utf8_decode("\x80", 1, &used) == 0xFFFD && used == 1, "lone continuation");
  CHECK(tt_utf8_len(0x80) == 1 && tt_utf8_len(0xFF) == 1, "continuation and invalid lead bytes");
}

int main(void) {
  test_properties();
  test_lowercase_specials();
  test_decompose_compose();
  test_change_values();
  test_graphemes();
  test_utf8();
  tetra_json_doc *doc = harness_read_json("tests/golden/text/unicode.json");
  if (doc) {
    const tetra_json *root = tetra_json_root(doc);
    test_lowercase_golden(root);
    test_normalization_golden(root);
    test_normalization_blocks(root);
    tetra_json_free(doc);
  }
  test_normalization_conformance();
  return harness_finish("test_text_unicode");
}
