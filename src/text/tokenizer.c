/* The tokenizer: tokenizer.json loading, the encode pipeline, decode and vocabulary lookups
 * (HF tokenizers/src/tokenizer/mod.rs, TokenizerImpl::encode_char_offsets and friends).
 *
 * encode, per sequence (HF encode_single_sequence):
 *   1. invalid UTF-8 -> U+FFFD (a byte map keeps offsets in the caller's bytes);
 *   2. added tokens that are not normalized are cut out of the raw text;
 *   3. the other pieces are normalized, and normalized added tokens are cut out of them;
 *   4. the pre-tokenizer splits what is left, the model tokenizes each split;
 *   5. the encoding gets ids, type ids, word ids (the index of the split, as HF numbers them) and
 *      offsets into the input, converted to the caller's unit right away as HF does (its ByteLevel
 *      trimming then works in that unit);
 * then for the whole input (HF post_process): truncation (max_length minus the special tokens the
 * post-processor will add), the post-processor, padding.
 *
 * Steps 3-5 run piece by piece, and a long piece chunk by chunk where chunking.c shows that this
 * changes nothing (~32 KB, cut before a lone space): each chunk's normalized strings and
 * pre-tokens live in the work scratch, which is reset once its tokens are in the encoding. A
 * 50 MB text then needs the input, the tokens (26 bytes each, sized from the rate seen so far
 * rather than doubled) and one copy of them at a time, about 20 bytes per input byte instead of
 * 90. */
#include <string.h>

#include "text/tokenizer_impl.h"
#include "text/unicode.h"

/* Text is cut into chunks of about this many bytes (when the pipeline allows it, see chunking.c):
 * a chunk's pipeline memory (some 100 bytes a byte) then stays in the work scratch's arena. */
#define CHUNK_BYTES (32u * 1024u)

/* ---- loading ---------------------------------------------------------------------------------- */

static int is_null(const tetra_json *v) { return !v || v->type == TETRA_JSON_NULL; }

void tetra_tokenizer_free(tetra_tokenizer *tok) {
  if (!tok) return;
  tt_normalizer_free(tok->normalizer);
  tt_pretokenizer_free(tok->pretokenizer);
  tt_model_free(tok->model);
  tt_postproc_free(tok->alloc, tok->post);
  tt_decoder_free(tok->alloc, tok->decoder);
  tt_added_free(&tok->added);
  tt_scratch_release(&tok->scratch);
  tt_scratch_release(&tok->work);
  tetra_allocator a = tok->alloc_copy;
  tetra_free(&a, tok);
}

static tetra_status load(tetra_tokenizer *tok, const tetra_json *root, tetra_error *err) {
  const tetra_allocator *a = tok->alloc;
  tetra_status st;
  if (root->type != TETRA_JSON_OBJECT) {
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: the document should be an object, not %s",
                           tetra_json_type_name((tetra_json_type)root->type));
  }
  const tetra_json *v = tetra_json_get(root, "model");
  if (is_null(v)) return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: model: missing");
  if ((st = tt_model_from_json(v, "model", a, &tok->model, err))) return st;
  v = tetra_json_get(root, "normalizer");
  if (!is_null(v) && (st = tt_normalizer_from_json(v, "normalizer", a, &tok->normalizer, err)))
    return st;
  v = tetra_json_get(root, "pre_tokenizer");
  if (!is_null(v) &&
      (st = tt_pretokenizer_from_json(v, "pre_tokenizer", a, &tok->pretokenizer, err)))
    return st;
  v = tetra_json_get(root, "post_processor");
  if (!is_null(v) && (st = tt_postproc_from_json(v, "post_processor", tok, &tok->post, err)))
    return st;
  v = tetra_json_get(root, "decoder");
  if (!is_null(v) && (st = tt_decoder_from_json(v, "decoder", a, &tok->decoder, err))) return st;
  v = tetra_json_get(root, "truncation");
  if (!is_null(v)) {
    if ((st = tt_trunc_from_json(v, &tok->trunc, err))) return st;
    tok->has_trunc = 1;
  }
  v = tetra_json_get(root, "padding");
  if (!is_null(v)) {
    if ((st = tt_pad_from_json(v, &tok->pad, err))) return st;
    tok->has_pad = 1;
  }
  /* after the model and the normalizer: ids come from the model, patterns are normalized */
  if ((st = tt_added_load(tok, tetra_json_get(root, "added_tokens"), err))) return st;
  tok->needs_trim = tok->post && tt_postproc_needs_trim(tok->post);
  tok->chunk_bytes = tt_chunk_allowed(tok) ? CHUNK_BYTES : 0;
  return TETRA_OK;
}

