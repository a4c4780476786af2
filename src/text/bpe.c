/* BPE (HF tokenizers/src/models/bpe/model.rs and word.rs), deterministic (dropout null or 0).
 *
 * A word starts as one symbol per character (with the continuing-subword prefix on all but the
 * first and the end-of-word suffix on the last, when the model has them); characters missing from
 * the vocabulary become <0xXX> byte tokens (byte_fallback), an unk token (fused with its unknown
 * neighbours when fuse_unk), or nothing at all when there is no unk token, exactly as HF. Then
 * merges are applied as HF's Word::merge_all does: a min-heap of (rank, position) candidates,
 * stale entries skipped when the pair at that position no longer produces the same token. Any
 * other merge order can differ from HF's on words where merges overlap, so this one is kept.
 *
 * Speed: the pair -> (rank, new id) table is keyed by the two ids (open addressing), characters are
 * looked up through a direct ASCII table and a code point table, the symbol and heap arrays are
 * scratch memory kept by the model, and a small set-associative cache of recent words (bounded,
 * storing the exact result of the merge) skips the whole computation for repeated words. */
#include <stdio.h>
#include <string.h>

#include "text/model_impl.h"

typedef struct bpe_merge {
  uint32_t a, b; /* a == UINT32_MAX: empty slot */
  uint32_t rank, new_id;
} bpe_merge;

typedef struct bpe_cp {
  uint32_t cp; /* UINT32_MAX: empty slot */
  uint32_t id;
} bpe_cp;

typedef struct bpe_sym {
  uint32_t c;
  int32_t prev, next;
  uint32_t len; /* bytes; 0 once merged into its left neighbour */
} bpe_sym;

typedef struct bpe_item {
  uint32_t rank, pos, new_id;
} bpe_item;

/* A cached word: its bytes and its tokens' ids and byte lengths. The cache is 2-way set
 * associative (the most recently used way first): on e-mail text, 16384 entries hold ~82% of the
 * words, a direct-mapped table of the same size ~80%, 4096 entries ~72%. */
#define CACHE_KEY_MAX 30
#define CACHE_TOK_MAX 10
#define CACHE_MAX_SLOTS 16384u
typedef struct bpe_cache_slot {
  uint32_t hash;
  uint8_t key_len; /* 0: empty (empty words are never looked up) */
  uint8_t n;
  char key[CACHE_KEY_MAX];
  uint32_t ids[CACHE_TOK_MAX];
  uint8_t lens[CACHE_TOK_MAX];
} bpe_cache_slot;

struct tt_bpe {
  bpe_merge *merges;
  uint32_t merge_mask;
  /* character -> id, only when there is neither a prefix nor a suffix (else lookups go through
   * the vocabulary map with the affixes added) */
  int char_tables;
  uint32_t ascii[128];
  bpe_cp *cps;
  uint32_t cp_mask;
  uint32_t byte_ids[256]; /* <0xXX> ids, TT_NO_ID when missing */
  int byte_fallback, fuse_unk, ignore_merges;
  int has_unk_token, unk_in_vocab;
  uint32_t unk_id;
  char unk_name[64];
  char *prefix, *suffix; /* NULL when absent */
  size_t prefix_len, suffix_len;
  /* scratch */
  bpe_sym *syms;
  size_t syms_cap;
  bpe_item *heap;
  size_t heap_n, heap_cap;
  char *buf;
  size_t buf_cap;
  /* cache */
  bpe_cache_slot *cache; /* 2 * (set_mask + 1) slots, NULL when off */
  uint32_t set_mask;
};

/* ---- small helpers --------------------------------------------------------------------------- */
static inline uint32_t pair_slot(uint32_t a, uint32_t b, uint32_t mask) {
  uint64_t k = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ull;
  return (uint32_t)(k >> 32) & mask;
}

static inline const bpe_merge *find_merge(const struct tt_bpe *bp, uint32_t a, uint32_t b) {
  uint32_t i = pair_slot(a, b, bp->merge_mask);
  for (;;) {
    const bpe_merge *e = &bp->merges[i];
    if (e->a == a && e->b == b) return e;
    if (e->a == UINT32_MAX) return NULL;
    i = (i + 1) & bp->merge_mask;
  }
}

