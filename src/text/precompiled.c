/* SentencePiece's precompiled charsmap normalizer, matching HF tokenizers' normalizers/precompiled.rs
 * over the crate spm_precompiled (see precompiled.h for the format). */
#include "text/precompiled.h"

#include <string.h>

#include "text/unicode.h"

struct tt_precompiled {
  const tetra_allocator *alloc;
  uint32_t *units; /* the double array */
  size_t n_units;
  char *normalized; /* replacement strings, NUL-separated, valid UTF-8 */
  size_t normalized_len;
  char path[128]; /* for errors found while normalizing */
};

/* Darts-clone unit fields, as spm_precompiled reads them. */
static int unit_has_leaf(uint32_t u) { return (u >> 8) & 1; }
static uint32_t unit_value(uint32_t u) { return u & 0x7FFFFFFFu; }
static uint32_t unit_label(uint32_t u) { return u & 0x800000FFu; }
static uint32_t unit_offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

tetra_status tt_precompiled_create(const void *charsmap, size_t len, const char *path,
                                   const tetra_allocator *a, tt_precompiled **out, tetra_error *err) {
  if (!out || (!charsmap && len))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tt_precompiled_create: NULL argument");
  if (!path) path = "normalizer";
  const unsigned char *b = charsmap;
  if (len < 4)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.precompiled_charsmap: %zu bytes, too short for the "
                           "trie size (4 bytes)",
                           path, len);
  uint32_t trie_bytes = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  /* The crate reads trie_bytes / 4 units; a remainder belongs to the normalized strings. */
  size_t n_units = trie_bytes / 4;
  if (n_units > (len - 4) / 4)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.precompiled_charsmap: the trie size says %u bytes but "
                           "only %zu follow",
                           path, trie_bytes, len - 4);
  if (n_units == 0)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.precompiled_charsmap: empty trie", path);
  const unsigned char *norm = b + 4 + 4 * n_units;
  size_t norm_len = len - 4 - 4 * n_units;
  size_t bad = tt_utf8_valid_prefix((const char *)norm, norm_len);
  if (bad != norm_len)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.precompiled_charsmap: the normalized strings are not "
                           "valid UTF-8 (byte %zu of the charsmap)",
                           path, 4 + 4 * n_units + bad);
  tt_precompiled *pc = tetra_alloc(a, sizeof *pc);
  uint32_t *units = tetra_alloc(a, n_units * sizeof *units);
  char *nb = tetra_alloc(a, norm_len + 1);
  if (!pc || !units || !nb) {
    tetra_free(a, pc);
    tetra_free(a, units);
    tetra_free(a, nb);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "tokenizer.json: %s.precompiled_charsmap: out of memory for %zu bytes",
                           path, len);
  }
  for (size_t i = 0; i < n_units; i++) {
    const unsigned char *u = b + 4 + 4 * i;
    units[i] = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
  }
  if (norm_len) memcpy(nb, norm, norm_len);
  nb[norm_len] = '\0';
  pc->alloc = a;
  pc->units = units;
  pc->n_units = n_units;
  pc->normalized = nb;
  pc->normalized_len = norm_len;
  size_t pl = strlen(path);
  if (pl >= sizeof pc->path) pl = sizeof pc->path - 1;
  memcpy(pc->path, path, pl);
  pc->path[pl] = '\0';
  *out = pc;
  return TETRA_OK;
}

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

tetra_status tt_precompiled_from_base64(const char *text, size_t len, const char *path,
                                        const tetra_allocator *a, tt_precompiled **out,
                                        tetra_error *err) {
  if (!out || (!text && len))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tt_precompiled_from_base64: NULL argument");
  if (!path) path = "normalizer";
  /* Standard alphabet with canonical padding, as the crate's BASE64_STANDARD engine requires. */
  if (len % 4 != 0)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.precompiled_charsmap: base64 length %zu is not a "
                           "multiple of 4",
                           path, len);
  size_t pad = 0;
  if (len >= 1 && text[len - 1] == '=') pad++;
  if (len >= 2 && text[len - 2] == '=') pad++;
  size_t n = len / 4 * 3 - pad;
  unsigned char *bytes = tetra_alloc(a, n ? n : 1);
  if (!bytes)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "tokenizer.json: %s.precompiled_charsmap: out of memory for %zu bytes",
                           path, n);
  size_t o = 0;
  for (size_t i = 0; i < len; i += 4) {
    int v[4];
    for (int k = 0; k < 4; k++) {
      unsigned char c = (unsigned char)text[i + (size_t)k];
      int last_group = i + 4 == len;
      if (c == '=' && last_group && (size_t)k >= 4 - pad) {
        v[k] = 0;
        continue;
      }
      v[k] = b64_value(c);
      if (v[k] < 0) {
        tetra_free(a, bytes);
        return tetra_error_set(err, TETRA_ERR_FORMAT,
                               "tokenizer.json: %s.precompiled_charsmap: invalid base64 byte 0x%02X at "
                               "offset %zu",
                               path, c, i + (size_t)k);
      }
    }
    uint32_t group = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
    size_t take = (i + 4 == len) ? 3 - pad : 3;
    if (i + 4 == len && ((pad == 1 && (group & 0xFF)) || (pad == 2 && (group & 0xFFFF)))) {
      tetra_free(a, bytes);
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.json: %s.precompiled_charsmap: invalid base64 ending (nonzero "
                             "trailing bits at offset %zu)",
                             path, len - pad - 1);
    }
    for (size_t k = 0; k < take; k++) bytes[o++] = (unsigned char)(group >> (16 - 8 * k));
  }
  tetra_status st = tt_precompiled_create(bytes, o, path, a, out, err);
  tetra_free(a, bytes);
  return st;
}