tetra_status tetra_tokenizer_from_json(const char *json, size_t len, const tetra_allocator *allocator,
                                       tetra_tokenizer **out, tetra_error *err) {
  if (!json || !out) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "tetra_tokenizer_from_json: NULL argument");
  }
  *out = NULL;
  const tetra_allocator *a = allocator ? allocator : tetra_allocator_default();
  tetra_json_doc *doc = NULL;
  tetra_status st = tetra_json_parse(json, len, NULL, a, &doc, err);
  if (st) {
    tetra_error_prefix(err, "tokenizer.json");
    return st;
  }
  tetra_tokenizer *tok = tetra_alloc(a, sizeof(tetra_tokenizer));
  if (!tok) {
    tetra_json_free(doc);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: out of memory");
  }
  memset(tok, 0, sizeof *tok);
  tok->alloc_copy = *a;
  tok->alloc = &tok->alloc_copy;
  tt_scratch_init(&tok->scratch, tok->alloc);
  tt_scratch_init(&tok->work, tok->alloc);
  st = load(tok, tetra_json_root(doc), err);
  tetra_json_free(doc);
  if (st) {
    tetra_tokenizer_free(tok);
    return st;
  }
  *out = tok;
  return TETRA_OK;
}

/* ---- vocabulary ------------------------------------------------------------------------------- */

uint32_t tetra_tokenizer_vocab_size(const tetra_tokenizer *tok) {
  if (!tok) return 0;
  uint32_t n = tt_model_vocab_size(tok->model);
  return tok->added.max_id_plus_one > n ? tok->added.max_id_plus_one : n;
}

int tetra_tokenizer_token_to_id(const tetra_tokenizer *tok, const char *token, size_t len,
                                uint32_t *id) {
  if (!tok || (!token && len)) return 0;
  uint32_t v;
  if (tok->added.alloc && tt_strmap_get(&tok->added.content_to_id, token, len, &v)) {
    if (id) *id = v;
    return 1;
  }
  if (tt_model_token_to_id(tok->model, token, len, &v)) {
    if (id) *id = v;
    return 1;
  }
  return 0;
}

const char *tetra_tokenizer_id_to_token(const tetra_tokenizer *tok, uint32_t id, size_t *len) {
  if (!tok) return NULL;
  const tt_added_token *t = tt_added_by_id(&tok->added, id);
  if (t) {
    if (len) *len = t->len;
    return t->content;
  }
  return tt_model_id_to_token(tok->model, id, len);
}

/* ---- offsets ---------------------------------------------------------------------------------- */

/* Converts byte offsets of one sequence's (sanitized) text to the caller's unit. Token offsets
 * come nearly in order, so a cursor that walks forward or back keeps this linear. */
typedef struct offconv {
  const char *text;
  uint32_t len;
  tetra_offset_unit unit; /* TETRA_OFFSETS_BYTES also for ASCII text, where every unit is a byte */
  const uint32_t *map; /* sanitized -> caller bytes, NULL when the input was valid */
  uint32_t pos, units; /* a character boundary and the units before it */
  uint32_t total;      /* units in the whole text, UINT32_MAX until needed */
} offconv;

static uint32_t unit_len(const offconv *c, uint32_t l) {
  return c->unit == TETRA_OFFSETS_UTF16 && l == 4 ? 2 : 1;
}