static inline uint32_t cp_slot(uint32_t cp, uint32_t mask) {
  uint32_t h = cp * 0x9E3779B1u;
  return (h ^ h >> 16) & mask;
}

static inline int utf8_seq_len(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

static inline uint32_t utf8_cp(const unsigned char *s, int n) {
  switch (n) {
    case 1: return s[0];
    case 2: return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    case 3: return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    default:
      return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
             (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
  }
}

/* Grows a scratch array to hold at least n elements of size sz (contents kept). */
static int grow(const tetra_allocator *a, void **p, size_t *cap, size_t n, size_t sz) {
  if (n <= *cap) return 1;
  size_t c = *cap ? *cap : 64;
  while (c < n) c *= 2;
  if (c > SIZE_MAX / sz) return 0;
  void *q = tetra_alloc(a, c * sz);
  if (!q) return 0;
  if (*cap) memcpy(q, *p, *cap * sz);
  tetra_free(a, *p);
  *p = q;
  *cap = c;
  return 1;
}

static void bpe_release(tt_model *m, struct tt_bpe *bp) {
  if (!bp) return;
  const tetra_allocator *a = m->alloc;
  tetra_free(a, bp->merges);
  tetra_free(a, bp->cps);
  tetra_free(a, bp->prefix);
  tetra_free(a, bp->suffix);
  tetra_free(a, bp->syms);
  tetra_free(a, bp->heap);
  tetra_free(a, bp->buf);
  tetra_free(a, bp->cache);
  tetra_free(a, bp);
}

static char *dup_bytes(const tetra_allocator *a, const char *s, size_t n) {
  char *d = tetra_alloc(a, n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* ---- loading --------------------------------------------------------------------------------- */
static tetra_status add_merge(tt_model *m, struct tt_bpe *bp, const char *path, uint32_t index,
                              uint32_t rank, const char *a, size_t alen, const char *b, size_t blen,
                              tetra_error *err) {
  uint32_t a_id, b_id, new_id;
  if (!tt_vocab_get(&m->vocab, a, alen, &a_id))
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.merges[%u]: \"%.*s\" is not in %s.vocab", path,
                           index, (int)(alen > 60 ? 60 : alen), a, path);
  if (!tt_vocab_get(&m->vocab, b, blen, &b_id))
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.merges[%u]: \"%.*s\" is not in %s.vocab", path,
                           index, (int)(blen > 60 ? 60 : blen), b, path);
  /* HF forms the merged token as a + b[prefix_len..] whether or not b starts with the prefix. */
  size_t cut = bp->prefix_len;
  if (blen < cut || (cut < blen && ((unsigned char)b[cut] & 0xC0) == 0x80))
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.merges[%u]: \"%.*s\" cannot lose the %zu-byte "
                           "continuing_subword_prefix",
                           path, index, (int)(blen > 60 ? 60 : blen), b, cut);
  if (!grow(m->alloc, (void **)&bp->buf, &bp->buf_cap, alen + blen - cut + 1, 1))
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s.merges: out of memory",
                           path);
  memcpy(bp->buf, a, alen);
  memcpy(bp->buf + alen, b + cut, blen - cut);
  if (!tt_vocab_get(&m->vocab, bp->buf, alen + blen - cut, &new_id))
    return tetra_error_set(
        err, TETRA_ERR_FORMAT,
        "tokenizer.json: %s.merges[%u]: the merged token \"%.*s\" is not in %s.vocab", path, index,
        (int)(alen + blen - cut > 60 ? 60 : alen + blen - cut), bp->buf, path);
  uint32_t i = pair_slot(a_id, b_id, bp->merge_mask);
  while (bp->merges[i].a != UINT32_MAX && !(bp->merges[i].a == a_id && bp->merges[i].b == b_id))
    i = (i + 1) & bp->merge_mask;
  /* a repeated pair keeps its last rank, as HF's HashMap collect does */
  bp->merges[i].a = a_id;
  bp->merges[i].b = b_id;
  bp->merges[i].rank = rank;
  bp->merges[i].new_id = new_id;
  return TETRA_OK;
}

