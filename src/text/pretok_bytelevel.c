/* The ByteLevel pre-tokenizer (HF tokenizers/src/pre_tokenizers/byte_level.rs): an optional
 * leading space, the GPT-2 split, then every byte of every piece replaced by a printable
 * character (GPT-2's bytes_to_unicode), so that a BPE over 256 symbols sees no raw bytes.
 *
 * HF does this in three passes (prepend, split into slices, transform each slice); here one pass
 * over the split builds each output piece straight from the input bytes and alignments, with the
 * alignments HF's transform gives: a character of L bytes becomes L output characters, the first
 * aligned like the input's first byte ("replaces", change 0) and the others like the input's last
 * byte ("inserted", change 1, which takes the alignment of the byte before). */
#include <string.h>

#include "text/pretok_impl.h"
#include "text/unicode.h"

/* GPT-2's bytes_to_unicode: printable bytes ('!'..'~', 0xA1..0xAC, 0xAE..0xFF) stand for
 * themselves; the 68 others, in byte order, become U+0100.. U+0143. */
static uint32_t byte_char(unsigned char b) {
  if (b <= 0x20) return 0x100u + b;             /* 33 control and space bytes */
  if (b >= 0x7F && b <= 0xA0) return b + 0xA2u; /* 0x7F..0xA0 -> U+0121..U+0142 */
  if (b == 0xAD) return 0x143u;                 /* soft hyphen */
  return b;
}

/* Grows one text buffer and its alignments to at least n entries (contents are not kept). */
static tetra_status grow(const tetra_allocator *a, char **text, tt_span **align, size_t *cap,
                         size_t n, tetra_error *err) {
  if (n <= *cap) return TETRA_OK;
  size_t c = *cap ? *cap : 256;
  while (c < n) c *= 2;
  char *t = tetra_alloc(a, c);
  tt_span *al = tetra_alloc(a, c * sizeof *al);
  if (!t || !al) {
    tetra_free(a, t);
    tetra_free(a, al);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "pre-tokenizer: out of memory for a %zu-byte scratch buffer", c);
  }
  tetra_free(a, *text);
  tetra_free(a, *align);
  *text = t;
  *align = al;
  *cap = c;
  return TETRA_OK;
}

tetra_status tt_pt_scratch_reserve(tt_pt_scratch *s, size_t in_n, size_t out_n, tetra_error *err) {
  tetra_status st = grow(s->alloc, &s->in, &s->in_align, &s->in_cap, in_n, err);
  if (st == TETRA_OK) st = grow(s->alloc, &s->out, &s->out_align, &s->out_cap, out_n, err);
  return st;
}

void tt_pt_scratch_free(tt_pt_scratch *s) {
  tetra_free(s->alloc, s->in);
  tetra_free(s->alloc, s->in_align);
  tetra_free(s->alloc, s->out);
  tetra_free(s->alloc, s->out_align);
  tt_matches_free(&s->matches, s->alloc);
  memset(s, 0, sizeof *s);
}

tetra_status tt_pt_emit_built(tt_pretok *out, const tetra_allocator *a, const char *text,
                              const tt_span *align, uint32_t len, tt_span original,
                              tetra_error *err) {
  if (len == 0) return TETRA_OK;
  tt_nstr piece;
  tetra_status st = tt_nstr_init_aligned(&piece, a, text, align, len, original, err);
  if (st != TETRA_OK) return st;
  st = tt_pretok_push(out, &piece, NULL, 0, err);
  if (st != TETRA_OK) tt_nstr_free(&piece);
  return st;
}

/* Maps text[start, end) (whole characters; align gives each byte's original range) to its byte
 * characters and appends the result as one split. */