/* Units before the character that contains byte x (x < len). */
static uint32_t units_at(offconv *c, uint32_t x) {
  if (x >= c->pos) {
    for (;;) {
      uint32_t l = (uint32_t)tt_utf8_len((uint8_t)c->text[c->pos]);
      if (c->pos + l > x) break;
      c->units += unit_len(c, l);
      c->pos += l;
    }
  } else {
    while (c->pos > x) {
      uint32_t p = c->pos - 1;
      while (p > 0 && ((uint8_t)c->text[p] & 0xC0) == 0x80) p--;
      c->units -= unit_len(c, c->pos - p);
      c->pos = p;
    }
  }
  return c->units;
}

static uint32_t total_units(offconv *c) {
  if (c->total == UINT32_MAX) {
    if (!c->len) {
      c->total = 0;
    } else {
      uint32_t u = units_at(c, c->len - 1);
      c->total = u + unit_len(c, c->len - c->pos);
    }
  }
  return c->total;
}

static void convert(offconv *c, uint32_t *start, uint32_t *end) {
  if (c->unit == TETRA_OFFSETS_BYTES) {
    if (c->map) {
      *start = c->map[*start];
      *end = c->map[*end];
    }
    return;
  }
  if (*start >= c->len) {
    /* HF's BytesToCharOffsetConverter finds no char there and leaves the pair in bytes; for
     * UTF-16 (JavaScript) the end of the text is the natural answer */
    if (c->unit == TETRA_OFFSETS_UTF16) *start = *end = total_units(c);
    return;
  }
  uint32_t s = units_at(c, *start);
  uint32_t e = *end < c->len ? units_at(c, *end) : total_units(c);
  *start = s;
  *end = e;
}

/* ---- one sequence ----------------------------------------------------------------------------- */

typedef struct seq_text {
  const char *text;
  uint32_t len;
  const uint32_t *map;
  int ascii; /* all bytes < 0x80: byte offsets are UTF-16 and code point offsets too */
} seq_text;

static tetra_status prepare_text(tt_scratch *s, const char *in, size_t n, seq_text *out,
                                 tetra_error *err) {
  if (n > UINT32_MAX / 4) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer: input of %zu bytes is too large", n);
  }
  out->map = NULL;
  unsigned char any = 0;
  for (size_t i = 0; i < n; i++) any |= (unsigned char)in[i];
  out->ascii = any < 0x80;
  if (out->ascii || tt_utf8_valid_prefix(in, n) == n) {
    out->text = in ? in : "";
    out->len = (uint32_t)n;
    return TETRA_OK;
  }
  char *clean;
  size_t clean_len;
  uint32_t *map;
  tetra_status st = tt_utf8_sanitize(s, in, n, &clean, &clean_len, &map, err);
  if (st) return st;
  out->text = clean;
  out->len = (uint32_t)clean_len;
  out->map = map;
  return TETRA_OK;
}

/* One sequence's run: its tokens go to e as each chunk of text is tokenized. */
typedef struct seq_run {
  tetra_tokenizer *tok;
  const seq_text *in;
  uint32_t type_id;
  offconv conv;
  tt_enc *e;
  uint32_t words; /* pre-tokens so far: the next one's word id (HF numbers the splits) */
  uint32_t done;  /* input bytes tokenized so far, for the capacity estimate */
} seq_run;

/* Room for n more tokens. Doubling the token arrays (26 bytes a token) of a long text would leave
 * up to half of them unused and need old and new at once, so once a good part of the text is
 * done (1 MB or an eighth) the capacity follows the number of tokens the whole text will have at
 * the rate seen so far (plus 1/16), growing by at least a quarter when that falls short. */
static tetra_status reserve_tokens(seq_run *r, size_t n, tetra_error *err) {
  tt_enc *e = r->e;
  uint64_t need = (uint64_t)e->len + n;
  if (need <= e->cap) return TETRA_OK;
  uint64_t cap = (uint64_t)e->cap + e->cap / 4;
  if (r->done < (1u << 20) && r->done < r->in->len / 8) {
    cap = 2 * (uint64_t)e->cap;
  } else if (r->done > 0 && r->in->len > r->done) {
    uint64_t est = (uint64_t)e->len * r->in->len / r->done;
    est += est / 16 + 64;
    if (est > cap) cap = est;
  }
  if (cap < need) cap = need;
  if (cap > UINT32_MAX / 2) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer: more than 2^31 tokens");
  }
  return tt_enc_grow(&r->tok->scratch, e, (uint32_t)cap, err);
}