static tetra_status load_merges(tt_model *m, struct tt_bpe *bp, const tetra_json *merges,
                                const char *path, tetra_error *err) {
  if (merges->type != TETRA_JSON_ARRAY)
    return tetra_error_set(
        err, TETRA_ERR_FORMAT,
        "tokenizer.json: %s.merges: expected an array of \"a b\" strings or [a, b] pairs, found %s",
        path, tt_json_type_of(merges));
  uint32_t n = merges->len;
  size_t slots = 16;
  while (slots < (size_t)n * 2) slots *= 2;
  if (slots > ((size_t)1 << 30))
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer.json: %s.merges: too many merges",
                           path);
  bp->merges = tetra_alloc(m->alloc, slots * sizeof *bp->merges);
  if (!bp->merges)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s.merges: out of memory",
                           path);
  bp->merge_mask = (uint32_t)(slots - 1);
  for (size_t i = 0; i < slots; i++) bp->merges[i].a = UINT32_MAX;
  if (n == 0) return TETRA_OK;

  /* serde's untagged MergeType: all [a, b] pairs, or else all strings. */
  int pairs = merges->u.items[0].type == TETRA_JSON_ARRAY;
  uint32_t rank = 0;
  for (uint32_t i = 0; i < n; i++) {
    const tetra_json *it = &merges->u.items[i];
    const char *a, *b;
    size_t alen, blen;
    if (pairs) {
      if (it->type != TETRA_JSON_ARRAY || it->len != 2 ||
          it->u.items[0].type != TETRA_JSON_STRING || it->u.items[1].type != TETRA_JSON_STRING)
        return tetra_error_set(
            err, TETRA_ERR_FORMAT,
            "tokenizer.json: %s.merges[%u]: expected a pair of strings like the items before it",
            path, i);
      a = it->u.items[0].u.string;
      alen = it->u.items[0].len;
      b = it->u.items[1].u.string;
      blen = it->u.items[1].len;
    } else {
      if (it->type != TETRA_JSON_STRING)
        return tetra_error_set(err, TETRA_ERR_FORMAT,
                               "tokenizer.json: %s.merges[%u]: expected a string \"a b\" like the "
                               "items before it, found %s",
                               path, i, tt_json_type_of(it));
      /* merges.txt's "#version" header line is skipped and does not take a rank */
      if (it->len >= 8 && memcmp(it->u.string, "#version", 8) == 0) continue;
      const char *sp = memchr(it->u.string, ' ', it->len);
      if (!sp || memchr(sp + 1, ' ', it->len - (size_t)(sp + 1 - it->u.string)))
        return tetra_error_set(
            err, TETRA_ERR_FORMAT,
            "tokenizer.json: %s.merges[%u]: \"%.60s\" is not two tokens separated by one space",
            path, i, it->u.string);
      a = it->u.string;
      alen = (size_t)(sp - a);
      b = sp + 1;
      blen = it->len - alen - 1;
    }
    tetra_status st = add_merge(m, bp, path, i, rank++, a, alen, b, blen, err);
    if (st != TETRA_OK) return st;
  }
  return TETRA_OK;
}

static tetra_status build_char_tables(tt_model *m, struct tt_bpe *bp, const tetra_json *vocab,
                                      tetra_error *err) {
  for (int i = 0; i < 128; i++) bp->ascii[i] = TT_NO_ID;
  uint32_t singles = 0;
  for (uint32_t i = 0; i < vocab->len; i++) {
    const tetra_json *k = &vocab->u.items[2 * i];
    if (k->len > 1 && k->len <= 4 && utf8_seq_len((unsigned char)k->u.string[0]) == (int)k->len)
      singles++;
  }
  size_t slots = 16;
  while (slots < (size_t)singles * 2) slots *= 2;
  bp->cps = tetra_alloc(m->alloc, slots * sizeof *bp->cps);
  if (!bp->cps)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: model: out of memory");
  bp->cp_mask = (uint32_t)(slots - 1);
  for (size_t i = 0; i < slots; i++) bp->cps[i].cp = UINT32_MAX;
  for (uint32_t i = 0; i < vocab->len; i++) {
    const tetra_json *k = &vocab->u.items[2 * i];
    uint32_t id = (uint32_t)vocab->u.items[2 * i + 1].u.number;
    const unsigned char *s = (const unsigned char *)k->u.string;
    if (k->len == 1 && s[0] < 128) {
      bp->ascii[s[0]] = id;
    } else if (k->len > 1 && k->len <= 4 && utf8_seq_len(s[0]) == (int)k->len) {
      uint32_t cp = utf8_cp(s, (int)k->len);
      uint32_t j = cp_slot(cp, bp->cp_mask);
      while (bp->cps[j].cp != UINT32_MAX && bp->cps[j].cp != cp) j = (j + 1) & bp->cp_mask;
      bp->cps[j].cp = cp;
      bp->cps[j].id = id;
    }
  }
  bp->char_tables = 1;
  return TETRA_OK;
}

