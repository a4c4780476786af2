/* Long texts run chunk by chunk (src/text/chunking.c): for every tokenizer of the golden cases,
 * the SentencePiece-style ones, MiniLM and GPT-2 (../shared, skipped visibly when absent), a
 * 50 KB text full of hard spots (cut candidates next to CJK, accents, combining marks, emoji,
 * invalid bytes, tabs, CRLF, runs of spaces, added tokens, contractions) encodes to exactly the
 * same ids, type ids, word ids, offsets (bytes, UTF-16, code points) and masks with chunking as
 * with the whole text in one run. Also: which pipelines may be chunked, and where cuts fall. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/text.h"
#include "text/tokenizer_impl.h"

static const char *const FRAGMENTS[] = {
    "The quick brown fox jumps over the lazy dog. ",
    "Hello, world! It's a don't-stop day; isn't it? ",
    "x y z a b c 1 2 3 ",
    "mixed\tTABS\tand\r\nCRLF\r\n lines\n",
    "several     spaces   here  ",
    "caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9 e\xCC\x81 ",
    "\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA x \xE6\x97\xA5\xE6\x9C\xAC ",
    "a \xCC\x81 b \xCC\x81x ", /* a combining mark right after a space */
    "\xF0\x9F\x98\x80 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD ok ",
    "bad \xFF\xFE bytes \xE2\x82 here ",
    "[SEP] [CLS]x[MASK] <s> </s> <mask> <|endoftext|> My name is ony ",
    "\xCE\xA3\xCE\x91\xCE\xA3 \xCE\xBF\xCE\xB4\xCF\x8C\xCF\x82 ",
    "nbsp\xC2\xA0here ideographic\xE3\x80\x80space ",
    "numbers 12345 3.14 1,000,000 ",
    "https://example.com/a?b=c&d=e#f (quoted) \"text\" ",
    "UPPER lower MiXeD ",
    "``quoted'' text `` '' x``y ",
    "\x01\x02 control \x7F chars ",
    "  ",
    "verylongwordwithoutanyspacesatallthatgoesonandonandonandonandonandonandonandonandon ",
};

/* A deterministic text of about n bytes built from the fragments. */
static char *make_text(size_t n, size_t *len) {
  char *t = malloc(n + 256);
  size_t k = 0;
  uint32_t x = 12345;
  while (k < n) {
    x = x * 1103515245u + 12345u;
    const char *f = FRAGMENTS[(x >> 16) % (sizeof FRAGMENTS / sizeof FRAGMENTS[0])];
    size_t l = strlen(f);
    memcpy(t + k, f, l);
    k += l;
  }
  *len = k;
  return t;
}

static int same(const tetra_encoding *a, const tetra_encoding *b, const char *name, int round) {
  if (a->len != b->len) {
    CHECK(0, "%s (round %d): %u tokens chunked, %u whole", name, round, a->len, b->len);
    return 0;
  }
  for (uint32_t i = 0; i < a->len; i++) {
    if (a->ids[i] != b->ids[i] || a->type_ids[i] != b->type_ids[i] ||
        a->word_ids[i] != b->word_ids[i] || a->sequence_ids[i] != b->sequence_ids[i] ||
        a->offsets[2 * i] != b->offsets[2 * i] || a->offsets[2 * i + 1] != b->offsets[2 * i + 1] ||
        a->attention_mask[i] != b->attention_mask[i] ||
        a->special_tokens_mask[i] != b->special_tokens_mask[i]) {
      CHECK(0,
            "%s (round %d): token %u differs: id %u/%u word %d/%d offsets [%u, %u)/[%u, %u)",
            name, round, i, a->ids[i], b->ids[i], a->word_ids[i], b->word_ids[i], a->offsets[2 * i],
            a->offsets[2 * i + 1], b->offsets[2 * i], b->offsets[2 * i + 1]);
      return 0;
    }
  }
  return 1;
}