/* Appends one token: o is its range of input bytes, value its text (for ByteLevel's trim counts;
 * NULL for none). Capacity must have been reserved. */
static void put_token(seq_run *r, uint32_t id, int32_t word, tt_span o, const char *value,
                      size_t value_len) {
  convert(&r->conv, &o.start, &o.end);
  uint32_t trim = r->tok->needs_trim && value ? tt_trim_counts(value, value_len) : 0;
  tt_enc_put(r->e, id, r->type_id, word, o.start, o.end, 0, 1, trim);
}

/* Appends the tokens of one split (word id: its index among the sequence's splits). */
static tetra_status put_tokens(seq_run *r, const tt_nstr *ns, const tt_token *tk, size_t nt,
                               int added, tetra_error *err) {
  tetra_status st = reserve_tokens(r, nt, err);
  if (st) return st;
  int32_t word = (int32_t)r->words++;
  for (size_t k = 0; k < nt; k++) {
    const char *v = NULL;
    size_t vlen = 0;
    if (r->tok->needs_trim) {
      if (added) {
        v = ns->text + tk[k].start;
        vlen = tk[k].end - tk[k].start;
      } else {
        v = tetra_tokenizer_id_to_token(r->tok, tk[k].id, &vlen);
      }
    }
    put_token(r, tk[k].id, word, tt_nstr_original_span(ns, tk[k].start, tk[k].end), v, vlen);
  }
  return TETRA_OK;
}

static tetra_status push_token_split(tt_scratch *s, tt_pretok *pt, tt_nstr *ns, uint32_t id,
                                     tetra_error *err) {
  tt_token *t = tt_scratch_alloc(s, sizeof(tt_token));
  if (!t) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
  t->id = id;
  t->start = 0;
  t->end = ns->len;
  return tt_pretok_push(pt, ns, t, 1, err);
}

/* Normalizes one piece of text between raw added tokens and cuts the normalized added tokens out
 * of it (HF extract_and_normalize, second split). Takes ownership of piece. */
static tetra_status normalize_piece(tetra_tokenizer *tok, tt_nstr *piece, tt_pretok *pt,
                                    tetra_error *err) {
  tt_scratch *s = &tok->work;
  tetra_status st;
  if (tok->normalizer && (st = tt_normalizer_apply(tok->normalizer, piece, err))) return st;
  if (tok->added.norm.empty) {
    if (!piece->len) {
      tt_nstr_free(piece);
      return TETRA_OK;
    }
    return tt_pretok_push(pt, piece, NULL, 0, err);
  }
  tt_added_piece *pieces;
  size_t n;
  if ((st = tt_added_find(&tok->added, &tok->added.norm, piece->text, piece->len, s, &pieces, &n,
                          err)))
    return st;
  for (size_t i = 0; i < n; i++) {
    if (pieces[i].start >= pieces[i].end) continue;
    tt_nstr sub;
    if ((st = tt_nstr_slice(piece, pieces[i].start, pieces[i].end, &sub, err))) return st;
    if (pieces[i].id >= 0) st = push_token_split(s, pt, &sub, (uint32_t)pieces[i].id, err);
    else st = tt_pretok_push(pt, &sub, NULL, 0, err);
    if (st) return st;
  }
  tt_nstr_free(piece);
  return TETRA_OK;
}

/* Original range of the bytes [a, b) of the piece [start, end) of ns, as tt_nstr_original_span on
 * a slice of that piece would give it (they differ only for an empty range at the piece's end). */
static tt_span piece_span(const tt_nstr *ns, uint32_t start, uint32_t end, uint32_t a,
                          uint32_t b) {
  if (a < b) return tt_nstr_original_span(ns, start + a, start + b);
  uint32_t at = start + a < end ? ns->align[start + a].start : ns->align[end - 1].end;
  return (tt_span){at, at};
}

