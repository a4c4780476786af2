/* The model interface of components.h: picks WordPiece, BPE, Unigram or WordLevel from the
 * tokenizer.json "model" object (HF ModelWrapper's serde rules) and dispatches to it. */
#include <string.h>

#include "text/components.h"
#include "text/model_impl.h"

tetra_status tt_tokens_push(tt_tokens *t, uint32_t id, uint32_t start, uint32_t end,
                            tetra_error *err) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(tt_token))
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokens: out of memory");
    tt_token *items = tetra_alloc(t->alloc, cap * sizeof *items);
    if (!items) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokens: out of memory");
    if (t->n) memcpy(items, t->items, t->n * sizeof *items);
    tetra_free(t->alloc, t->items);
    t->items = items;
    t->cap = cap;
  }
  tt_token *tok = &t->items[t->n++];
  tok->id = id;
  tok->start = start;
  tok->end = end;
  return TETRA_OK;
}

/* ---- dispatch -------------------------------------------------------------------------------- */
/* HF tries the untagged variants in the order BPE, WordPiece, WordLevel, Unigram when "type" is
 * missing; each fails on what it needs, so the fields present decide. */
static tt_model_kind guess_kind(const tetra_json *j) {
  const tetra_json *vocab = tetra_json_get(j, "vocab");
  if (tetra_json_get(j, "merges")) return TT_MODEL_BPE;
  if (vocab && vocab->type == TETRA_JSON_ARRAY) return TT_MODEL_UNIGRAM;
  if (tetra_json_get(j, "continuing_subword_prefix") &&
      tetra_json_get(j, "max_input_chars_per_word"))
    return TT_MODEL_WORDPIECE;
  return TT_MODEL_WORDLEVEL;
}

tetra_status tt_model_from_json(const tetra_json *j, const char *path, const tetra_allocator *a,
                                tt_model **out, tetra_error *err) {
  if (!out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tokenizer.json: %s: out is NULL",
                           path);
  *out = NULL;
  if (!j || j->type != TETRA_JSON_OBJECT)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s: expected an object, found %s", path,
                           j ? tt_json_type_of(j) : "nothing");
  tt_model_kind kind;
  const tetra_json *type = tetra_json_get(j, "type");
  if (!type) {
    kind = guess_kind(j);
  } else if (type->type != TETRA_JSON_STRING) {
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.type: expected a string, found %s", path,
                           tt_json_type_of(type));
  } else if (strcmp(type->u.string, "WordPiece") == 0) {
    kind = TT_MODEL_WORDPIECE;
  } else if (strcmp(type->u.string, "BPE") == 0) {
    kind = TT_MODEL_BPE;
  } else if (strcmp(type->u.string, "Unigram") == 0) {
    kind = TT_MODEL_UNIGRAM;
  } else if (strcmp(type->u.string, "WordLevel") == 0) {
    kind = TT_MODEL_WORDLEVEL;
  } else {
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "tokenizer.json: %s: unsupported model type \"%.60s\"", path,
                           type->u.string);
  }
  if (!a) a = tetra_allocator_default();
  tt_model *m = tetra_alloc(a, sizeof *m);
  if (!m)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
  memset(m, 0, sizeof *m);
  m->kind = kind;
  m->alloc = a;
  tetra_status st;
  switch (kind) {
    case TT_MODEL_WORDPIECE: st = tt_wordpiece_load(m, j, path, err); break;
    case TT_MODEL_BPE: st = tt_bpe_load(m, j, path, err); break;
    case TT_MODEL_UNIGRAM: st = tt_unigram_load(m, j, path, err); break;
    default: st = tt_wordlevel_load(m, j, path, err); break;
  }
  if (st != TETRA_OK) {
    tetra_free(a, m);
    return st;
  }
  *out = m;
  return TETRA_OK;
}

void tt_model_free(tt_model *m) {
  if (!m) return;
  switch (m->kind) {
    case TT_MODEL_WORDPIECE: tt_wordpiece_free(m); break;
    case TT_MODEL_BPE: tt_bpe_free(m); break;
    case TT_MODEL_UNIGRAM: tt_unigram_free(m); break;
    default: tt_wordlevel_free(m); break;
  }
  tt_vocab_free(&m->vocab, m->alloc);
  tetra_free(m->alloc, m);
}

tetra_status tt_model_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                               tetra_error *err) {
  switch (m->kind) {
    case TT_MODEL_WORDPIECE: return tt_wordpiece_tokenize(m, text, len, out, err);
    case TT_MODEL_BPE: return tt_bpe_tokenize(m, text, len, out, err);
    case TT_MODEL_UNIGRAM: return tt_unigram_tokenize(m, text, len, out, err);
    default: return tt_wordlevel_tokenize(m, text, len, out, err);
  }
}

int tt_model_token_to_id(const tt_model *m, const char *token, size_t len, uint32_t *id) {
  return tt_vocab_get(&m->vocab, token, len, id);
}

const char *tt_model_id_to_token(const tt_model *m, uint32_t id, size_t *len) {
  return tt_vocab_token(&m->vocab, id, len);
}

uint32_t tt_model_vocab_size(const tt_model *m) { return m->vocab.size; }

const char *tt_model_type(const tt_model *m) {
  switch (m->kind) {
    case TT_MODEL_WORDPIECE: return "WordPiece";
    case TT_MODEL_BPE: return "BPE";
    case TT_MODEL_UNIGRAM: return "Unigram";
    default: return "WordLevel";
  }
}