static tetra_status encode(tetra_tokenizer *tok, const char *text, size_t len, const char *pair,
                           size_t pair_len, int unit, tetra_encoding **e, tetra_error *err) {
  tetra_encode_options o;
  tetra_encode_options_default(&o);
  o.truncation = TETRA_ENCODE_OFF;
  o.padding = TETRA_ENCODE_OFF;
  o.offset_unit = (tetra_offset_unit)unit;
  return tetra_tokenizer_encode(tok, text, len, pair, pair_len, &o, e, err);
}

/* Chunked (in tiny chunks, for many cuts, and in the usual ones) against whole, in the three
 * offset units and with a pair. A failed encode must fail the same way both times. */
static void compare(tetra_tokenizer *tok, const char *name, const char *text, size_t len) {
  uint32_t usual = tok->chunk_bytes;
  size_t half = len / 2;
  while (half < len && ((unsigned char)text[half] & 0xC0) == 0x80) half++;
  for (int round = 0; round < 5; round++) {
    int unit = round < 3 ? round : 1;
    uint32_t chunk = usual && round < 4 ? 61 : usual;
    const char *pair = round == 4 ? text + half : NULL;
    size_t n = round == 4 ? half : len;
    tok->chunk_bytes = chunk;
    tetra_encoding *a = NULL, *b = NULL;
    tetra_error ea, eb;
    tetra_status sa = encode(tok, text, n, pair, pair ? len - half : 0, unit, &a, &ea);
    tok->chunk_bytes = 0;
    tetra_status sb = encode(tok, text, n, pair, pair ? len - half : 0, unit, &b, &eb);
    CHECK(sa == sb && (sa == TETRA_OK || strcmp(ea.message, eb.message) == 0),
          "%s (round %d): chunked %s (%s), whole %s (%s)", name, round, tetra_status_name(sa),
          sa ? ea.message : "", tetra_status_name(sb), sb ? eb.message : "");
    if (a && b) same(a, b, name, round);
    tetra_encoding_free(a);
    tetra_encoding_free(b);
  }
  tok->chunk_bytes = usual;
}

static tetra_tokenizer *load(const char *json, size_t len, const char *name) {
  tetra_tokenizer *tok = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_from_json(json, len, NULL, &tok, &err);
  CHECK(st == TETRA_OK, "%s: load: %s", name, err.message);
  return tok;
}

/* Tokenizer documents below are written with ' for " (see json_of). */
static char *json_of(const char *q, size_t *len) {
  *len = strlen(q);
  char *j = malloc(*len + 1);
  for (size_t i = 0; i <= *len; i++) j[i] = q[i] == '\'' ? '"' : q[i];
  return j;
}

/* Pipelines the golden cases lack (their Bert ones hold a stripping normalized added token, which
 * keeps texts whole), on tiny vocabularies: most words are unknown, which is fine for offsets. */
#define WL_MODEL                                                                              \
  "'model':{'type':'WordLevel','unk_token':'[UNK]','vocab':{'[UNK]':0,'the':1,'quick':2,'x':3," \
  "'y':4,'z':5,'\\u2581the':6,'a':7}}"
#define ADDED(id, content, single, lstrip, rstrip, normalized, special)                         \
  "{'id':" #id ",'content':'" content "','single_word':" #single ",'lstrip':" #lstrip           \
  ",'rstrip':" #rstrip ",'normalized':" #normalized ",'special':" #special "}"
