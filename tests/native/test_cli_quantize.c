/* tools/cli/tetra_quantize: run on a small checkpoint (the xlm-roberta golden model's weights,
 * rebuilt from tests/golden/nn/xlm-roberta/spec.json), its output must be byte for byte what
 * tetra_encoder_quantize gives in process, open as an int8 file, and load; bad input must fail
 * with status 1, a message naming the file, and no output file; bad usage gives status 2.
 * Native only: the wasm flavour cannot run programs (it skips, saying so). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "nn_weights.h"
#include "tetra/bundle.h"
#include "tetra/nn.h"

#ifdef TETRA_QUANTIZE_BIN
static int write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(data, 1, len, f) == len;
  return (fclose(f) == 0) & ok;
}

/* Runs the converter with arguments, stdout and stderr to files; returns its exit status. */
static int run(const char *args, const char *log) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s > '%s' 2>&1", TETRA_QUANTIZE_BIN, args, log);
  int rc = system(cmd);
  return rc >= 0 && rc % 256 == 0 ? rc / 256 : -1; /* POSIX wait status: exit code in bits 8-15 */
}

int main(void) {
  char dir[256], config_path[300], model_path[300], out_path[300], default_out[300], log[300], args[1400];
  snprintf(dir, sizeof dir, "/tmp/tetra_quantize_test_%ld", (long)getpid());
  snprintf(config_path, sizeof config_path, "%s.config.json", dir);
  snprintf(model_path, sizeof model_path, "%s.model.safetensors", dir);
  snprintf(out_path, sizeof out_path, "%s.out.safetensors", dir);
  snprintf(default_out, sizeof default_out, "%s.model.int8.safetensors", dir);
  snprintf(log, sizeof log, "%s.log", dir);
  size_t config_len = 0, model_len = 0;
  char *config = harness_read_file(harness_path("tests/golden/nn/xlm-roberta/config.json"), &config_len);
  uint8_t *model = NULL;
  CHECK(config != NULL, "read the xlm-roberta config");
  if (!config || !nn_weights_build("tests/golden/nn/xlm-roberta/spec.json", NULL, 0, &model, &model_len))
    return harness_finish("test_cli_quantize");
  CHECK(write_file(config_path, config, config_len) && write_file(model_path, model, model_len), "write inputs");

  /* in process, for comparison */
  uint8_t *expected = NULL;
  size_t expected_len = 0;
  tetra_error err;
  CHECK(tetra_encoder_quantize(config, config_len, model, model_len, NULL, &expected, &expected_len, &err) ==
            TETRA_OK, "tetra_encoder_quantize: %s", err.message);

  snprintf(args, sizeof args, "'%s' '%s' '%s'", config_path, model_path, out_path);
  CHECK(run(args, log) == 0, "tetra_quantize exits 0");
  size_t got_len = 0, log_len = 0;
  char *got = harness_read_file(out_path, &got_len), *text = harness_read_file(log, &log_len);
  CHECK(got && expected && got_len == expected_len && memcmp(got, expected, got_len) == 0,
        "the CLI's file equals tetra_encoder_quantize's bytes (%zu vs %zu bytes)", got_len, expected_len);
  CHECK(text && strstr(text, "int8 weights") != NULL, "summary printed: %s", text ? text : "(none)");
  if (text) printf("%s", text);
  free(text);
  tetra_safetensors *st = NULL;
  if (got && tetra_safetensors_open(got, got_len, NULL, &st, &err) == TETRA_OK) {
    const char *q = tetra_safetensors_metadata(st, "tetra.quantization");
    CHECK(q && strcmp(q, "int8-per-channel") == 0, "metadata tetra.quantization");
    size_t int8 = 0, scales = 0;
    for (size_t i = 0; i < tetra_safetensors_count(st); i++) {
      const tetra_safetensors_info *info = tetra_safetensors_at(st, i);
      if (strcmp(info->dtype, "I8") == 0) {
        int8++;
        char name[300];
        snprintf(name, sizeof name, "%s_scale", info->name);
        const tetra_safetensors_info *s = tetra_safetensors_find(st, name);
        scales += s && strcmp(s->dtype, "F32") == 0 && s->rank == 1 && s->shape[0] == info->shape[0];
      }
    }
    CHECK(int8 == 2 * 6 && scales == int8, "12 int8 weights (2 layers x 6 linears), each with its scales: %zu, %zu",
          int8, scales);
    tetra_safetensors_close(st);
    tetra_encoder *enc = NULL;
    CHECK(tetra_encoder_load(config, config_len, got, got_len, TETRA_PRECISION_AUTO, NULL, &enc, &err) == TETRA_OK,
          "the converted file loads: %s", err.message);
    CHECK(enc && tetra_encoder_get_info(enc)->int8, "and runs in int8");
    tetra_encoder_free(enc);
  } else {
    CHECK(0, "the output opens: %s", got ? err.message : "missing");
  }
  free(got);

  /* the default output name */
  snprintf(args, sizeof args, "'%s' '%s'", config_path, model_path);
  CHECK(run(args, log) == 0, "default output name: exit 0");
  got = harness_read_file(default_out, &got_len);
  CHECK(got && got_len == expected_len, "wrote %s", default_out);
  free(got);
  remove(default_out);

  /* bad input: a truncated checkpoint, an already quantized one, a missing file, bad usage */
  remove(out_path);
  CHECK(write_file(model_path, model, model_len / 2), "write the truncated model");
  snprintf(args, sizeof args, "'%s' '%s' '%s'", config_path, model_path, out_path);
  CHECK(run(args, log) == 1, "truncated model: exit 1");
  text = harness_read_file(log, &log_len);
  CHECK(text && strstr(text, model_path) && strstr(text, "safetensors"), "message names the file: %s",
        text ? text : "(none)");
  free(text);
  got = harness_read_file(out_path, &got_len);
  CHECK(got == NULL, "no output after a failure");
  free(got);
  CHECK(write_file(model_path, expected, expected_len), "write the int8 model");
  CHECK(run(args, log) == 1, "already quantized: exit 1");
  text = harness_read_file(log, &log_len);
  CHECK(text && strstr(text, "already quantized"), "message: %s", text ? text : "(none)");
  free(text);
  snprintf(args, sizeof args, "'%s.missing' '%s' '%s'", config_path, model_path, out_path);
  CHECK(run(args, log) == 1, "missing config: exit 1");
  CHECK(run("only-one-argument", log) == 2, "usage: exit 2");

  remove(config_path), remove(model_path), remove(out_path), remove(log);
  tetra_free(NULL, expected);
  free(model);
  free(config);
  return harness_finish("test_cli_quantize");
}
#else
int main(void) {
  printf("test_cli_quantize: SKIPPED (no tetra_quantize binary in this build: it is native only)\n");
  return harness_finish("test_cli_quantize");
}
#endif
