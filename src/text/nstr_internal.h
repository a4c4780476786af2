/* Helpers shared by the files that build and edit normalized strings (nstr.c, nstr_edit.c,
 * nstr_unicode.c, normalizer_ops.c). Not an interface for the other components: they use nstr.h.
 *
 * The UTF-8 helpers need no Unicode tables. The text is valid UTF-8 by contract; they never read
 * past len even when it is not. */
#ifndef TETRA_TEXT_NSTR_INTERNAL_H
#define TETRA_TEXT_NSTR_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "text/nstr.h"

/* Length of the UTF-8 sequence that lead byte b starts (1 for a stray continuation byte). */
static inline uint32_t tt_nstr_seq_len(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

/* Bytes of the character at pos of a text of len bytes (pos < len). */
static inline uint32_t tt_nstr_char_len(const char *s, uint32_t pos, uint32_t len) {
  uint32_t n = tt_nstr_seq_len((unsigned char)s[pos]);
  return pos + n > len ? len - pos : n;
}

/* Decodes the character at *pos (< len) and moves *pos past it. */
static inline uint32_t tt_nstr_next_cp(const char *s, uint32_t len, uint32_t *pos) {
  const unsigned char *p = (const unsigned char *)s + *pos;
  uint32_t n = tt_nstr_char_len(s, *pos, len);
  *pos += n;
  switch (n) {
    case 1: return p[0];
    case 2: return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3: return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
      return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
             ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
}

static inline size_t tt_nstr_count_chars(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

static inline int tt_nstr_is_ascii(const tt_nstr *ns) {
  unsigned char any = 0;
  for (uint32_t i = 0; i < ns->len; i++) any |= (unsigned char)ns->text[i];
  return any < 0x80;
}

/* Whether HF's transform() covers the whole text (see tt_nstr_transform: it does not when the
 * first byte is aligned to an empty span or the original is empty). When it does, a character
 * rewritten one for one keeps the alignment of its first input byte and a removed one simply
 * disappears, so such edits can be made in place; and rebuilding the same characters is the
 * identity, so it can be skipped. */
static inline int tt_nstr_transform_is_whole(const tt_nstr *ns) {
  if (ns->len == 0) return 1;
  return ns->original.start != ns->original.end && ns->align[0].start != ns->align[0].end;
}

/* Fresh buffers for len bytes (text gets a NUL after them); nothing is allocated on failure. */
tetra_status tt_nstr_alloc_buffers(const tetra_allocator *a, uint32_t len, char **text,
                                   tt_span **align, tetra_error *err);
/* Room for n transformation changes (at least one); NULL, with err set, when out of memory. */
tt_cpchange *tt_nstr_alloc_changes(const tt_nstr *ns, size_t n, tetra_error *err);
/* Frees ns's buffers and takes text and align (len bytes, text NUL-terminated) instead. */
void tt_nstr_adopt(tt_nstr *ns, char *text, tt_span *align, uint32_t len);

#endif