static const char *const INLINE[][2] = {
    {"bert-like",
     "{'added_tokens':[" ADDED(1, "[CLS]", false, false, false, false, true) ","
     ADDED(2, "[SEP]", false, false, false, false, true) ","
     ADDED(9, "ony", true, false, false, true, false) ","
     ADDED(10, "quick", false, false, false, true, false) "],"
     "'normalizer':{'type':'BertNormalizer','clean_text':true,'handle_chinese_chars':true,"
     "'strip_accents':null,'lowercase':true},'pre_tokenizer':{'type':'BertPreTokenizer'},"
     "'post_processor':{'type':'BertProcessing','sep':['[SEP]',2],'cls':['[CLS]',1]},"
     "'model':{'type':'WordPiece','unk_token':'[UNK]','continuing_subword_prefix':'##',"
     "'max_input_chars_per_word':100,'vocab':{'[UNK]':0,'[CLS]':1,'[SEP]':2,'the':3,'##s':4,"
     "'a':5,'x':6,'##e':7,'caf':8}}}"},
    {"nfkc-lowercase-whitespace",
     "{'normalizer':{'type':'Sequence','normalizers':[{'type':'NFKC'},{'type':'Lowercase'}]},"
     "'pre_tokenizer':{'type':'Whitespace'}," WL_MODEL "}"},
    {"nfkd-stripaccents-nmt-metaspace",
     "{'normalizer':{'type':'Sequence','normalizers':[{'type':'NFKD'},{'type':'StripAccents'},"
     "{'type':'Nmt'}]},'pre_tokenizer':{'type':'Metaspace','replacement':'\\u2581',"
     "'prepend_scheme':'always','split':true}," WL_MODEL "}"},
    {"nfc-sequence-pretokenizers",
     "{'normalizer':{'type':'NFC'},'pre_tokenizer':{'type':'Sequence','pretokenizers':["
     "{'type':'WhitespaceSplit'},{'type':'Punctuation','behavior':'MergedWithNext'},"
     "{'type':'Digits','individual_digits':true},{'type':'UnicodeScripts'}]}," WL_MODEL "}"},
    {"metaspace-first-then-bytelevel",
     "{'normalizer':null,'pre_tokenizer':{'type':'Sequence','pretokenizers':[{'type':'Metaspace',"
     "'replacement':'\\u2581','prepend_scheme':'first','split':true},{'type':'ByteLevel',"
     "'add_prefix_space':true,'use_regex':true}]}," WL_MODEL "}"},
    {"char-delimiter",
     "{'pre_tokenizer':{'type':'CharDelimiterSplit','delimiter':' '}," WL_MODEL "}"},
    {"albert-like",
     "{'normalizer':{'type':'Sequence','normalizers':[{'type':'Replace','pattern':{'String':'``'},"
     "'content':'\\u0022'},{'type':'Replace','pattern':{'String':'\\u0027\\u0027'},"
     "'content':'\\u0022'},{'type':'NFKD'},{'type':'StripAccents'},{'type':'Lowercase'},"
     "{'type':'Replace','pattern':{'Regex':' {2,}'},'content':' '},{'type':'Strip',"
     "'strip_left':false,'strip_right':true}]},'pre_tokenizer':{'type':'Metaspace',"
     "'replacement':'\\u2581','prepend_scheme':'always','split':true}," WL_MODEL "}"},
};

/* Pipelines that must run whole (each differs from a chunked one in one part). */
#define WS_PRE "'pre_tokenizer':{'type':'WhitespaceSplit'},"
static const char *const WHOLE[][2] = {
    {"no pre-tokenizer", "{" WL_MODEL "}"},
    {"Prepend", "{'normalizer':{'type':'Prepend','prepend':'x'}," WS_PRE WL_MODEL "}"},
    {"left Strip",
     "{'normalizer':{'type':'Strip','strip_left':true,'strip_right':false}," WS_PRE WL_MODEL "}"},
    {"ByteLevel normalizer", "{'normalizer':{'type':'ByteLevel'}," WS_PRE WL_MODEL "}"},
    {"Replace into a space",
     "{'normalizer':{'type':'Replace','pattern':{'String':'x'},'content':' '}," WS_PRE WL_MODEL
     "}"},
    {"Replace of a regex",
     "{'normalizer':{'type':'Replace','pattern':{'Regex':'a b'},'content':'c'}," WS_PRE WL_MODEL
     "}"},
    {"Punctuation first",
     "{'pre_tokenizer':{'type':'Sequence','pretokenizers':[{'type':'Punctuation'},"
     "{'type':'WhitespaceSplit'}]}," WL_MODEL "}"},
    {"Metaspace without split",
     "{'pre_tokenizer':{'type':'Metaspace','replacement':'\\u2581','prepend_scheme':'always',"
     "'split':false}," WL_MODEL "}"},
    {"normalized added token with a space",
     "{'added_tokens':[" ADDED(8, "x y", false, false, false, true, false) "]," WS_PRE
     WL_MODEL "}"},
    {"normalized added token that strips",
     "{'added_tokens':[" ADDED(8, "xy", false, false, true, true, false) "]," WS_PRE WL_MODEL "}"},
};