/* run_text when the pre-tokenizer only cuts the normalized text into pieces (BertPreTokenizer,
 * Whitespace...; or there is none) and no normalized added token can cut it first: the model
 * tokenizes each piece in place, with no normalized string and split made per piece. Gives what
 * the general path gives: the same pieces, word ids and offsets. Takes ownership of piece. */
static tetra_status run_slices(seq_run *r, tt_nstr *piece, tetra_error *err) {
  tetra_tokenizer *tok = r->tok;
  const tetra_allocator *wa = &tok->work.alloc;
  tetra_status st;
  if (tok->normalizer && (st = tt_normalizer_apply(tok->normalizer, piece, err))) return st;
  tt_matches m = {NULL, 0, 0};
  if (!tok->pretokenizer) {
    if (piece->len && (st = tt_matches_push(&m, wa, 0, piece->len, err))) return st;
  } else if ((st = tt_pretokenizer_slice_spans(tok->pretokenizer, piece->text, piece->len, &m, wa,
                                               err))) {
    return st;
  }
  tt_tokens toks = {wa, NULL, 0, 0};
  for (size_t i = 0; i < m.n; i++) {
    uint32_t a = m.spans[i].start, b = m.spans[i].end;
    toks.n = 0;
    if ((st = tt_model_tokenize(tok->model, piece->text + a, b - a, &toks, err))) return st;
    if ((st = reserve_tokens(r, toks.n, err))) return st;
    int32_t word = (int32_t)r->words++;
    for (size_t k = 0; k < toks.n; k++) {
      const tt_token *t = &toks.items[k];
      const char *v = NULL;
      size_t vlen = 0;
      if (tok->needs_trim) v = tetra_tokenizer_id_to_token(tok, t->id, &vlen);
      put_token(r, t->id, word, piece_span(piece, a, b, t->start, t->end), v, vlen);
    }
  }
  return TETRA_OK;
}

/* The pipeline on input bytes [start, end), a piece between raw added tokens or a chunk of one:
 * normalize, cut out normalized added tokens, pre-tokenize, tokenize, append the tokens. All its
 * memory is in the work scratch, which the caller resets afterwards. */
static tetra_status run_text(seq_run *r, uint32_t start, uint32_t end, tetra_error *err) {
  tetra_tokenizer *tok = r->tok;
  tt_scratch *w = &tok->work;
  const tetra_allocator *wa = &w->alloc;
  tetra_status st;
  tt_pretok pt;
  tt_pretok_init(&pt, wa);
  tt_nstr piece;
  if ((st = tt_nstr_init(&piece, wa, r->in->text + start, end - start, start, err))) return st;
  if (tok->added.norm.empty &&
      (!tok->pretokenizer || tt_pretokenizer_only_slices(tok->pretokenizer))) {
    if ((st = run_slices(r, &piece, err))) return st;
    r->done = end;
    return TETRA_OK;
  }
  if ((st = normalize_piece(tok, &piece, &pt, err))) return st;
  if (tok->pretokenizer && (st = tt_pretokenizer_apply(tok->pretokenizer, &pt, err))) return st;
  tt_tokens toks = {wa, NULL, 0, 0};
  for (size_t i = 0; i < pt.n; i++) {
    tt_split *sp = &pt.splits[i];
    if (sp->tokens) {
      st = put_tokens(r, &sp->ns, sp->tokens, sp->n_tokens, 1, err);
    } else {
      toks.n = 0;
      st = tt_model_tokenize(tok->model, sp->ns.text, sp->ns.len, &toks, err);
      if (!st) st = put_tokens(r, &sp->ns, toks.items, toks.n, 0, err);
    }
    if (st) return st;
  }
  r->done = end;
  return TETRA_OK;
}

