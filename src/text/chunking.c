/* Cutting one long text into chunks that the pipeline can run one after the other, so that a
 * 50 MB input needs memory for one chunk's normalized strings and pre-tokens, not for the whole
 * text's (which is 50-150 bytes per input byte), while the ids, offsets and word ids stay exactly
 * those of HF's whole-text run.
 *
 * Where a cut is harmless: before a ' ' that has a printable, non-space ASCII character on each
 * side ("x| y"). Running "...x" and " y..." separately then gives the same pieces as running
 * "...x y..." when every step of the pipeline is local there:
 *  - the normalizer works character by character (Bert, NFC/NFD/NFKC/NFKD, Lowercase,
 *    StripAccents, Nmt) or grapheme by grapheme (Precompiled; the cut is a grapheme boundary:
 *    ' ' is not Extend/SpacingMark and ASCII is not Prepend), and each of its steps keeps ' ' as
 *    ' ' and never turns a printable ASCII character into white space or nothing (checked at load
 *    by normalizing each one), so the normalized chunks are the pieces of the normalized whole
 *    and chunk 2 starts with ' ' aligned to the same input byte. NFC cannot compose across the
 *    cut (no composition has ASCII or ' ' as its second character). Replace is local when its
 *    matches cannot take in the cut's lone space and its output puts no white space next to it
 *    (SentencePiece's " {2,}", or a literal and a non-empty replacement without white space);
 *    a right Strip then finds no white space at the end of any chunk but the last, which holds
 *    all of the text's. A left Strip, Prepend, ByteLevel and other Replaces are not local: texts
 *    with them run whole;
 *  - the pre-tokenizer (or the first of a Sequence, after which every piece lies on one side and
 *    is handled on its own) always cuts there: Bert, Whitespace, WhitespaceSplit and
 *    CharDelimiterSplit(' ') drop the space and split; Metaspace (split = true) starts a piece at
 *    the '▁' it makes of it and, the chunk starting with it, prepends nothing; ByteLevel's GPT-2
 *    regex never matches across "x| " (no alternative takes a space after a non-space, and its
 *    lookahead only follows white space) and adds no prefix space to a chunk that starts with ' ';
 *  - added tokens matched on normalized text cannot straddle the cut unless their normalized
 *    content holds a ' ', and cannot reach over it unless they strip (rstrip/lstrip): either
 *    one makes texts run whole;
 *  - the model sees each pre-token alone anyway, and word ids count the pre-tokens of the whole
 *    sequence (the caller carries the count from chunk to chunk). */
#include <string.h>

#include "text/normalizers_internal.h" /* read-only use of the normalizer's kind and flags */
#include "text/pretok_impl.h"          /* read-only use of the pre-tokenizer's kind and flags */
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

static int has_white_space(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    size_t used = 0;
    uint32_t cp = tt_utf8_decode(s + i, len - i, &used);
    if (!used || tt_uc_is_white_space(cp)) return 1;
    i += used;
  }
  return 0;
}

static int normalizer_is_local(const tt_normalizer *n) {
  switch (n->kind) {
    case TT_NORM_BERT:
    case TT_NORM_NFC:
    case TT_NORM_NFD:
    case TT_NORM_NFKC:
    case TT_NORM_NFKD:
    case TT_NORM_LOWERCASE:
    case TT_NORM_STRIP_ACCENTS:
    case TT_NORM_NMT:
    case TT_NORM_PRECOMPILED: return 1;
    case TT_NORM_STRIP: return !n->strip_left;
    case TT_NORM_REPLACE:
      /* SentencePiece's " {2,}" never touches the single space of a cut; a literal without
       * white space cannot match across one, and a non-empty replacement without white space
       * leaves the text on both sides of it without */
      if (n->regex) return n->str_len == 5 && memcmp(n->str, " {2,}", 5) == 0;
      return n->str_len > 0 && !has_white_space(n->str, n->str_len) && n->content_len > 0 &&
             !has_white_space(n->content, n->content_len);
    case TT_NORM_SEQUENCE:
      for (size_t i = 0; i < n->n_children; i++)
        if (!normalizer_is_local(n->children[i])) return 0;
      return 1;
    default: return 0;
  }
}

/* Applies n to ns step by step (the leaves of a Sequence one after the other) and says whether
 * the text stayed acceptable after every step (see ascii_image_ok). */
static int steps_ok(const tt_normalizer *n, tt_nstr *ns, int is_space) {
  if (n->kind == TT_NORM_SEQUENCE) {
    for (size_t i = 0; i < n->n_children; i++)
      if (!steps_ok(n->children[i], ns, is_space)) return 0;
    return 1;
  }
  /* the cut's space is inside the text, where a Strip does nothing */
  if (is_space && n->kind == TT_NORM_STRIP) return 1;
  tetra_error err;
  if (tt_normalizer_apply(n, ns, &err) != TETRA_OK) return 0;
  if (is_space) return ns->len == 1 && ns->text[0] == ' ';
  return ns->len > 0 && !has_white_space(ns->text, ns->len);
}

static int pretokenizer_cuts_at_space(const tt_pretokenizer *p) {
  switch (p->kind) {
    case TT_PT_BERT:
    case TT_PT_WHITESPACE:
    case TT_PT_WHITESPACE_SPLIT: return 1;
    case TT_PT_BYTE_LEVEL: return p->use_regex;
    case TT_PT_METASPACE: return p->split;
    case TT_PT_CHAR_DELIMITER: return p->replacement == ' ';
    case TT_PT_SEQUENCE: return p->n_children > 0 && pretokenizer_cuts_at_space(p->children[0]);
    default: return 0;
  }
}

/* What each step of the normalizer makes of one ASCII character: ' ' must stay ' ', the others
 * must give something without white space (so that a right Strip has nothing to take from a
 * chunk's end, and the cut's space stays a lone one). 1 when it does, 0 otherwise. */
static int ascii_image_ok(const tt_normalizer *n, const tetra_allocator *a, char c) {
  tt_nstr ns;
  tetra_error err;
  if (tt_nstr_init(&ns, a, &c, 1, 0, &err)) return 0;
  int ok = steps_ok(n, &ns, c == ' ');
  tt_nstr_free(&ns);
  return ok;
}

int tt_chunk_allowed(const struct tetra_tokenizer *tok) {
  if (!tok->pretokenizer || !pretokenizer_cuts_at_space(tok->pretokenizer)) return 0;
  if (tok->normalizer) {
    if (!normalizer_is_local(tok->normalizer)) return 0;
    for (int c = 0x20; c < 0x7F; c++)
      if (!ascii_image_ok(tok->normalizer, tok->alloc, (char)c)) return 0;
  }
  const tt_added_vocab *av = &tok->added;
  if (av->alloc && !av->norm.empty) {
    for (uint32_t i = 0; i < av->norm.n; i++)
      if (av->norm.nodes[i].byte == ' ' && i > 0) return 0;
    for (size_t i = 0; i < av->n_defs; i++)
      if (av->defs[i].normalized && (av->defs[i].lstrip || av->defs[i].rstrip)) return 0;
  }
  return 1;
}

static int printable(char c) { return c > ' ' && c < 0x7F; }

uint32_t tt_chunk_cut(const char *text, uint32_t start, uint32_t end, uint32_t target) {
  if (end - start <= target + target / 2) return end; /* no short last chunk */
  for (uint32_t p = start + target; p + 1 < end; p++) {
    const char *t = memchr(text + p, ' ', end - 1 - p);
    if (!t) break;
    p = (uint32_t)(t - text);
    if (printable(text[p - 1]) && printable(text[p + 1])) return p;
  }
  return end;
}