tetra_status tt_bpe_load(tt_model *m, const tetra_json *j, const char *path, tetra_error *err) {
  const tetra_json *vocab = tetra_json_get(j, "vocab");
  const tetra_json *merges = tetra_json_get(j, "merges");
  if (!vocab || !merges)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s: missing field \"%s\"", path,
                           vocab ? "merges" : "vocab");
  const tetra_json *dropout = tetra_json_get(j, "dropout");
  if (dropout && dropout->type != TETRA_JSON_NULL) {
    if (dropout->type != TETRA_JSON_NUMBER)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.json: %s.dropout: expected a number or null, found %s",
                             path, tt_json_type_of(dropout));
    double p = dropout->u.number;
    if (!(p >= 0.0 && p <= 1.0))
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.json: %s.dropout: %g is not between 0 and 1", path, p);
    /* dropout makes encoding random; tetra is deterministic */
    if (p != 0.0)
      return tetra_error_set(
          err, TETRA_ERR_UNSUPPORTED,
          "tokenizer.json: %s.dropout: BPE dropout %g is not supported (only null or 0)", path, p);
  }
  const char *unk, *prefix, *suffix;
  size_t unk_len, prefix_len, suffix_len;
  int fuse_unk, byte_fallback, ignore_merges, has_cap;
  uint64_t cache_cap;
  tetra_status st = tt_json_opt_string(j, path, "unk_token", &unk, &unk_len, err);
  if (st == TETRA_OK)
    st = tt_json_opt_string(j, path, "continuing_subword_prefix", &prefix, &prefix_len, err);
  if (st == TETRA_OK)
    st = tt_json_opt_string(j, path, "end_of_word_suffix", &suffix, &suffix_len, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "fuse_unk", 0, &fuse_unk, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "byte_fallback", 0, &byte_fallback, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "ignore_merges", 0, &ignore_merges, err);
  /* not part of HF's JSON (a builder option there), accepted as tetra's extension: 0 = no cache */
  if (st == TETRA_OK)
    st = tt_json_uint(j, path, "cache_capacity", UINT32_MAX, &cache_cap, &has_cap, err);
  if (st != TETRA_OK) return st;
  if (!has_cap) cache_cap = 10000; /* HF's DEFAULT_CACHE_CAPACITY */

  st = tt_vocab_from_field(&m->vocab, j, path, m->alloc, err);
  if (st != TETRA_OK) return st;
  struct tt_bpe *bp = tetra_alloc(m->alloc, sizeof *bp);
  if (!bp) {
    tt_vocab_free(&m->vocab, m->alloc);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
  }
  memset(bp, 0, sizeof *bp);
  bp->byte_fallback = byte_fallback;
  bp->fuse_unk = fuse_unk;
  bp->ignore_merges = ignore_merges;
  if (unk) {
    bp->has_unk_token = 1;
    bp->unk_in_vocab = tt_vocab_get(&m->vocab, unk, unk_len, &bp->unk_id);
    snprintf(bp->unk_name, sizeof bp->unk_name, "%s", unk);
  }
  if (prefix && !(bp->prefix = dup_bytes(m->alloc, prefix, prefix_len)))
    st = TETRA_ERR_OUT_OF_MEMORY;
  if (suffix && !(bp->suffix = dup_bytes(m->alloc, suffix, suffix_len)))
    st = TETRA_ERR_OUT_OF_MEMORY;
  bp->prefix_len = prefix ? prefix_len : 0;
  bp->suffix_len = suffix ? suffix_len : 0;
  if (st != TETRA_OK) st = tetra_error_set(err, st, "tokenizer.json: %s: out of memory", path);
  for (int b = 0; b < 256; b++) {
    char name[8];
    snprintf(name, sizeof name, "<0x%02X>", b);
    if (!tt_vocab_get(&m->vocab, name, 6, &bp->byte_ids[b])) bp->byte_ids[b] = TT_NO_ID;
  }
  if (st == TETRA_OK) st = load_merges(m, bp, merges, path, err);
  /* empty affixes change nothing, so they keep the fast character tables too */
  if (st == TETRA_OK && bp->prefix_len == 0 && bp->suffix_len == 0)
    st = build_char_tables(m, bp, vocab, err);
  if (st == TETRA_OK && cache_cap > 0) {
    uint32_t slots = 64;
    while (slots < cache_cap && slots < CACHE_MAX_SLOTS) slots *= 2;
    bp->cache = tetra_alloc(m->alloc, slots * sizeof *bp->cache);
    if (!bp->cache)
      st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
    else {
      for (uint32_t i = 0; i < slots; i++) bp->cache[i].key_len = 0;
      bp->set_mask = slots / 2 - 1;
    }
  }
  if (st != TETRA_OK) {
    bpe_release(m, bp);
    tt_vocab_free(&m->vocab, m->alloc);
    return st;
  }
  m->impl = bp;
  return TETRA_OK;
}