static void test_whole(void) {
  for (size_t i = 0; i < sizeof WHOLE / sizeof WHOLE[0]; i++) {
    size_t n;
    char *json = json_of(WHOLE[i][1], &n);
    tetra_tokenizer *tok = load(json, n, WHOLE[i][0]);
    free(json);
    if (!tok) continue;
    CHECK(tok->chunk_bytes == 0, "%s: runs whole", WHOLE[i][0]);
    tetra_tokenizer_free(tok);
  }
}

static void test_inline(const char *text, size_t len) {
  for (size_t i = 0; i < sizeof INLINE / sizeof INLINE[0]; i++) {
    size_t n;
    char *json = json_of(INLINE[i][1], &n);
    tetra_tokenizer *tok = load(json, n, INLINE[i][0]);
    free(json);
    if (!tok) continue;
    CHECK(tok->chunk_bytes != 0, "%s: chunked", INLINE[i][0]);
    compare(tok, INLINE[i][0], text, len);
    tetra_tokenizer_free(tok);
  }
}

static void test_golden_cases(const char *text, size_t len, int *n_chunked) {
  tetra_json_doc *doc = harness_read_json("tests/golden/text/tokenizer_cases.json");
  if (!doc) return;
  const tetra_json *cases = tetra_json_get(tetra_json_root(doc), "cases");
  for (uint32_t i = 0; cases && i < cases->len; i++) {
    const tetra_json *c = tetra_json_at(cases, i);
    const tetra_json *js = tetra_json_get(c, "tokenizer_json");
    const tetra_json *nm = tetra_json_get(c, "name");
    if (!js || js->type != TETRA_JSON_STRING) continue;
    const char *name = nm ? nm->u.string : "?";
    tetra_tokenizer *tok = load(js->u.string, js->len, name);
    if (!tok) continue;
    *n_chunked += tok->chunk_bytes != 0;
    /* a normalized added token that strips could reach over a cut; a regex Split first could
     * match across one */
    int whole = strcmp(name, "bert_template_added_tokens") == 0 ||
                strcmp(name, "llama3_style_sequence") == 0;
    if (whole) CHECK(tok->chunk_bytes == 0, "%s: whole", name);
    if (strcmp(name, "roberta_bytelevel") == 0) CHECK(tok->chunk_bytes != 0, "%s: chunked", name);
    compare(tok, name, text, len);
    tetra_tokenizer_free(tok);
  }
  tetra_json_free(doc);
}

static void test_file(const char *relative, const char *name, const char *drop, int want_chunked,
                      const char *text, size_t len) {
  size_t n;
  char *json = harness_read_file(harness_path(relative), &n);
  if (!json) {
    fprintf(stderr, "SKIP %s: %s is absent\n", name, relative);
    return;
  }
  if (drop) { /* take a part out of the pipeline, e.g. the normalizers that keep texts whole */
    char *at = strstr(json, drop);
    CHECK(at != NULL, "%s: \"%s\" not found", name, drop);
    if (at) {
      size_t l = strlen(drop);
      memmove(at, at + l, n - (size_t)(at - json) - l + 1);
      n -= l;
    }
  }
  tetra_tokenizer *tok = load(json, n, name);
  free(json);
  if (!tok) return;
  CHECK((tok->chunk_bytes != 0) == want_chunked, "%s: chunked %d, wanted %d", name,
        tok->chunk_bytes != 0, want_chunked);
  compare(tok, name, text, len);
  tetra_tokenizer_free(tok);
}