static tetra_status emit_mapped(tt_pretok *out, const tetra_allocator *a, const char *text,
                                const tt_span *align, uint32_t start, uint32_t end,
                                tt_span original, tt_pt_scratch *s, tetra_error *err) {
  char *map = s->out; /* room for 2 bytes per input byte, reserved by the caller */
  tt_span *map_align = s->out_align;
  uint32_t o = 0;
  uint32_t i = start;
  while (i < end) {
    unsigned char b = (unsigned char)text[i];
    if (b >= 0x21 && b <= 0x7E) { /* printable ASCII, most of the text: itself, same alignment */
      map[o] = (char)b;
      map_align[o++] = align[i++];
      continue;
    }
    int L = tt_utf8_len(b);
    if ((uint32_t)L > end - i) L = (int)(end - i); /* never past the piece, even on bad input */
    for (int k = 0; k < L; k++) {
      uint32_t cp = byte_char((unsigned char)text[i + (uint32_t)k]);
      tt_span al = k == 0 ? align[i] : align[i + (uint32_t)L - 1];
      if (cp < 0x80) {
        map[o] = (char)cp;
        map_align[o++] = al;
      } else {
        map[o] = (char)(0xC0 | (cp >> 6));
        map_align[o++] = al;
        map[o] = (char)(0x80 | (cp & 0x3F));
        map_align[o++] = al;
      }
    }
    i += (uint32_t)L;
  }
  return tt_pt_emit_built(out, a, map, map_align, o, original, err);
}

static const char GPT2_PATTERN[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const char *tt_pt_gpt2_pattern(size_t *len) {
  *len = sizeof GPT2_PATTERN - 1;
  return GPT2_PATTERN;
}

tetra_status tt_pt_byte_level(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                              tt_pt_scratch *s, tetra_error *err) {
  const tetra_allocator *a = ns->alloc;
  const char *text = ns->text;
  const tt_span *align = ns->align;
  uint32_t len = ns->len;
  /* HF prepend(" "): the space replaces the first character's place (its first byte's alignment)
   * and the first character is re-inserted after it (its last byte's alignment). */
  int prefix = p->add_prefix_space && len > 0 && text[0] != ' ';
  if (len > UINT32_MAX / 2 - 2) /* the mapped piece (up to 2 bytes a byte) must fit a tt_nstr */
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "ByteLevel pre-tokenizer: a %u-byte split is too long", len);
  tetra_status st =
      tt_pt_scratch_reserve(s, prefix ? (size_t)len + 1 : 0, 2 * ((size_t)len + 1), err);
  if (st != TETRA_OK) return st;
  if (prefix) {
    uint32_t first = (uint32_t)tt_utf8_len((unsigned char)text[0]);
    if (first > len) first = len;
    s->in[0] = ' ';
    s->in_align[0] = align[0];
    memcpy(s->in + 1, text, len);
    for (uint32_t k = 0; k < first; k++) s->in_align[1 + k] = align[first - 1];
    memcpy(s->in_align + 1 + first, align + first, (size_t)(len - first) * sizeof *align);
    text = s->in;
    align = s->in_align;
    len += 1;
  }
  if (!p->use_regex) /* no slicing in HF: the split keeps its original range */
    return emit_mapped(out, a, text, align, 0, len, ns->original, s, err);

  s->matches.n = 0;
  st = tt_regex_find_all(p->re, text, len, s->alloc, &s->matches, err);
  if (st != TETRA_OK) {
    tetra_error_prefix(err, "ByteLevel pre-tokenizer");
    return st;
  }
  /* Isolated: every match and every gap between matches is a piece. */
  uint32_t prev = 0;
  for (size_t m = 0; m <= s->matches.n && st == TETRA_OK; m++) {
    uint32_t ms = m < s->matches.n ? s->matches.spans[m].start : len;
    uint32_t me = m < s->matches.n ? s->matches.spans[m].end : len;
    if (me > len || me < ms || ms < prev)
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "ByteLevel pre-tokenizer: regex match %zu [%u, %u) is out of order "
                             "or outside the %u-byte text",
                             m, ms, me, len);
    if (prev < ms) {
      tt_span orig = {align[prev].start, align[ms - 1].end};
      st = emit_mapped(out, a, text, align, prev, ms, orig, s, err);
    }
    if (st == TETRA_OK && ms < me) {
      tt_span orig = {align[ms].start, align[me - 1].end};
      st = emit_mapped(out, a, text, align, ms, me, orig, s, err);
    }
    prev = me;
  }
  return st;
}