void tt_bpe_free(tt_model *m) {
  bpe_release(m, m->impl);
  m->impl = NULL;
}

/* ---- encoding -------------------------------------------------------------------------------- */
static inline void add_sym(bpe_sym *syms, size_t *n, uint32_t c, uint32_t len) {
  size_t i = *n;
  syms[i].c = c;
  syms[i].len = len;
  syms[i].next = -1;
  syms[i].prev = (int32_t)i - 1;
  if (i) syms[i - 1].next = (int32_t)i;
  *n = i + 1;
}

/* The vocabulary id of one character with its affixes, or TT_NO_ID. The affixed string is left in
 * bp->buf (for byte fallback); *slen gets its length. */
static uint32_t char_id(tt_model *m, struct tt_bpe *bp, const unsigned char *s, int clen, int first,
                        int last, size_t *slen) {
  if (bp->char_tables) {
    *slen = (size_t)clen;
    if (clen == 1) return s[0] < 128 ? bp->ascii[s[0]] : TT_NO_ID;
    uint32_t cp = utf8_cp(s, clen);
    uint32_t j = cp_slot(cp, bp->cp_mask);
    for (;;) {
      if (bp->cps[j].cp == cp) return bp->cps[j].id;
      if (bp->cps[j].cp == UINT32_MAX) return TT_NO_ID;
      j = (j + 1) & bp->cp_mask;
    }
  }
  size_t n = 0;
  char *buf = bp->buf; /* sized by the caller */
  if (!first && bp->prefix) {
    memcpy(buf, bp->prefix, bp->prefix_len);
    n = bp->prefix_len;
  }
  memcpy(buf + n, s, (size_t)clen);
  n += (size_t)clen;
  if (last && bp->suffix) {
    memcpy(buf + n, bp->suffix, bp->suffix_len);
    n += bp->suffix_len;
  }
  *slen = n;
  uint32_t id;
  return tt_vocab_get(&m->vocab, buf, n, &id) ? id : TT_NO_ID;
}

static tetra_status unk_missing(const struct tt_bpe *bp, tetra_error *err) {
  return tetra_error_set(err, TETRA_ERR_FORMAT,
                         "BPE: the unk_token \"%s\" is not in the vocabulary, and a word needs it",
                         bp->unk_name);
}

