/* The tokenizer.json documents that Hugging Face's converters write for the older formats:
 * WordPiece (BertConverter), byte-level BPE (GPT2Converter) and SentencePiece BPE (LlamaConverter).
 * Every loader reduces its file to a tt_lvocab plus options and calls one of these. */
#include <stdlib.h>
#include <string.h>

#include "text/legacy.h"

/* Duplicate token strings: the last id wins, as in Python's dict (transformers' load_vocab) and
 * llama.cpp's token_to_id. The map holds exactly the ids that make it into the vocab object. */
static tetra_status build_token_map(const tt_lvocab *v, const tetra_allocator *a, tt_strmap *m,
                                    const char *what, tetra_error *err) {
  tetra_status st = tt_lvocab_map(v, 1, a, m, err);
  if (st != TETRA_OK) tetra_error_prefix(err, "%s", what);
  return st;
}

static int is_unique(const tt_strmap *m, const tt_lvocab *v, size_t i) {
  uint32_t id;
  return tt_strmap_get(m, v->text[i], v->len[i], &id) && id == (uint32_t)i;
}

static uint8_t kind_of(const tt_lvocab *v, size_t i) { return v->kind ? v->kind[i] : TT_LTOK_NORMAL; }

static void write_added_tokens(tt_jbuf *b, const tt_lvocab *v, const tt_strmap *m, int normalized) {
  tt_jbuf_raw(b, "\"added_tokens\":[");
  int first = 1;
  for (size_t i = 0; i < v->n; i++) {
    uint8_t k = kind_of(v, i);
    if (k == TT_LTOK_NORMAL || !is_unique(m, v, i)) continue;
    if (!first) tt_jbuf_raw(b, ",");
    first = 0;
    tt_jbuf_raw(b, "{\"id\":");
    tt_jbuf_u32(b, (uint32_t)i);
    tt_jbuf_raw(b, ",\"content\":");
    tt_jbuf_str(b, v->text[i], v->len[i]);
    tt_jbuf_raw(b, ",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":");
    /* SentencePiece user-defined pieces are matched on the raw text (normalized=false) too. */
    tt_jbuf_raw(b, normalized && k == TT_LTOK_SPECIAL ? "true" : "false");
    tt_jbuf_raw(b, ",\"special\":");
    tt_jbuf_raw(b, k == TT_LTOK_SPECIAL ? "true}" : "false}");
  }
  tt_jbuf_raw(b, "],");
}

static void write_vocab_object(tt_jbuf *b, const tt_lvocab *v, const tt_strmap *m) {
  tt_jbuf_raw(b, "\"vocab\":{");
  int first = 1;
  for (size_t i = 0; i < v->n; i++) {
    if (!is_unique(m, v, i)) continue;
    if (!first) tt_jbuf_raw(b, ",");
    first = 0;
    tt_jbuf_str(b, v->text[i], v->len[i]);
    tt_jbuf_raw(b, ":");
    tt_jbuf_u32(b, (uint32_t)i);
  }
  tt_jbuf_raw(b, "}");
}

/* TemplateProcessing pieces. */
static void tpl_special(tt_jbuf *b, const tt_lvocab *v, uint32_t id, int type_id, int *first) {
  if (!*first) tt_jbuf_raw(b, ",");
  *first = 0;
  tt_jbuf_raw(b, "{\"SpecialToken\":{\"id\":");
  tt_jbuf_str(b, v->text[id], v->len[id]);
  tt_jbuf_raw(b, type_id ? ",\"type_id\":1}}" : ",\"type_id\":0}}");
}

static void tpl_sequence(tt_jbuf *b, const char *seq, int type_id, int *first) {
  if (!*first) tt_jbuf_raw(b, ",");
  *first = 0;
  tt_jbuf_raw(b, "{\"Sequence\":{\"id\":\"");
  tt_jbuf_raw(b, seq);
  tt_jbuf_raw(b, type_id ? "\",\"type_id\":1}}" : "\",\"type_id\":0}}");
}

static void tpl_special_map(tt_jbuf *b, const tt_lvocab *v, const uint32_t *ids, size_t n) {
  tt_jbuf_raw(b, "\"special_tokens\":{");
  int first = 1;
  for (size_t i = 0; i < n; i++) {
    if (ids[i] == TT_LNONE) continue;
    int seen = 0;
    for (size_t j = 0; j < i; j++) seen |= ids[j] == ids[i];
    if (seen) continue;
    if (!first) tt_jbuf_raw(b, ",");
    first = 0;
    const char *t = v->text[ids[i]];
    uint32_t len = v->len[ids[i]];
    tt_jbuf_str(b, t, len);
    tt_jbuf_raw(b, ":{\"id\":");
    tt_jbuf_str(b, t, len);
    tt_jbuf_raw(b, ",\"ids\":[");
    tt_jbuf_u32(b, ids[i]);
    tt_jbuf_raw(b, "],\"tokens\":[");
    tt_jbuf_str(b, t, len);
    tt_jbuf_raw(b, "]}");
  }
  tt_jbuf_raw(b, "}");
}

static tetra_status check_id(const tt_lvocab *v, uint32_t id, const char *role, const char *what,
                             tetra_error *err) {
  if (id != TT_LNONE && id >= v->n)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "%s: %s token id %u is outside the %zu tokens",
                           what, role, (unsigned)id, v->n);
  return TETRA_OK;
}

