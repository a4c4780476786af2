/* The working encoding and HF's Encoding operations (tokenizers/src/tokenizer/encoding.rs):
 * sequence ids, merges with their overflowing combinations, truncation into windows, padding,
 * and the export to the caller's tetra_encoding. Working encodings live in the scratch. */
#include <string.h>

#include "text/tokenizer_impl.h"

/* A merge of overflowing encodings multiplies their numbers (HF does the same); past this many the
 * call fails instead of exhausting memory. */
#define MAX_OVERFLOWING (1u << 20)

static tetra_status oom(tetra_error *err) {
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory for an encoding");
}

/* All per-token arrays in one block: six u32 columns (ids, type ids, words, offsets x2, trim),
 * then two u8 columns. */
static int alloc_arrays(tt_scratch *s, tt_enc *e, uint32_t cap) {
  if (cap < 4) cap = 4;
  if (cap > (UINT32_MAX / 2)) return 0;
  char *b = tt_scratch_alloc(s, (size_t)cap * 26);
  if (!b) return 0;
  uint32_t *u = (uint32_t *)b;
  e->ids = u;
  e->type_ids = u + cap;
  e->words = (int32_t *)(u + 2 * (size_t)cap);
  e->offsets = u + 3 * (size_t)cap;
  e->trim = u + 5 * (size_t)cap;
  e->special = (uint8_t *)(u + 6 * (size_t)cap);
  e->attn = e->special + cap;
  e->cap = cap;
  return 1;
}

tt_enc *tt_enc_new(tt_scratch *s, uint32_t cap) {
  tt_enc *e = tt_scratch_alloc(s, sizeof(tt_enc));
  if (!e) return NULL;
  memset(e, 0, sizeof *e);
  if (!alloc_arrays(s, e, cap)) return NULL;
  return e;
}

static void copy_tokens(tt_enc *dst, uint32_t at, const tt_enc *src, uint32_t from, uint32_t n) {
  if (!n) return;
  memcpy(dst->ids + at, src->ids + from, n * sizeof(uint32_t));
  memcpy(dst->type_ids + at, src->type_ids + from, n * sizeof(uint32_t));
  memcpy(dst->words + at, src->words + from, n * sizeof(int32_t));
  memcpy(dst->offsets + 2 * (size_t)at, src->offsets + 2 * (size_t)from, 2 * n * sizeof(uint32_t));
  memcpy(dst->trim + at, src->trim + from, n * sizeof(uint32_t));
  memcpy(dst->special + at, src->special + from, n);
  memcpy(dst->attn + at, src->attn + from, n);
}

tetra_status tt_enc_grow(tt_scratch *s, tt_enc *e, uint32_t cap, tetra_error *err) {
  if (cap <= e->cap) return TETRA_OK;
  if (cap > UINT32_MAX / 2) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer: more than 2^31 tokens");
  }
  tt_enc old = *e;
  if (!alloc_arrays(s, e, cap)) {
    *e = old;
    return oom(err);
  }
  copy_tokens(e, 0, &old, 0, old.len);
  /* the old block is dead (nothing else points into a working encoding's arrays): a big one goes
   * back to the heap now rather than at the end of the call */
  if (old.ids) tetra_free(&s->alloc, old.ids);
  return TETRA_OK;
}

tetra_status tt_enc_reserve(tt_scratch *s, tt_enc *e, uint32_t extra, tetra_error *err) {
  if ((uint64_t)e->len + extra <= e->cap) return TETRA_OK;
  uint64_t want = (uint64_t)e->len + extra, cap = e->cap ? e->cap : 4;
  while (cap < want) cap *= 2;
  if (cap > UINT32_MAX / 2) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer: more than 2^31 tokens");
  }
  return tt_enc_grow(s, e, (uint32_t)cap, err);
}

void tt_enc_release(tt_scratch *s, tt_enc *e) {
  if (e->ids) tetra_free(&s->alloc, e->ids); /* the block starts with ids (alloc_arrays) */
  e->ids = e->type_ids = e->offsets = e->trim = NULL;
  e->words = NULL;
  e->special = e->attn = NULL;
  e->len = e->cap = 0;
}

void tt_enc_put(tt_enc *e, uint32_t id, uint32_t type_id, int32_t word, uint32_t start,
                uint32_t end, uint8_t special, uint8_t attn, uint32_t trim) {
  uint32_t i = e->len++;
  e->ids[i] = id;
  e->type_ids[i] = type_id;
  e->words[i] = word;
  e->offsets[2 * (size_t)i] = start;
  e->offsets[2 * (size_t)i + 1] = end;
  e->special[i] = special;
  e->attn[i] = attn;
  e->trim[i] = trim;
}

