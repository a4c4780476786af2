/* BERT vocab.txt and GPT-2 encoder.json + vocab.bpe, read the way transformers' slow tokenizers read
 * them (BertTokenizer.load_vocab, GPT2Tokenizer.__init__) and converted as BertConverter and
 * GPT2Converter do. */
#include <string.h>

#include "tetra/text.h"
#include "text/legacy.h"

static tetra_status finish_json(tt_jbuf *b, char **json, size_t *json_len) {
  *json = b->data;
  *json_len = b->len;
  b->data = NULL;
  return TETRA_OK;
}

static tetra_status bad_utf8(const char *what, const char *text, size_t at, tetra_error *err) {
  size_t line = 1;
  for (size_t i = 0; i < at; i++) line += text[i] == '\n';
  return tetra_error_set(err, TETRA_ERR_PARSE, "%s: invalid UTF-8 at byte %zu (line %zu)", what, at,
                         line);
}

/* ---- vocab.txt -------------------------------------------------------------------------------- */
tetra_status tt_legacy_vocab_txt_json(const char *vocab, size_t len, int lowercase,
                                      const tetra_allocator *a, char **json, size_t *json_len,
                                      tetra_error *err) {
  if (!vocab && len) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "vocab.txt: NULL text");
  size_t bad = tt_legacy_utf8_check(vocab, len);
  if (bad != len) return bad_utf8("vocab.txt", vocab, bad, err);

  /* Lines end at \n, \r\n or \r (Python's universal newlines); the text after the last line end
   * is a token only when it is not empty; an empty line in between is the token "". */
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (vocab[i] == '\n' || (vocab[i] == '\r' && (i + 1 == len || vocab[i + 1] != '\n'))) n++;
  }
  if (len && vocab[len - 1] != '\n' && vocab[len - 1] != '\r') n++;
  if (n == 0) return tetra_error_set(err, TETRA_ERR_FORMAT, "vocab.txt: no tokens");
  if (n >= TT_LNONE) return tetra_error_set(err, TETRA_ERR_LIMIT, "vocab.txt: too many tokens");

  tt_lvocab v = {0};
  v.n = n;
  v.text = (const char **)tetra_alloc(a, n * sizeof(char *));
  v.len = (uint32_t *)tetra_alloc(a, n * sizeof(uint32_t));
  v.kind = (uint8_t *)tetra_alloc(a, n);
  tetra_status st = TETRA_OK;
  tt_jbuf b;
  tt_jbuf_init(&b, a);
  if (!v.text || !v.len || !v.kind) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "vocab.txt: out of memory");
    goto done;
  }
  size_t k = 0, start = 0;
  for (size_t i = 0; i <= len && k < n; i++) {
    if (i == len || vocab[i] == '\n' || vocab[i] == '\r') {
      if (i - start > UINT32_MAX / 2) {
        st = tetra_error_set(err, TETRA_ERR_LIMIT, "vocab.txt: line %zu is too long", k + 1);
        goto done;
      }
      v.text[k] = vocab + start;
      v.len[k] = (uint32_t)(i - start);
      v.kind[k] = TT_LTOK_NORMAL;
      k++;
      if (i < len && vocab[i] == '\r' && i + 1 < len && vocab[i + 1] == '\n') i++;
      start = i + 1;
    }
  }

  /* The special tokens BertTokenizerFast registers, when the vocabulary has them. */
  static const char *const specials[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  uint32_t ids[5];
  tt_strmap m;
  if ((st = tt_lvocab_map(&v, 1, a, &m, err)) != TETRA_OK) {
    tetra_error_prefix(err, "vocab.txt");
    goto done;
  }
  for (int s = 0; s < 5; s++) {
    if (tt_strmap_get(&m, specials[s], strlen(specials[s]), &ids[s])) v.kind[ids[s]] = TT_LTOK_SPECIAL;
    else ids[s] = TT_LNONE;
  }
  tt_strmap_free(&m);

  tt_lwordpiece o = {lowercase != 0, ids[1], ids[2], ids[3]};
  if ((st = tt_legacy_wordpiece_doc(&v, &o, "vocab.txt", &b, err)) == TETRA_OK)
    st = finish_json(&b, json, json_len);
done:
  tt_jbuf_free(&b);
  tetra_free(a, (void *)v.text);
  tetra_free(a, v.len);
  tetra_free(a, v.kind);
  return st;
}