/* A piece of input between raw added tokens, in chunks when it is long and the pipeline allows. */
static tetra_status run_piece(seq_run *r, uint32_t start, uint32_t end, tetra_error *err) {
  tetra_tokenizer *tok = r->tok;
  tetra_status st = TETRA_OK;
  while (start < end && !st) {
    uint32_t cut = end;
    if (tok->chunk_bytes) cut = tt_chunk_cut(r->in->text, start, end, tok->chunk_bytes);
    st = run_text(r, start, cut, err);
    tt_scratch_reset(&tok->work);
    start = cut;
  }
  return st;
}

static tetra_status encode_sequence(tetra_tokenizer *tok, const seq_text *in, uint32_t type_id,
                                    tetra_offset_unit unit, tt_enc **out, tetra_error *err) {
  tt_scratch *s = &tok->scratch;
  tetra_status st;
  seq_run r;
  memset(&r, 0, sizeof r);
  r.tok = tok;
  r.in = in;
  r.type_id = type_id;
  r.conv = (offconv){in->text, in->len, in->ascii ? TETRA_OFFSETS_BYTES : unit, in->map, 0, 0,
                     UINT32_MAX};
  /* a first guess for short texts (English runs at about a token per 4 bytes); reserve_tokens
   * sizes long ones from what their first chunk gives */
  r.e = tt_enc_new(s, in->len / 4 + 8 < 4096 ? in->len / 4 + 8 : 4096);
  if (!r.e) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
  if (tok->added.raw.empty) {
    if (in->len && (st = run_piece(&r, 0, in->len, err))) return st;
  } else {
    tt_added_piece *pieces;
    size_t n;
    if ((st = tt_added_find(&tok->added, &tok->added.raw, in->text, in->len, s, &pieces, &n, err)))
      return st;
    for (size_t i = 0; i < n; i++) {
      if (pieces[i].start >= pieces[i].end) continue;
      if (pieces[i].id < 0) {
        st = run_piece(&r, pieces[i].start, pieces[i].end, err);
      } else {
        /* a split of its own holding the one token, which spans it (HF's slice of the raw input:
         * its offsets are the piece's own) */
        uint32_t a = pieces[i].start, b = pieces[i].end;
        if (!(st = reserve_tokens(&r, 1, err)))
          put_token(&r, (uint32_t)pieces[i].id, (int32_t)r.words++, (tt_span){a, b}, in->text + a,
                    b - a);
        r.done = b;
      }
      if (st) return st;
    }
  }
  *out = r.e;
  return TETRA_OK;
}

/* ---- options ---------------------------------------------------------------------------------- */

void tetra_encode_options_default(tetra_encode_options *opt) {
  if (opt) memset(opt, 0, sizeof *opt);
}

typedef struct resolved {
  int add_special;
  const tt_trunc *trunc;
  const tt_pad *pad;
  tt_trunc trunc_buf;
  tt_pad pad_buf;
  tetra_offset_unit unit;
} resolved;

static tetra_status resolve(const tetra_tokenizer *tok, const tetra_encode_options *opt, resolved *r,
                            tetra_error *err) {
  tetra_encode_options def;
  if (!opt) {
    tetra_encode_options_default(&def);
    opt = &def;
  }
  memset(r, 0, sizeof *r);
  r->add_special = !opt->skip_special_tokens;
  if ((unsigned)opt->offset_unit > TETRA_OFFSETS_CHARS) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "encode options: offset_unit %d is unknown",
                           (int)opt->offset_unit);
  }
  r->unit = opt->offset_unit;
  switch (opt->truncation) {
  case TETRA_ENCODE_AS_TOKENIZER: r->trunc = tok->has_trunc ? &tok->trunc : NULL; break;
  case TETRA_ENCODE_OFF: break;
  case TETRA_ENCODE_ON:
    if ((unsigned)opt->strategy > TETRA_TRUNCATE_ONLY_SECOND) {
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "encode options: truncation strategy %d is unknown", (int)opt->strategy);
    }
    r->trunc_buf.max_length = opt->max_length;
    r->trunc_buf.stride = opt->stride;
    r->trunc_buf.strategy = opt->strategy;
    r->trunc_buf.left = opt->truncate_left != 0;
    r->trunc = &r->trunc_buf;
    break;
  default:
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "encode options: truncation should be 0 (as tokenizer.json), 1 (off) or "
                           "2 (on), not %d",
                           opt->truncation);
  }
  switch (opt->padding) {
  case TETRA_ENCODE_AS_TOKENIZER: r->pad = tok->has_pad ? &tok->pad : NULL; break;
  case TETRA_ENCODE_OFF: break;
  case TETRA_ENCODE_ON:
    if ((unsigned)opt->pad_mode > TETRA_PAD_FIXED) {
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "encode options: padding mode %d is unknown", (int)opt->pad_mode);
    }
    /* the pad id and type id stay those of tokenizer.json (0 and 0 when it has no padding) */
    if (tok->has_pad) r->pad_buf = tok->pad;
    r->pad_buf.mode = opt->pad_mode;
    r->pad_buf.length = opt->pad_length;
    r->pad_buf.multiple_of = opt->pad_to_multiple_of;
    r->pad_buf.left = opt->pad_left != 0;
    r->pad = &r->pad_buf;
    break;
  default:
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "encode options: padding should be 0 (as tokenizer.json), 1 (off) or 2 "
                           "(on), not %d",
                           opt->padding);
  }
  return TETRA_OK;
}