static tt_enc *clone_shallow(tt_scratch *s, const tt_enc *e, uint32_t from, uint32_t n) {
  tt_enc *c = tt_enc_new(s, n);
  if (!c) return NULL;
  copy_tokens(c, 0, e, from, n);
  c->len = n;
  return c;
}

static int copy_ranges(tt_scratch *s, tt_enc *dst, const tt_enc *src) {
  if (!src->n_ranges) return 1;
  dst->ranges = tt_scratch_alloc(s, src->n_ranges * sizeof(tt_seqrange));
  if (!dst->ranges) return 0;
  memcpy(dst->ranges, src->ranges, src->n_ranges * sizeof(tt_seqrange));
  dst->n_ranges = dst->cap_ranges = src->n_ranges;
  return 1;
}

tt_enc *tt_enc_clone(tt_scratch *s, const tt_enc *e) {
  tt_enc *c = clone_shallow(s, e, 0, e->len);
  if (!c || !copy_ranges(s, c, e)) return NULL;
  if (e->n_over) {
    c->over = tt_scratch_alloc(s, e->n_over * sizeof(tt_enc *));
    if (!c->over) return NULL;
    c->cap_over = e->n_over;
    for (uint32_t i = 0; i < e->n_over; i++) {
      c->over[i] = tt_enc_clone(s, e->over[i]);
      if (!c->over[i]) return NULL;
    }
    c->n_over = e->n_over;
  }
  return c;
}

static tetra_status put_range(tt_scratch *s, tt_enc *e, uint32_t seq, uint32_t start, uint32_t end,
                              tetra_error *err) {
  for (uint32_t i = 0; i < e->n_ranges; i++) {
    if (e->ranges[i].seq == seq) { /* a HashMap insert replaces */
      e->ranges[i].start = start;
      e->ranges[i].end = end;
      return TETRA_OK;
    }
  }
  if (e->n_ranges == e->cap_ranges) {
    uint32_t cap = e->cap_ranges ? 2 * e->cap_ranges : 2;
    tt_seqrange *r = tt_scratch_alloc(s, cap * sizeof(tt_seqrange));
    if (!r) return oom(err);
    if (e->n_ranges) memcpy(r, e->ranges, e->n_ranges * sizeof(tt_seqrange));
    e->ranges = r;
    e->cap_ranges = cap;
  }
  e->ranges[e->n_ranges].seq = seq;
  e->ranges[e->n_ranges].start = start;
  e->ranges[e->n_ranges].end = end;
  e->n_ranges++;
  return TETRA_OK;
}

/* The overflowing parts get the id too: the Rust library's outputs show their ranges. */
tetra_status tt_enc_set_sequence_id(tt_scratch *s, tt_enc *e, uint32_t seq, tetra_error *err) {
  for (uint32_t i = 0; i < e->n_over; i++) {
    tetra_status st = tt_enc_set_sequence_id(s, e->over[i], seq, err);
    if (st) return st;
  }
  return put_range(s, e, seq, 0, e->len, err);
}

void tt_enc_set_type_ids(tt_enc *e, uint32_t type_id) {
  for (uint32_t i = 0; i < e->len; i++) e->type_ids[i] = type_id;
}

tetra_status tt_enc_add_over(tt_scratch *s, tt_enc *e, tt_enc *o, tetra_error *err) {
  if (e->n_over >= MAX_OVERFLOWING) {
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "tokenizer: more than %u overflowing encodings", MAX_OVERFLOWING);
  }
  if (e->n_over == e->cap_over) {
    uint32_t cap = e->cap_over ? 2 * e->cap_over : 4;
    tt_enc **v = tt_scratch_alloc(s, cap * sizeof(tt_enc *));
    if (!v) return oom(err);
    if (e->n_over) memcpy(v, e->over, e->n_over * sizeof(tt_enc *));
    e->over = v;
    e->cap_over = cap;
  }
  e->over[e->n_over++] = o;
  return TETRA_OK;
}

/* self_clone.merge_with(pair) pushed onto list. */
static tetra_status merged_copy(tt_scratch *s, const tt_enc *a, const tt_enc *b, tt_enc *list,
                                tetra_error *err) {
  tt_enc *n = tt_enc_clone(s, a);
  if (!n) return oom(err);
  tetra_status st = tt_enc_merge_with(s, n, b, err);
  if (st) return st;
  return tt_enc_add_over(s, list, n, err);
}