tetra_status tetra_tokenizer_from_vocab_txt(const char *vocab, size_t len, int lowercase,
                                            const tetra_allocator *allocator, tetra_tokenizer **out,
                                            tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "vocab.txt: out is NULL");
  *out = NULL;
  char *json = NULL;
  size_t json_len = 0;
  tetra_status st = tt_legacy_vocab_txt_json(vocab, len, lowercase, allocator, &json, &json_len, err);
  if (st != TETRA_OK) return st;
  st = tetra_tokenizer_from_json(json, json_len, allocator, out, err);
  if (st != TETRA_OK) tetra_error_prefix(err, "vocab.txt (as tokenizer.json)");
  tetra_free(allocator, json);
  return st;
}

/* ---- GPT-2 encoder.json + vocab.bpe ------------------------------------------------------------ */
tetra_status tt_legacy_gpt2_json(const char *encoder_json, size_t encoder_len, const char *vocab_bpe,
                                 size_t vocab_len, const tetra_allocator *a, char **json,
                                 size_t *json_len, tetra_error *err) {
  if ((!encoder_json && encoder_len) || (!vocab_bpe && vocab_len))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "GPT-2 files: NULL text");
  tetra_json_doc *doc = NULL;
  tetra_status st = tetra_json_parse(encoder_json, encoder_len, NULL, a, &doc, err);
  if (st != TETRA_OK) {
    tetra_error_prefix(err, "encoder.json");
    return st;
  }
  const tetra_json *root = tetra_json_root(doc);
  tt_lvocab v = {0};
  tt_lmerge *merges = NULL;
  size_t n_merges = 0;
  tt_strmap m = {0};
  tt_jbuf b;
  tt_jbuf_init(&b, a);
  if (root->type != TETRA_JSON_OBJECT || root->len == 0) {
    st = tetra_error_set(err, TETRA_ERR_FORMAT, "encoder.json: expected a non-empty object of token: id");
    goto done;
  }
  size_t n = root->len;
  v.n = n;
  v.text = (const char **)tetra_alloc(a, n * sizeof(char *));
  v.len = (uint32_t *)tetra_alloc(a, n * sizeof(uint32_t));
  v.kind = (uint8_t *)tetra_alloc(a, n);
  if (!v.text || !v.len || !v.kind) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "encoder.json: out of memory");
    goto done;
  }
  memset((void *)v.text, 0, n * sizeof(char *));
  memset(v.kind, TT_LTOK_NORMAL, n);
  for (size_t i = 0; i < n; i++) {
    const tetra_json *key = &root->u.items[2 * i], *val = &root->u.items[2 * i + 1];
    if (val->type != TETRA_JSON_NUMBER || !(val->flags & TETRA_JSON_INTEGER) || val->u.number < 0 ||
        val->u.number >= (double)n) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT,
                           "encoder.json: \"%s\" (byte %u): the id must be an integer from 0 to %zu "
                           "(ids are dense)",
                           key->u.string, (unsigned)val->offset, n - 1);
      goto done;
    }
    uint32_t id = (uint32_t)val->u.number;
    if (v.text[id]) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT, "encoder.json: id %u is given to both \"%s\" and \"%s\"",
                           (unsigned)id, v.text[id], key->u.string);
      goto done;
    }
    v.text[id] = key->u.string;
    v.len[id] = key->len;
  }
  /* n distinct ids below n: every id is used. */
  if ((st = tt_lvocab_map(&v, 0, a, &m, err)) != TETRA_OK) goto done;
  uint32_t eot;
  if (tt_strmap_get(&m, "<|endoftext|>", 13, &eot)) v.kind[eot] = TT_LTOK_SPECIAL;

  size_t bad = tt_legacy_utf8_check(vocab_bpe, vocab_len);
  if (bad != vocab_len) {
    st = bad_utf8("vocab.bpe", vocab_bpe, bad, err);
    goto done;
  }
  size_t cap = 1;
  for (size_t i = 0; i < vocab_len; i++) cap += vocab_bpe[i] == '\n';
  merges = (tt_lmerge *)tetra_alloc(a, cap * sizeof(tt_lmerge));
  if (!merges) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "vocab.bpe: out of memory");
    goto done;
  }
  /* transformers drops the first line ("#version: 0.2") and empty lines; each other line is two
   * tokens separated by white space. */
  size_t line = 0, pos = 0;
  while (pos < vocab_len) {
    size_t end = pos;
    while (end < vocab_len && vocab_bpe[end] != '\n') end++;
    size_t next = end + 1, stop = end;
    line++;
    if (stop > pos && vocab_bpe[stop - 1] == '\r') stop--;
    if (line == 1 && stop - pos >= 8 && memcmp(vocab_bpe + pos, "#version", 8) == 0) {
      pos = next;
      continue;
    }
    const char *parts[3];
    size_t plen[3], np = 0, i = pos;
    while (i < stop) {
      while (i < stop && (vocab_bpe[i] == ' ' || vocab_bpe[i] == '\t')) i++;
      if (i == stop) break;
      size_t s = i;
      while (i < stop && vocab_bpe[i] != ' ' && vocab_bpe[i] != '\t') i++;
      if (np < 3) {
        parts[np] = vocab_bpe + s;
        plen[np] = i - s;
      }
      np++;
    }
    if (np == 0) {
      pos = next;
      continue;
    }
    if (np != 2) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT,
                           "vocab.bpe: line %zu (byte %zu): expected two tokens separated by a space, "
                           "found %zu",
                           line, pos, np);
      goto done;
    }
    uint32_t id;
    for (int p = 0; p < 2; p++) {
      if (!tt_strmap_get(&m, parts[p], plen[p], &id)) {
        st = tetra_error_set(err, TETRA_ERR_FORMAT, "vocab.bpe: line %zu: \"%.*s\" is not in encoder.json",
                             line, (int)(plen[p] > 200 ? 200 : plen[p]), parts[p]);
        goto done;
      }
    }
    /* The merged token must exist too (tokenizers' BPE builder refuses the file otherwise). */
    const char *l = parts[0], *r = parts[1];
    size_t ll = plen[0], rl = plen[1];
    {
      char small[256];
      char *joined = ll + rl <= sizeof small ? small : (char *)tetra_alloc(a, ll + rl);
      if (!joined) {
        st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "vocab.bpe: out of memory");
        goto done;
      }
      memcpy(joined, l, ll);
      memcpy(joined + ll, r, rl);
      int ok = tt_strmap_get(&m, joined, ll + rl, &id);
      if (joined != small) tetra_free(a, joined);
      if (!ok) {
        st = tetra_error_set(err, TETRA_ERR_FORMAT,
                             "vocab.bpe: line %zu: the merged token \"%.*s%.*s\" is not in encoder.json",
                             line, (int)(ll > 100 ? 100 : ll), l, (int)(rl > 100 ? 100 : rl), r);
        goto done;
      }
    }
    merges[n_merges].left = l;
    merges[n_merges].left_len = (uint32_t)ll;
    merges[n_merges].right = r;
    merges[n_merges].right_len = (uint32_t)rl;
    n_merges++;
    pos = next;
  }

  tt_lbytelevel o = {merges, n_merges, NULL, 0, TT_LNONE, 1};
  if ((st = tt_legacy_bytelevel_doc(&v, &o, "GPT-2 files", &b, err)) == TETRA_OK)
    st = finish_json(&b, json, json_len);
done:
  tt_jbuf_free(&b);
  tt_strmap_free(&m);
  tetra_free(a, merges);
  tetra_free(a, (void *)v.text);
  tetra_free(a, v.len);
  tetra_free(a, v.kind);
  tetra_json_free(doc);
  return st;
}

tetra_status tetra_tokenizer_from_gpt2(const char *encoder_json, size_t encoder_len,
                                       const char *vocab_bpe, size_t vocab_len,
                                       const tetra_allocator *allocator, tetra_tokenizer **out,
                                       tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "GPT-2 files: out is NULL");
  *out = NULL;
  char *json = NULL;
  size_t json_len = 0;
  tetra_status st = tt_legacy_gpt2_json(encoder_json, encoder_len, vocab_bpe, vocab_len, allocator,
                                        &json, &json_len, err);
  if (st != TETRA_OK) return st;
  st = tetra_tokenizer_from_json(json, json_len, allocator, out, err);
  if (st != TETRA_OK) tetra_error_prefix(err, "GPT-2 files (as tokenizer.json)");
  tetra_free(allocator, json);
  return st;
}