static void test_gpt2(const char *text, size_t len) {
  size_t ne, nm;
  char *enc = harness_read_file(harness_path("../shared/models/gpt2-tokenizer/encoder.json"), &ne);
  char *merges = harness_read_file(harness_path("../shared/models/gpt2-tokenizer/vocab.bpe"), &nm);
  if (!enc || !merges) {
    fprintf(stderr, "SKIP gpt2: ../shared/models/gpt2-tokenizer is absent\n");
  } else {
    tetra_tokenizer *tok = NULL;
    tetra_error err;
    tetra_status st = tetra_tokenizer_from_gpt2(enc, ne, merges, nm, NULL, &tok, &err);
    CHECK(st == TETRA_OK, "gpt2: load: %s", err.message);
    if (tok) {
      CHECK(tok->chunk_bytes != 0, "gpt2: chunked");
      compare(tok, "gpt2", text, len);
      tetra_tokenizer_free(tok);
    }
  }
  free(enc);
  free(merges);
}

static void test_cuts(void) {
  const char *t = "aaaa bbbb\t cccc  dddd e,f ,g h";
  uint32_t n = (uint32_t)strlen(t);
  /* "x| y" only: not after a tab or space, not before a space or at the end */
  CHECK(tt_chunk_cut(t, 0, n, 1) == 4, "first cut %u", tt_chunk_cut(t, 0, n, 1));
  CHECK(tt_chunk_cut(t, 0, n, 5) == 21, "after the white space runs: %u", tt_chunk_cut(t, 0, n, 5));
  CHECK(tt_chunk_cut(t, 20, n, 2) == 25, "before ',g': %u", tt_chunk_cut(t, 20, n, 2));
  CHECK(tt_chunk_cut(t, 26, n, 1) == 28, "'g| h': %u", tt_chunk_cut(t, 26, n, 1));
  CHECK(tt_chunk_cut(t, 0, n, 20) == n, "what is left is short: %u", tt_chunk_cut(t, 0, n, 20));
  CHECK(tt_chunk_cut(t, 5, 9, 1) == 9, "no space: the end");
  CHECK(tt_chunk_cut("ab ", 0, 3, 1) == 3, "not before a final space");
  CHECK(tt_chunk_cut("\xC3\xA9 b c", 0, 6, 1) == 4, "not after a non-ASCII character");
}

int main(void) {
  test_cuts();
  size_t len;
  char *text = make_text(50000, &len);
  int n_chunked = 0;
  test_golden_cases(text, len, &n_chunked);
  CHECK(n_chunked >= 10, "%d golden tokenizers are chunked", n_chunked);
  test_inline(text, len);
  test_whole();
  test_file("../shared/models/all-MiniLM-L6-v2/tokenizer.json", "minilm", NULL, 1, text, len);
  test_file("tests/golden/text/sp-unigram/tokenizer.json", "sp-unigram", NULL, 1, text, len);
  test_file("tests/golden/text/sp-unigram/tokenizer.json", "sp-unigram precompiled only",
            ",{\"type\":\"Strip\",\"strip_left\":false,\"strip_right\":true},{\"type\":\"Replace\","
            "\"pattern\":{\"Regex\":\" {2,}\"},\"content\":\"\xE2\x96\x81\"}",
            1, text, len);
  test_file("tests/golden/text/sp-bpe/tokenizer.json", "sp-bpe", NULL, 0, text, len);
  test_gpt2(text, len);
  free(text);
  return harness_finish("test_text_chunking");
}