/* ---- encode ----------------------------------------------------------------------------------- */

/* HF encode_char_offsets up to (not including) padding. */
static tetra_status encode_one(tetra_tokenizer *tok, const char *text, size_t len, const char *pair,
                               size_t pair_len, const resolved *r, tt_enc **out, tetra_error *err) {
  tt_scratch *s = &tok->scratch;
  tetra_status st;
  seq_text a, b;
  tt_enc *ea = NULL, *eb = NULL;
  if ((st = prepare_text(s, text, len, &a, err))) return st;
  if ((st = encode_sequence(tok, &a, 0, r->unit, &ea, err))) return st;
  if (pair) {
    if ((st = prepare_text(s, pair, pair_len, &b, err))) return st;
    if ((st = encode_sequence(tok, &b, 1, r->unit, &eb, err))) return st;
  }
  if (r->trunc) {
    tt_trunc t = *r->trunc;
    uint32_t added = r->add_special && tok->post ? tt_postproc_added(tok->post, eb != NULL) : 0;
    /* HF subtracts the special tokens in usize arithmetic: when max_length is smaller, the
     * subtraction wraps and nothing is truncated (the Rust library's output shows it) */
    int skip = added > t.max_length;
    t.max_length -= skip ? 0 : added;
    if (!skip && (st = tt_truncate(s, ea, eb, &t, err))) return st;
  }
  return tt_postproc_process(tok->post, s, ea, eb, r->add_special, out, err);
}

tetra_status tetra_tokenizer_encode(tetra_tokenizer *tok, const char *text, size_t len,
                                    const char *pair, size_t pair_len,
                                    const tetra_encode_options *opt, tetra_encoding **out,
                                    tetra_error *err) {
  if (!tok || !out || (!text && len) || (!pair && pair_len)) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tetra_tokenizer_encode: NULL argument");
  }
  *out = NULL;
  resolved r;
  tetra_status st = resolve(tok, opt, &r, err);
  if (st) return st;
  tt_scratch_reset(&tok->scratch);
  tt_enc *e;
  st = encode_one(tok, text ? text : "", len, pair, pair_len, &r, &e, err);
  if (!st && r.pad) st = tt_pad_all(&tok->scratch, &e, 1, r.pad, err);
  if (!st) st = tt_enc_export(e, tok->alloc, out, err);
  tt_scratch_reset(&tok->scratch);
  return st;
}