/* Splits the word into initial symbols (HF BPE::merge_word before merge_all). */
static tetra_status initial_symbols(tt_model *m, struct tt_bpe *bp, const unsigned char *s,
                                    uint32_t len, size_t *n_out, tetra_error *err) {
  size_t n = 0;
  int pending = 0; /* an unk symbol not yet added (so that the next unknown can fuse into it) */
  uint32_t pending_len = 0;
  uint32_t i = 0;
  while (i < len) {
    int clen = utf8_seq_len(s[i]);
    if ((uint32_t)clen > len - i) clen = (int)(len - i);
    int first = i == 0, last = i + (uint32_t)clen == len;
    size_t slen;
    uint32_t id = char_id(m, bp, s + i, clen, first, last, &slen);
    if (id != TT_NO_ID) {
      if (pending) {
        add_sym(bp->syms, &n, bp->unk_id, pending_len);
        pending = 0;
      }
      add_sym(bp->syms, &n, id, (uint32_t)clen);
      i += (uint32_t)clen;
      continue;
    }
    if (bp->byte_fallback) {
      /* every byte of the affixed string needs its <0xXX> token, or none is used */
      const unsigned char *bytes = bp->char_tables ? s + i : (const unsigned char *)bp->buf;
      size_t k = 0;
      while (k < slen && bp->byte_ids[bytes[k]] != TT_NO_ID) k++;
      if (k == slen) {
        /* HF does not flush a pending unk here: it comes after these bytes */
        for (k = 0; k < slen; k++) add_sym(bp->syms, &n, bp->byte_ids[bytes[k]], 1);
        i += (uint32_t)clen;
        continue;
      }
    }
    if (bp->has_unk_token) {
      if (!bp->unk_in_vocab) return unk_missing(bp, err);
      if (pending && bp->fuse_unk) {
        pending_len += (uint32_t)clen;
      } else {
        if (pending) add_sym(bp->syms, &n, bp->unk_id, pending_len);
        pending = 1;
        pending_len = (uint32_t)clen;
      }
    }
    /* with no unk token the character is dropped, as HF does */
    i += (uint32_t)clen;
  }
  if (pending) add_sym(bp->syms, &n, bp->unk_id, pending_len);
  *n_out = n;
  return TETRA_OK;
}

static inline int item_less(const bpe_item *x, const bpe_item *y) {
  return x->rank < y->rank || (x->rank == y->rank && x->pos < y->pos);
}

static int heap_reserve(tt_model *m, struct tt_bpe *bp) {
  return grow(m->alloc, (void **)&bp->heap, &bp->heap_cap, bp->heap_n + 1, sizeof *bp->heap);
}

static inline int heap_push(tt_model *m, struct tt_bpe *bp, uint32_t rank, uint32_t pos,
                            uint32_t new_id) {
  if (bp->heap_n == bp->heap_cap && !heap_reserve(m, bp)) return 0;
  bpe_item it = {rank, pos, new_id};
  size_t i = bp->heap_n++;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!item_less(&it, &bp->heap[parent])) break;
    bp->heap[i] = bp->heap[parent];
    i = parent;
  }
  bp->heap[i] = it;
  return 1;
}

static bpe_item heap_pop(struct tt_bpe *bp) {
  bpe_item top = bp->heap[0];
  bpe_item last = bp->heap[--bp->heap_n];
  size_t n = bp->heap_n, i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && item_less(&bp->heap[c + 1], &bp->heap[c])) c++;
    if (!item_less(&bp->heap[c], &last)) break;
    bp->heap[i] = bp->heap[c];
    i = c;
  }
  if (n) bp->heap[i] = last;
  return top;
}

/* HF Word::merge_all without dropout. */
static tetra_status merge_all(tt_model *m, struct tt_bpe *bp, size_t n, tetra_error *err) {
  bpe_sym *sy = bp->syms;
  bp->heap_n = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    const bpe_merge *mg = find_merge(bp, sy[i].c, sy[i + 1].c);
    if (mg && !heap_push(m, bp, mg->rank, (uint32_t)i, mg->new_id)) goto oom;
  }
  while (bp->heap_n) {
    bpe_item top = heap_pop(bp);
    bpe_sym *cur = &sy[top.pos];
    if (cur->len == 0 || cur->next == -1) continue;
    size_t next_pos = (size_t)cur->next;
    bpe_sym right = sy[next_pos];
    const bpe_merge *mg = find_merge(bp, cur->c, right.c);
    if (!mg || mg->new_id != top.new_id) continue; /* stale */
    cur->c = top.new_id;
    cur->len += right.len;
    cur->next = right.next;
    sy[next_pos].len = 0;
    if (right.next > -1 && (size_t)right.next < n) sy[right.next].prev = (int32_t)top.pos;
    if (cur->prev >= 0) {
      mg = find_merge(bp, sy[cur->prev].c, cur->c);
      if (mg && !heap_push(m, bp, mg->rank, (uint32_t)cur->prev, mg->new_id)) goto oom;
    }
    if (cur->next >= 0 && (size_t)cur->next < n) {
      mg = find_merge(bp, cur->c, sy[cur->next].c);
      if (mg && !heap_push(m, bp, mg->rank, top.pos, mg->new_id)) goto oom;
    }
  }
  return TETRA_OK;