void tt_precompiled_free(tt_precompiled *pc) {
  if (!pc) return;
  const tetra_allocator *a = pc->alloc;
  tetra_free(a, pc->units);
  tetra_free(a, pc->normalized);
  tetra_free(a, pc);
}

static int malformed(const tt_precompiled *pc, tetra_error *err, const char *what, size_t at) {
  tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s.precompiled_charsmap: %s %zu is outside "
                  "the charsmap",
                  pc->path, what, at);
  return -1;
}

int tt_precompiled_lookup(const tt_precompiled *pc, const char *s, size_t len, const char **repl,
                          size_t *repl_len, tetra_error *err) {
  /* Darts common-prefix search, stopping at the first leaf (the crate's results[0]). */
  size_t node = unit_offset(pc->units[0]);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == 0) break;
    node ^= c;
    if (node >= pc->n_units) return malformed(pc, err, "trie unit", node);
    uint32_t u = pc->units[node];
    if (unit_label(u) != c) return 0;
    node ^= unit_offset(u);
    if (unit_has_leaf(u)) {
      if (node >= pc->n_units) return malformed(pc, err, "trie unit", node);
      size_t at = unit_value(pc->units[node]);
      if (at > pc->normalized_len) return malformed(pc, err, "replacement offset", at);
      if (at < pc->normalized_len && ((unsigned char)pc->normalized[at] & 0xC0) == 0x80)
        return malformed(pc, err, "replacement offset (inside a character)", at);
      *repl = pc->normalized + at;
      *repl_len = strlen(pc->normalized + at); /* up to the NUL (or the end, NUL-terminated copy) */
      return 1;
    }
  }
  return 0;
}

/* A growable list of transformations. */
typedef struct changes {
  const tetra_allocator *alloc;
  tt_cpchange *items;
  size_t n, cap;
} changes;

static tetra_status push(changes *c, uint32_t cp, int32_t change, tetra_error *err) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    tt_cpchange *items = tetra_alloc(c->alloc, cap * sizeof *items);
    if (!items)
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "Precompiled normalizer: out of memory");
    if (c->n) memcpy(items, c->items, c->n * sizeof *items);
    tetra_free(c->alloc, c->items);
    c->items = items;
    c->cap = cap;
  }
  c->items[c->n].cp = cp;
  c->items[c->n].change = change;
  c->n++;
  return TETRA_OK;
}

/* HF's replace(): old_count characters become the replacement r. Every output character first
 * replaces one (0); when the replacement is longer, the last (new - old) entries of the whole list
 * become insertions (1); when shorter, the last entry of the whole list (which may belong to an
 * earlier replacement when r is empty, or nothing at the very start) absorbs the removals.
 * tt_nstr_transform then applies this exactly as HF's transform does. */
static tetra_status replace(changes *c, const char *r, size_t rlen, int32_t old_count,
                            tetra_error *err) {
  int32_t new_count = 0;
  for (size_t i = 0; i < rlen; new_count++) {
    size_t used;
    uint32_t cp = tt_utf8_decode(r + i, rlen - i, &used);
    i += used;
    tetra_status st = push(c, cp, 0, err);
    if (st) return st;
  }
  int32_t diff = new_count - old_count;
  if (diff > 0) {
    for (size_t k = 0; k < (size_t)diff && k < c->n; k++) c->items[c->n - 1 - k].change = 1;
  } else if (diff < 0 && c->n > 0) {
    c->items[c->n - 1].change += diff;
  }
  return TETRA_OK;
}

tetra_status tt_precompiled_apply(const tt_precompiled *pc, tt_nstr *ns, tetra_error *err) {
  if (!pc || !ns)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tt_precompiled_apply: NULL argument");
  if (ns->len == 0) return TETRA_OK;
  uint32_t *cps = NULL;
  size_t n = 0;
  tetra_status st = tt_nstr_codepoints(ns, &cps, &n, err);
  if (st) return st;
  changes out = {ns->alloc, NULL, 0, 0};
  int modified = 0;
  const char *text = ns->text;
  size_t byte = 0; /* byte offset of cps[i] */
  for (size_t i = 0; i < n && st == TETRA_OK;) {
    size_t end = tt_uc_grapheme_end(cps, n, i);
    size_t gbytes = 0;
    for (size_t k = i; k < end; k++) gbytes += (size_t)tt_utf8_len((unsigned char)text[byte + gbytes]);
    const char *repl;
    size_t rlen;
    int found = 0;
    if (gbytes < 6) {
      found = tt_precompiled_lookup(pc, text + byte, gbytes, &repl, &rlen, err);
      if (found < 0) {
        st = TETRA_ERR_FORMAT;
        break;
      }
      if (found) {
        modified = 1;
        st = replace(&out, repl, rlen, (int32_t)(end - i), err);
      }
    }
    if (!found) {
      size_t b = byte;
      for (size_t k = i; k < end && st == TETRA_OK; k++) {
        size_t clen = (size_t)tt_utf8_len((unsigned char)text[b]);
        int f = tt_precompiled_lookup(pc, text + b, clen, &repl, &rlen, err);
        if (f < 0) {
          st = TETRA_ERR_FORMAT;
          break;
        }
        if (f) {
          modified = 1;
          st = replace(&out, repl, rlen, 1, err);
        } else {
          st = push(&out, cps[k], 0, err);
        }
        b += clen;
      }
    }
    byte += gbytes;
    i = end;
  }
  if (st == TETRA_OK && modified) st = tt_nstr_transform(ns, out.items, out.n, 0, err);
  tetra_free(ns->alloc, out.items);
  tetra_free(ns->alloc, cps);
  return st;
}
