/* llama.cpp's tokenizer conformance data (../shared/models/llamacpp-vocab-tests): vocabulary-only
 * GGUF files for WordPiece (bert-bge), GPT-2 byte-level BPE and Llama SentencePiece, with test
 * strings (.inp, blocks separated by "\n__ggml_vocab_test__\n") and the ids the Hugging Face
 * tokenizer gives them without special tokens (.out, one line per block). Each GGUF is loaded with
 * tetra_tokenizer_from_gguf and must reproduce every expected id list, as llama.cpp's
 * test-tokenizer-0 requires of llama.cpp. Skipped, with a message, when ../shared is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/text.h"

#define DIR "../shared/models/llamacpp-vocab-tests/"

static char *read_shared(const char *name, const char *ext, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s%s%s", TETRA_TEST_ROOT, DIR, name, ext);
  return harness_read_file(path, len);
}

static void print_ids(const char *label, const tetra_encoding *e) {
  fprintf(stderr, "  %s:", label);
  for (uint32_t i = 0; i < e->len && i < 64; i++) fprintf(stderr, " %u", e->ids[i]);
  fprintf(stderr, "%s\n", e->len > 64 ? " ..." : "");
}

static int run_vocab(const char *name) {
  size_t glen, ilen, olen;
  char *gguf = read_shared(name, "", &glen);
  char *inp = read_shared(name, ".inp", &ilen);
  char *out = read_shared(name, ".out", &olen);
  if (!gguf || !inp || !out) {
    printf("test_text_llamacpp: SKIP %s (../shared/models/llamacpp-vocab-tests not found)\n", name);
    free(gguf);
    free(inp);
    free(out);
    return 0;
  }
  tetra_tokenizer *tok = NULL;
  tetra_error err;
  tetra_status st = tetra_tokenizer_from_gguf(gguf, glen, NULL, &tok, &err);
  CHECK(st == TETRA_OK, "%s: %s", name, err.message);
  static const char sep[] = "\n__ggml_vocab_test__\n";
  const size_t sep_len = sizeof sep - 1;
  size_t pos = 0, opos = 0, n = 0, ok = 0;
  tetra_encode_options opt;
  tetra_encode_options_default(&opt);
  opt.skip_special_tokens = 1; /* the .out files are made with add_special_tokens=False */
  while (tok && pos < ilen) {
    size_t end = pos;
    while (end + sep_len <= ilen && memcmp(inp + end, sep, sep_len) != 0) end++;
    if (end + sep_len > ilen) end = ilen;
    /* The matching .out line. */
    size_t oend = opos;
    while (oend < olen && out[oend] != '\n') oend++;
    CHECK(opos < olen, "%s: .out has fewer lines than .inp has tests", name);
    tetra_encoding *e = NULL;
    st = tetra_tokenizer_encode(tok, inp + pos, end - pos, NULL, 0, &opt, &e, &err);
    CHECK(st == TETRA_OK, "%s: test %zu: %s", name, n, err.message);
    if (e) {
      int good = harness_ids_match(e, out + opos, opos < olen ? oend - opos : 0);
      ok += good;
      CHECK(good, "%s: test %zu \"%.*s\": expected \"%.*s\"", name, n, (int)(end - pos), inp + pos,
            (int)(oend - opos), out + opos);
      if (!good) print_ids("got", e);
    }
    tetra_encoding_free(e);
    n++;
    opos = oend + 1;
    pos = end + sep_len;
  }
  printf("test_text_llamacpp: %s: %zu/%zu expected id lists\n", name, ok, n);
  tetra_tokenizer_free(tok);
  free(gguf);
  free(inp);
  free(out);
  return 1;
}

int main(void) {
  int ran = run_vocab("ggml-vocab-bert-bge.gguf");
  ran += run_vocab("ggml-vocab-gpt-2.gguf");
  ran += run_vocab("ggml-vocab-llama-spm.gguf");
  if (ran) CHECK(harness_checks > 0, "some checks ran");
  return harness_finish("test_text_llamacpp");
}