tetra_status tt_enc_merge_with(tt_scratch *s, tt_enc *self, const tt_enc *pair, tetra_error *err) {
  tetra_status st;
  /* The overflowing parts are combined first, exactly as HF does: each of ours with the pair and
   * with each of the pair's, then ourselves with each of the pair's. */
  tt_enc overs;
  memset(&overs, 0, sizeof overs);
  if (self->n_over || pair->n_over) {
    for (uint32_t i = 0; i < self->n_over; i++) {
      if ((st = merged_copy(s, self->over[i], pair, &overs, err))) return st;
      for (uint32_t j = 0; j < pair->n_over; j++) {
        if ((st = merged_copy(s, self->over[i], pair->over[j], &overs, err))) return st;
      }
    }
    for (uint32_t j = 0; j < pair->n_over; j++) {
      if ((st = merged_copy(s, self, pair->over[j], &overs, err))) return st;
    }
  }
  uint32_t base = self->len;
  for (uint32_t i = 0; i < pair->n_ranges; i++) {
    const tt_seqrange *r = &pair->ranges[i];
    if ((st = put_range(s, self, r->seq, base + r->start, base + r->end, err))) return st;
  }
  if ((st = tt_enc_reserve(s, self, pair->len, err))) return st;
  copy_tokens(self, base, pair, 0, pair->len);
  self->len += pair->len;
  self->over = overs.over;
  self->n_over = overs.n_over;
  self->cap_over = overs.cap_over;
  return TETRA_OK;
}

tetra_status tt_enc_truncate(tt_scratch *s, tt_enc *e, uint32_t max_len, uint32_t stride, int left,
                             tetra_error *err) {
  uint32_t n = e->len;
  if (max_len >= n) return TETRA_OK;
  if (max_len == 0) {
    /* HF: the whole encoding becomes the single overflowing part of an empty one. */
    tt_enc *old = tt_scratch_alloc(s, sizeof(tt_enc));
    if (!old) return oom(err);
    *old = *e;
    memset(e, 0, sizeof *e);
    if (!alloc_arrays(s, e, 4)) return oom(err);
    return tt_enc_add_over(s, e, old, err);
  }
  if (stride >= max_len) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "truncation: stride %u must be smaller than the length %u left for the "
                           "sequence (max_length minus the special tokens)",
                           stride, max_len);
  }
  uint32_t step = max_len - stride;
  tt_enc windows;
  memset(&windows, 0, sizeof windows);
  tetra_status st;
  if (!left) {
    for (uint32_t start = 0; start < n; start += step) {
      uint32_t stop = start + max_len < n ? start + max_len : n;
      tt_enc *w = clone_shallow(s, e, start, stop - start);
      if (!w) return oom(err);
      if ((st = tt_enc_add_over(s, &windows, w, err))) return st;
      if (stop == n) break;
    }
  } else {
    /* (0..n).rev().step_by(step): stops at n, n - step, ...; each window ends there */
    for (uint64_t k = 0;; k++) {
      uint64_t last = (uint64_t)(n - 1) - k * step;
      if (k * step > (uint64_t)(n - 1)) break;
      uint32_t stop = (uint32_t)last + 1;
      uint32_t start = stop > max_len ? stop - max_len : 0;
      tt_enc *w = clone_shallow(s, e, start, stop - start);
      if (!w) return oom(err);
      if ((st = tt_enc_add_over(s, &windows, w, err))) return st;
      if (start == 0) break;
    }
  }
  tt_enc *first = windows.over[0];
  *e = *first;
  e->n_ranges = e->cap_ranges = 0;
  e->ranges = NULL;
  e->over = NULL;
  e->n_over = e->cap_over = 0;
  for (uint32_t i = 1; i < windows.n_over; i++) {
    if ((st = tt_enc_add_over(s, e, windows.over[i], err))) return st;
  }
  return TETRA_OK;
}