tetra_status tetra_tokenizer_encode_batch(tetra_tokenizer *tok, size_t n, const char *const *texts,
                                          const size_t *lens, const char *const *pairs,
                                          const size_t *pair_lens, const tetra_encode_options *opt,
                                          tetra_encoding **out, tetra_error *err) {
  if (!tok || (n && (!texts || !lens || !out)) || (pairs && !pair_lens)) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "tetra_tokenizer_encode_batch: NULL argument");
  }
  resolved r;
  tetra_status st = resolve(tok, opt, &r, err);
  if (st) return st;
  for (size_t i = 0; i < n; i++) out[i] = NULL;
  tt_scratch *s = &tok->scratch;
  tt_scratch_reset(s);
  tt_enc **encs = n ? tt_scratch_alloc(s, n * sizeof(tt_enc *)) : NULL;
  if (n && !encs) {
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory for a batch");
  }
  for (size_t i = 0; i < n && !st; i++) {
    const char *p = pairs ? pairs[i] : NULL;
    size_t pl = p ? pair_lens[i] : 0;
    if ((!texts[i] && lens[i]) || (!p && pairs && pair_lens[i])) {
      st = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "NULL text");
    } else {
      st = encode_one(tok, texts[i] ? texts[i] : "", lens[i], p, pl, &r, &encs[i], err);
      /* HF pads each encoding as it is made, then the batch together */
      if (!st && r.pad) st = tt_pad_all(s, &encs[i], 1, r.pad, err);
    }
    if (st) tetra_error_prefix(err, "encode_batch: texts[%zu]", i);
  }
  if (!st && r.pad) st = tt_pad_all(s, encs, n, r.pad, err);
  for (size_t i = 0; i < n && !st; i++) st = tt_enc_export(encs[i], tok->alloc, &out[i], err);
  if (st) {
    for (size_t i = 0; i < n; i++) {
      tetra_encoding_free(out[i]);
      out[i] = NULL;
    }
  }
  tt_scratch_reset(s);
  return st;
}

/* ---- decode ----------------------------------------------------------------------------------- */

tetra_status tetra_tokenizer_decode(tetra_tokenizer *tok, const uint32_t *ids, size_t n,
                                    int skip_special_tokens, char **out, size_t *out_len,
                                    tetra_error *err) {
  if (!tok || !out || (!ids && n)) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tetra_tokenizer_decode: NULL argument");
  }
  *out = NULL;
  if (out_len) *out_len = 0;
  tt_scratch *s = &tok->scratch;
  tt_scratch_reset(s);
  uint32_t size = tetra_tokenizer_vocab_size(tok);
  tt_strlist toks;
  memset(&toks, 0, sizeof toks);
  tetra_status st = TETRA_OK;
  for (size_t i = 0; i < n && !st; i++) {
    if (ids[i] >= size) {
      st = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "decode: ids[%zu] = %u is outside the vocabulary (size %u)", i, ids[i],
                           size);
      break;
    }
    size_t len = 0;
    const char *t = tetra_tokenizer_id_to_token(tok, ids[i], &len);
    if (!t) continue; /* a hole in the vocabulary: HF skips it */
    uint32_t dummy;
    if (skip_special_tokens && tt_strmap_get(&tok->added.special_set, t, len, &dummy)) continue;
    st = tt_strlist_push(s, &toks, t, len, err);
  }
  char *text = NULL;
  size_t text_len = 0;
  if (!st) {
    if (tok->decoder) {
      st = tt_decoder_decode(tok->decoder, s, &toks, &text, &text_len, err);
    } else {
      /* no decoder: HF joins the tokens with spaces */
      text = tt_scratch_alloc(s, toks.len + toks.n + 1);
      if (!text) {
        st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "decode: out of memory");
      } else {
        for (size_t i = 0; i < toks.n; i++) {
          size_t start = i ? toks.ends[i - 1] : 0;
          if (i) text[text_len++] = ' ';
          memcpy(text + text_len, toks.buf + start, toks.ends[i] - start);
          text_len += toks.ends[i] - start;
        }
      }
    }
  }
  if (!st) {
    char *res = tetra_alloc(tok->alloc, text_len + 1);
    if (!res) {
      st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "decode: out of memory");
    } else {
      if (text_len) memcpy(res, text, text_len);
      res[text_len] = 0;
      *out = res;
      if (out_len) *out_len = text_len;
    }
  }
  tt_scratch_reset(s);
  return st;
}

void tetra_text_free(const tetra_tokenizer *tok, char *text) {
  if (!text) return;
  tetra_free(tok ? tok->alloc : NULL, text);
}