/* ---- WordPiece (BertTokenizerFast) ------------------------------------------------------------ */
tetra_status tt_legacy_wordpiece_doc(const tt_lvocab *v, const tt_lwordpiece *o, const char *what,
                                     tt_jbuf *b, tetra_error *err) {
  tetra_status st;
  if ((st = check_id(v, o->unk, "unknown", what, err)) != TETRA_OK ||
      (st = check_id(v, o->cls, "CLS", what, err)) != TETRA_OK ||
      (st = check_id(v, o->sep, "SEP", what, err)) != TETRA_OK)
    return st;
  tt_strmap m;
  if ((st = build_token_map(v, b->alloc, &m, what, err)) != TETRA_OK) return st;
  tt_jbuf_raw(b, "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,");
  write_added_tokens(b, v, &m, 0);
  tt_jbuf_raw(b, "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,"
                 "\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":");
  tt_jbuf_raw(b, o->lowercase ? "true}," : "false},");
  tt_jbuf_raw(b, "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":");
  if (o->cls != TT_LNONE && o->sep != TT_LNONE) {
    int first = 1;
    tt_jbuf_raw(b, "{\"type\":\"TemplateProcessing\",\"single\":[");
    tpl_special(b, v, o->cls, 0, &first);
    tpl_sequence(b, "A", 0, &first);
    tpl_special(b, v, o->sep, 0, &first);
    tt_jbuf_raw(b, "],\"pair\":[");
    first = 1;
    tpl_special(b, v, o->cls, 0, &first);
    tpl_sequence(b, "A", 0, &first);
    tpl_special(b, v, o->sep, 0, &first);
    tpl_sequence(b, "B", 1, &first);
    tpl_special(b, v, o->sep, 1, &first);
    tt_jbuf_raw(b, "],");
    uint32_t ids[2] = {o->cls, o->sep};
    tpl_special_map(b, v, ids, 2);
    tt_jbuf_raw(b, "},");
  } else {
    tt_jbuf_raw(b, "null,");
  }
  tt_jbuf_raw(b, "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},"
                 "\"model\":{\"type\":\"WordPiece\",\"unk_token\":");
  if (o->unk != TT_LNONE) tt_jbuf_str(b, v->text[o->unk], v->len[o->unk]);
  else tt_jbuf_raw(b, "\"[UNK]\"");
  tt_jbuf_raw(b, ",\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,");
  write_vocab_object(b, v, &m);
  tt_jbuf_raw(b, "}}");
  tt_strmap_free(&m);
  return tt_jbuf_check(b, what, err);
}

/* ---- byte-level BPE (GPT2TokenizerFast) ------------------------------------------------------- */
tetra_status tt_legacy_bytelevel_doc(const tt_lvocab *v, const tt_lbytelevel *o, const char *what,
                                     tt_jbuf *b, tetra_error *err) {
  tetra_status st = check_id(v, o->bos, "BOS", what, err);
  if (st != TETRA_OK) return st;
  tt_strmap m;
  if ((st = build_token_map(v, b->alloc, &m, what, err)) != TETRA_OK) return st;
  tt_jbuf_raw(b, "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,");
  write_added_tokens(b, v, &m, o->added_normalized);
  tt_jbuf_raw(b, o->nfc ? "\"normalizer\":{\"type\":\"NFC\"}," : "\"normalizer\":null,");
  if (o->split_regex) {
    tt_jbuf_raw(b, "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":["
                   "{\"type\":\"Split\",\"pattern\":{\"Regex\":");
    tt_jbuf_str(b, o->split_regex, strlen(o->split_regex));
    tt_jbuf_raw(b, "},\"behavior\":\"Isolated\",\"invert\":false},"
                   "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                   "\"use_regex\":false}]},");
  } else {
    tt_jbuf_raw(b, "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                   "\"trim_offsets\":true,\"use_regex\":true},");
  }
  if (o->bos != TT_LNONE) {
    int first = 1;
    tt_jbuf_raw(b, "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[");
    tpl_special(b, v, o->bos, 0, &first);
    tpl_sequence(b, "A", 0, &first);
    tt_jbuf_raw(b, "],\"pair\":[");
    first = 1;
    tpl_special(b, v, o->bos, 0, &first);
    tpl_sequence(b, "A", 0, &first);
    tpl_special(b, v, o->bos, 1, &first);
    tpl_sequence(b, "B", 1, &first);
    tt_jbuf_raw(b, "],");
    tpl_special_map(b, v, &o->bos, 1);
    tt_jbuf_raw(b, "},");
  } else {
    tt_jbuf_raw(b, "\"post_processor\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,"
                   "\"trim_offsets\":false,\"use_regex\":true},");
  }
  tt_jbuf_raw(b, "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,"
                 "\"use_regex\":true},\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,"
                 "\"continuing_subword_prefix\":\"\",\"end_of_word_suffix\":\"\",\"fuse_unk\":false,"
                 "\"byte_fallback\":false,\"ignore_merges\":false,");
  write_vocab_object(b, v, &m);
  tt_jbuf_raw(b, ",\"merges\":[");
  for (size_t i = 0; i < o->n_merges; i++) {
    const tt_lmerge *g = &o->merges[i];
    tt_jbuf_raw(b, i ? ",[" : "[");
    tt_jbuf_str(b, g->left, g->left_len);
    tt_jbuf_raw(b, ",");
    tt_jbuf_str(b, g->right, g->right_len);
    tt_jbuf_raw(b, "]");
  }
  tt_jbuf_raw(b, "]}}");
  tt_strmap_free(&m);
  return tt_jbuf_check(b, what, err);
}

/* ---- SentencePiece BPE (LlamaTokenizerFast, legacy) ------------------------------------------- */
typedef struct spm_merge {
  float score;
  uint32_t left_chars, right_chars;
  uint32_t merged, left, right;
} spm_merge;

/* transformers' generate_merges order: best merged-piece score first, then longer left part, then
 * longer right part; ties in the order of the merged token's id, then the parts' ids. The length
 * rule makes runs of equal-score pieces (Llama's whitespace pieces) grow from the left, as
 * SentencePiece's and llama2.c's leftmost-first merging does. */
static int spm_merge_cmp(const void *pa, const void *pb) {
  const spm_merge *a = (const spm_merge *)pa, *b = (const spm_merge *)pb;
  if (a->score != b->score) return a->score > b->score ? -1 : 1;
  if (a->left_chars != b->left_chars) return a->left_chars > b->left_chars ? -1 : 1;
  if (a->right_chars != b->right_chars) return a->right_chars > b->right_chars ? -1 : 1;
  if (a->merged != b->merged) return a->merged < b->merged ? -1 : 1;
  if (a->left != b->left) return a->left < b->left ? -1 : 1;
  if (a->right != b->right) return a->right < b->right ? -1 : 1;
  return 0;
}

static uint32_t count_chars(const char *s, size_t len) {
  uint32_t n = 0;
  for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xc0) != 0x80;
  return n;
}

/* A token may be merged into, or be a part of a merge, when it is an ordinary vocabulary entry
 * with a usable score: llama2.c only takes merges scoring above -1e10. */
static int mergeable(const tt_lvocab *v, const tt_strmap *m, uint32_t id) {
  if (kind_of(v, id) != TT_LTOK_NORMAL || !is_unique(m, v, id)) return 0;
  float s = v->score ? v->score[id] : 0.0f;
  return s == s && s > -1e10f;
}

static tetra_status derive_merges(const tt_lvocab *v, const tt_strmap *m, const tetra_allocator *a,
                                  spm_merge **out, size_t *n_out, const char *what,
                                  tetra_error *err) {
  size_t n = 0, cap = 0;
  spm_merge *list = NULL;
  for (size_t i = 0; i < v->n; i++) {
    if (!mergeable(v, m, (uint32_t)i)) continue;
    const char *t = v->text[i];
    uint32_t len = v->len[i];
    for (uint32_t k = 1; k < len; k++) {
      if (((unsigned char)t[k] & 0xc0) == 0x80) continue; /* not a character boundary */
      uint32_t l, r;
      if (!tt_strmap_get(m, t, k, &l) || !tt_strmap_get(m, t + k, len - k, &r)) continue;
      if (!mergeable(v, m, l) || !mergeable(v, m, r)) continue;
      if (n == cap) {
        size_t ncap = cap ? cap * 2 : 1024;
        spm_merge *p = (spm_merge *)tetra_alloc(a, ncap * sizeof(spm_merge));
        if (!p) {
          tetra_free(a, list);
          return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "%s: out of memory (merges)", what);
        }
        if (list) memcpy(p, list, n * sizeof(spm_merge));
        tetra_free(a, list);
        list = p;
        cap = ncap;
      }
      spm_merge *g = &list[n++];
      g->score = v->score ? v->score[i] : 0.0f;
      g->left_chars = count_chars(t, k);
      g->right_chars = count_chars(t + k, len - k);
      g->merged = (uint32_t)i;
      g->left = l;
      g->right = r;
    }
  }
  if (n) qsort(list, n, sizeof(spm_merge), spm_merge_cmp);
  *out = list;
  *n_out = n;
  return TETRA_OK;
}

tetra_status tt_legacy_spm_doc(const tt_lvocab *v, const tt_lspm *o, const char *what, tt_jbuf *b,
                               tetra_error *err) {
  tetra_status st;
  if ((st = check_id(v, o->unk, "unknown", what, err)) != TETRA_OK ||
      (st = check_id(v, o->bos, "BOS", what, err)) != TETRA_OK ||
      (st = check_id(v, o->eos, "EOS", what, err)) != TETRA_OK)
    return st;
  tt_strmap m;
  if ((st = build_token_map(v, b->alloc, &m, what, err)) != TETRA_OK) return st;
  spm_merge *merges = NULL;
  size_t n_merges = 0;
  if ((st = derive_merges(v, &m, b->alloc, &merges, &n_merges, what, err)) != TETRA_OK) {
    tt_strmap_free(&m);
    return st;
  }
  tt_jbuf_raw(b, "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,");
  write_added_tokens(b, v, &m, 0);
  tt_jbuf_raw(b, "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":["
                 "{\"type\":\"Prepend\",\"prepend\":\"\xe2\x96\x81\"},"
                 "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\xe2\x96\x81\"}]},"
                 "\"pre_tokenizer\":null,\"post_processor\":");
  int bos = o->add_bos && o->bos != TT_LNONE, eos = o->add_eos && o->eos != TT_LNONE;
  if (bos || eos) {
    /* LlamaTokenizerFast.update_post_processor */
    int first = 1;
    tt_jbuf_raw(b, "{\"type\":\"TemplateProcessing\",\"single\":[");
    if (bos) tpl_special(b, v, o->bos, 0, &first);
    tpl_sequence(b, "A", 0, &first);
    if (eos) tpl_special(b, v, o->eos, 0, &first);
    tt_jbuf_raw(b, "],\"pair\":[");
    first = 1;
    if (bos) tpl_special(b, v, o->bos, 0, &first);
    tpl_sequence(b, "A", 0, &first);
    if (eos) tpl_special(b, v, o->eos, 0, &first);
    if (bos) tpl_special(b, v, o->bos, 1, &first);
    tpl_sequence(b, "B", 1, &first);
    if (eos) tpl_special(b, v, o->eos, 1, &first);
    tt_jbuf_raw(b, "],");
    uint32_t ids[2] = {bos ? o->bos : TT_LNONE, eos ? o->eos : TT_LNONE};
    tpl_special_map(b, v, ids, 2);
    tt_jbuf_raw(b, "},");
  } else {
    tt_jbuf_raw(b, "null,");
  }
  tt_jbuf_raw(b, "\"decoder\":{\"type\":\"Sequence\",\"decoders\":["
                 "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xe2\x96\x81\"},\"content\":\" \"},"
                 "{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},"
                 "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]},"
                 "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":");
  if (o->unk != TT_LNONE) tt_jbuf_str(b, v->text[o->unk], v->len[o->unk]);
  else tt_jbuf_raw(b, "null");
  tt_jbuf_raw(b, ",\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":true,"
                 "\"byte_fallback\":");
  tt_jbuf_raw(b, o->byte_fallback ? "true" : "false");
  tt_jbuf_raw(b, ",\"ignore_merges\":false,");
  write_vocab_object(b, v, &m);
  tt_jbuf_raw(b, ",\"merges\":[");
  for (size_t i = 0; i < n_merges; i++) {
    const spm_merge *g = &merges[i];
    tt_jbuf_raw(b, i ? ",[" : "[");
    tt_jbuf_str(b, v->text[g->left], v->len[g->left]);
    tt_jbuf_raw(b, ",");
    tt_jbuf_str(b, v->text[g->right], v->len[g->right]);
    tt_jbuf_raw(b, "]");
  }
  tt_jbuf_raw(b, "]}}");
  tetra_free(b->alloc, merges);
  tt_strmap_free(&m);
  return tt_jbuf_check(b, what, err);
}
