/* Character-set membership and the Unicode classes the regex engine shares with its scanners. */
#include "regex_internal.h"
#include "text/unicode.h"

/* Onig's Word: Alphabetic | Mark | Decimal_Number | Connector_Punctuation. In a bracket class
 * ([\w], [^\W], [[:word:]]) that is all; a standalone \w, \W, \p{Word} or \b takes code points
 * below 256 from Onig's ISO-8859-1 table instead, which also counts the superscripts and vulgar
 * fractions U+00B2 U+00B3 U+00B9 U+00BC..U+00BE as word characters. */
int tt_rx_is_word_class(uint32_t cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           cp == '_';
  if (tt_uc_is_alphabetic(cp)) return 1;
  tt_gc g = tt_uc_category(cp);
  return g == TT_GC_MN || g == TT_GC_MC || g == TT_GC_ME || g == TT_GC_ND || g == TT_GC_PC;
}

int tt_rx_is_word(uint32_t cp) {
  if (cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0xBC && cp <= 0xBE)) return 1;
  return tt_rx_is_word_class(cp);
}

uint32_t tt_rx_fold(uint32_t cp) {
  size_t lo = 0, hi = tt_rx_casefold_count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (tt_rx_casefold_pairs[mid][0] < cp)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < tt_rx_casefold_count && tt_rx_casefold_pairs[lo][0] == cp ? tt_rx_casefold_pairs[lo][1]
                                                                         : cp;
}

static int in_ranges(const tt_rx_range *r, uint32_t n, uint32_t cp) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (r[mid].hi < cp)
      lo = mid + 1;
    else if (r[mid].lo > cp)
      hi = mid;
    else
      return 1;
  }
  return 0;
}

static int has_props(uint32_t props, uint32_t cp) {
  if (props & TT_RX_PROP_ANY) return 1;
  if ((props & TT_RX_PROP_WHITE_SPACE) && tt_uc_is_white_space(cp)) return 1;
  if ((props & TT_RX_PROP_WORD) && tt_rx_is_word(cp)) return 1;
  if ((props & TT_RX_PROP_WORD_CLASS) && tt_rx_is_word_class(cp)) return 1;
  if ((props & TT_RX_PROP_ALPHA) && tt_uc_is_alphabetic(cp)) return 1;
  if ((props & TT_RX_PROP_HEX) && cp < 0x80 &&
      ((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'f')))
    return 1;
  return 0;
}

/* Membership without the ASCII bitmap (used to fill it, and for code points >= 128). Nesting
 * depth is bounded by the parser. */
static int set_eval(const struct tt_regex *re, const tt_rx_set *s, uint32_t cp) {
  int in = 0;
  if (s->gc_mask) {
    tt_gc g = tt_uc_category(cp);
    if ((s->gc_mask >> g) & 1u) in = 1;
  }
  if (!in && (s->props & TT_RX_PROP_ASSIGNED) && tt_uc_category(cp) != TT_GC_CN) in = 1;
  if (!in && s->props && has_props(s->props, cp)) in = 1;
  if (!in && s->range_count && in_ranges(re->ranges + s->range_first, s->range_count, cp)) in = 1;
  for (uint32_t i = 0; !in && i < s->sub_count; i++)
    in = tt_rx_set_has(re, &re->sets[re->subs[s->sub_first + i]], cp);
  for (uint32_t i = 0; in && i < s->and_count; i++)
    in = tt_rx_set_has(re, &re->sets[re->subs[s->and_first + i]], cp);
  return in ^ s->negated;
}

int tt_rx_set_has(const struct tt_regex *re, const tt_rx_set *s, uint32_t cp) {
  if (cp < 128) return (s->ascii[cp >> 5] >> (cp & 31)) & 1u;
  return set_eval(re, s, cp);
}

void tt_rx_set_finish(const struct tt_regex *re, tt_rx_set *s) {
  s->ascii[0] = s->ascii[1] = s->ascii[2] = s->ascii[3] = 0;
  for (uint32_t cp = 0; cp < 128; cp++)
    if (set_eval(re, s, cp)) s->ascii[cp >> 5] |= 1u << (cp & 31);
}
