/* WordLevel (HF tokenizers/src/models/wordlevel): the whole piece is one token, or the unk token.
 */
#include <stdio.h>
#include <string.h>

#include "text/model_impl.h"

struct tt_wordlevel {
  int has_unk;
  uint32_t unk_id;
  char unk_name[64];
};

tetra_status tt_wordlevel_load(tt_model *m, const tetra_json *j, const char *path,
                               tetra_error *err) {
  const char *unk;
  size_t unk_len;
  tetra_status st = tt_json_req_string(j, path, "unk_token", &unk, &unk_len, err);
  if (st != TETRA_OK) return st;
  st = tt_vocab_from_field(&m->vocab, j, path, m->alloc, err);
  if (st != TETRA_OK) return st;
  struct tt_wordlevel *wl = tetra_alloc(m->alloc, sizeof *wl);
  if (!wl) {
    tt_vocab_free(&m->vocab, m->alloc);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
  }
  wl->has_unk = tt_vocab_get(&m->vocab, unk, unk_len, &wl->unk_id);
  snprintf(wl->unk_name, sizeof wl->unk_name, "%s", unk);
  m->impl = wl;
  return TETRA_OK;
}

void tt_wordlevel_free(tt_model *m) {
  tetra_free(m->alloc, m->impl);
  m->impl = NULL;
}

tetra_status tt_wordlevel_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                                   tetra_error *err) {
  const struct tt_wordlevel *wl = m->impl;
  uint32_t id;
  if (!tt_vocab_get(&m->vocab, text, len, &id)) {
    if (!wl->has_unk)
      return tetra_error_set(
          err, TETRA_ERR_FORMAT,
          "WordLevel: the unk_token \"%s\" is not in the vocabulary, and a piece needs it",
          wl->unk_name);
    id = wl->unk_id;
  }
  return tt_tokens_push(out, id, 0, len, err);
}