oom:
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "BPE: out of memory");
}

static inline uint32_t clamp_u32(uint64_t v, uint32_t max) { return v > max ? max : (uint32_t)v; }

tetra_status tt_bpe_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                             tetra_error *err) {
  struct tt_bpe *bp = m->impl;
  if (len == 0) return TETRA_OK;
  uint32_t id;
  if (bp->ignore_merges && tt_vocab_get(&m->vocab, text, len, &id))
    return tt_tokens_push(out, id, 0, len, err);

  bpe_cache_slot *set = NULL;
  uint32_t h = 0;
  if (bp->cache && len <= CACHE_KEY_MAX) {
    h = tt_hash_bytes(text, len);
    set = &bp->cache[2 * (h & bp->set_mask)];
    for (int way = 0; way < 2; way++) {
      bpe_cache_slot *slot = &set[way];
      if (slot->key_len != len || slot->hash != h || memcmp(slot->key, text, len) != 0) continue;
      if (way == 1) { /* keep the most recently used entry first */
        bpe_cache_slot t = set[0];
        set[0] = set[1];
        set[1] = t;
        slot = &set[0];
      }
      uint64_t pos = 0;
      for (uint32_t i = 0; i < slot->n; i++) {
        uint32_t start = clamp_u32(pos, len);
        pos += slot->lens[i];
        tetra_status st = tt_tokens_push(out, slot->ids[i], start, clamp_u32(pos, len), err);
        if (st != TETRA_OK) return st;
      }
      return TETRA_OK;
    }
  }

  /* at most one symbol per byte, or per byte of an affixed character with byte fallback */
  size_t per_byte = 1 + bp->prefix_len + bp->suffix_len;
  if (len > SIZE_MAX / sizeof(bpe_sym) / per_byte)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "BPE: a word of %u bytes is too long", len);
  size_t max_syms = (size_t)len * per_byte;
  if (!grow(m->alloc, (void **)&bp->syms, &bp->syms_cap, max_syms, sizeof *bp->syms) ||
      !grow(m->alloc, (void **)&bp->buf, &bp->buf_cap, bp->prefix_len + bp->suffix_len + 8, 1))
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "BPE: out of memory");
  size_t n = 0;
  tetra_status st = initial_symbols(m, bp, (const unsigned char *)text, len, &n, err);
  if (st == TETRA_OK && n > 1) st = merge_all(m, bp, n, err);
  if (st != TETRA_OK) return st;

  size_t base = out->n;
  uint64_t pos = 0;
  int cacheable = set != NULL;
  uint32_t ids[CACHE_TOK_MAX];
  uint8_t lens[CACHE_TOK_MAX];
  uint8_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const bpe_sym *sy = &bp->syms[i];
    if (sy->len == 0) continue;
    /* Offsets can only pass the word's end with byte fallback on affixed characters; clamp them. */
    uint32_t start = clamp_u32(pos, len);
    pos += sy->len;
    st = tt_tokens_push(out, sy->c, start, clamp_u32(pos, len), err);
    if (st != TETRA_OK) {
      out->n = base;
      return st;
    }
    if (cacheable) {
      if (k == CACHE_TOK_MAX || sy->len > 255) {
        cacheable = 0;
      } else {
        ids[k] = sy->c;
        lens[k] = (uint8_t)sy->len;
        k++;
      }
    }
  }
  if (cacheable) {
    bpe_cache_slot *slot = &set[0];
    set[1] = set[0];
    slot->hash = h;
    slot->key_len = (uint8_t)len;
    slot->n = k;
    memcpy(slot->key, text, len);
    memcpy(slot->ids, ids, k * sizeof ids[0]);
    memcpy(slot->lens, lens, k);
  }
  return TETRA_OK;
}