tetra_status tt_enc_pad(tt_scratch *s, tt_enc *e, uint32_t target, uint32_t pad_id,
                        uint32_t pad_type_id, int left, tetra_error *err) {
  tetra_status st;
  for (uint32_t i = 0; i < e->n_over; i++) {
    if ((st = tt_enc_pad(s, e->over[i], target, pad_id, pad_type_id, left, err))) return st;
  }
  if (e->len >= target) return TETRA_OK;
  uint32_t k = target - e->len;
  if ((st = tt_enc_reserve(s, e, k, err))) return st;
  if (left) {
    /* shift the tokens right by k, then fill the front */
    tt_enc tmp = *e;
    tt_enc *moved = clone_shallow(s, &tmp, 0, e->len);
    if (!moved) return oom(err);
    uint32_t n = e->len;
    e->len = 0;
    for (uint32_t i = 0; i < k; i++) tt_enc_put(e, pad_id, pad_type_id, -1, 0, 0, 1, 0, 0);
    copy_tokens(e, k, moved, 0, n);
    e->len = k + n;
    for (uint32_t i = 0; i < e->n_ranges; i++) {
      e->ranges[i].start += k;
      e->ranges[i].end += k;
    }
  } else {
    for (uint32_t i = 0; i < k; i++) tt_enc_put(e, pad_id, pad_type_id, -1, 0, 0, 1, 0, 0);
  }
  return TETRA_OK;
}

/* ---- export ----------------------------------------------------------------------------------- */

/* The caller frees an encoding with tetra_encoding_free(enc) alone, so the allocator travels in a
 * header in front of the struct; the arrays follow in the same block. */
typedef struct enc_block {
  tetra_allocator alloc;
  size_t pad_;
  tetra_encoding enc;
} enc_block;

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

tetra_status tt_enc_export(const tt_enc *e, const tetra_allocator *a, tetra_encoding **out,
                           tetra_error *err) {
  size_t n = e->len;
  size_t size = align16(sizeof(enc_block));
  size_t off_ids = size;
  size += align16(n * 4);
  size_t off_type = size;
  size += align16(n * 4);
  size_t off_words = size;
  size += align16(n * 4);
  size_t off_seq = size;
  size += align16(n * 4);
  size_t off_offsets = size;
  size += align16(n * 8);
  size_t off_attn = size;
  size += align16(n);
  size_t off_special = size;
  size += align16(n);
  size_t off_over = size;
  size += align16(e->n_over * sizeof(tetra_encoding *));
  char *b = tetra_alloc(a, size);
  if (!b) return oom(err);
  enc_block *blk = (enc_block *)b;
  blk->alloc = a ? *a : *tetra_allocator_default();
  tetra_encoding *x = &blk->enc;
  x->len = (uint32_t)n;
  x->ids = (uint32_t *)(b + off_ids);
  x->type_ids = (uint32_t *)(b + off_type);
  x->word_ids = (int32_t *)(b + off_words);
  x->sequence_ids = (int32_t *)(b + off_seq);
  x->offsets = (uint32_t *)(b + off_offsets);
  x->attention_mask = (uint8_t *)(b + off_attn);
  x->special_tokens_mask = (uint8_t *)(b + off_special);
  x->overflowing = e->n_over ? (tetra_encoding **)(b + off_over) : NULL;
  x->n_overflowing = 0;
  if (n) {
    memcpy(x->ids, e->ids, n * 4);
    memcpy(x->type_ids, e->type_ids, n * 4);
    memcpy(x->word_ids, e->words, n * 4);
    memcpy(x->offsets, e->offsets, n * 8);
    memcpy(x->attention_mask, e->attn, n);
    memcpy(x->special_tokens_mask, e->special, n);
  }
  /* HF get_sequence_ids: for seq in 0..n_sequences, its range (or everything when absent) */
  for (size_t i = 0; i < n; i++) x->sequence_ids[i] = -1;
  uint32_t nseq = e->n_ranges ? e->n_ranges : 1;
  for (uint32_t q = 0; q < nseq; q++) {
    uint32_t start = 0, end = (uint32_t)n;
    for (uint32_t r = 0; r < e->n_ranges; r++) {
      if (e->ranges[r].seq == q) {
        start = e->ranges[r].start;
        end = e->ranges[r].end;
      }
    }
    for (uint32_t i = start; i < end && i < n; i++) x->sequence_ids[i] = (int32_t)q;
  }
  for (uint32_t i = 0; i < e->n_over; i++) {
    tetra_status st = tt_enc_export(e->over[i], a, &x->overflowing[i], err);
    if (st) {
      tetra_encoding_free(x);
      return st;
    }
    x->n_overflowing = i + 1;
  }
  *out = x;
  return TETRA_OK;
}

void tetra_encoding_free(tetra_encoding *enc) {
  if (!enc) return;
  for (uint32_t i = 0; i < enc->n_overflowing; i++) tetra_encoding_free(enc->overflowing[i]);
  enc_block *blk = (enc_block *)((char *)enc - offsetof(enc_block, enc));
  tetra_allocator a = blk->alloc;
  tetra_free(&a, blk);
}
