/* tetra_quantize: convert a Hugging Face encoder checkpoint to tetra's int8 safetensors.
 *
 *   tetra_quantize config.json model.safetensors [out.safetensors]
 *
 * The encoder layers' linear weights become int8 per output channel with their float32 scales
 * beside them ("<name>_scale"); everything else is kept as float32 (see tetra_encoder_quantize in
 * include/tetra/nn.h). The output defaults to the input's name with ".safetensors" replaced by
 * ".int8.safetensors". The result is checked by opening it before it is reported; a failed run
 * leaves no output file behind. Exit status: 0 done, 1 failed, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetra/bundle.h"
#include "tetra/nn.h"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)size + 1);
  if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) {
    buf[size] = '\0';
    *len = (size_t)size;
  }
  return buf;
}

static char *default_output(const char *input) {
  static const char suffix[] = ".safetensors";
  size_t n = strlen(input), s = sizeof suffix - 1;
  if (n >= s && strcmp(input + n - s, suffix) == 0) n -= s;
  char *out = malloc(n + sizeof ".int8.safetensors");
  if (!out) return NULL;
  memcpy(out, input, n);
  memcpy(out + n, ".int8.safetensors", sizeof ".int8.safetensors");
  return out;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4 || (argv[1][0] == '-' && argv[1][1] != '\0')) {
    fprintf(stderr, "usage: tetra_quantize config.json model.safetensors [out.safetensors]\n");
    return 2;
  }
  const char *config_path = argv[1], *model_path = argv[2];
  char *out_path = argc == 4 ? NULL : default_output(model_path);
  const char *target = argc == 4 ? argv[3] : out_path;
  if (!target) {
    fprintf(stderr, "tetra_quantize: out of memory\n");
    return 1;
  }
  int status = 1;
  size_t config_len = 0, model_len = 0, out_len = 0;
  char *config = read_file(config_path, &config_len), *model = NULL;
  uint8_t *out = NULL;
  tetra_error err;
  tetra_safetensors *check = NULL;
  if (!config) {
    perror(config_path);
    goto done;
  }
  if (!(model = read_file(model_path, &model_len))) {
    perror(model_path);
    goto done;
  }
  if (tetra_encoder_quantize(config, config_len, model, model_len, NULL, &out, &out_len, &err)) {
    fprintf(stderr, "tetra_quantize: %s + %s: %s\n", config_path, model_path, err.message);
    goto done;
  }
  if (tetra_safetensors_open(out, out_len, NULL, &check, &err)) { /* a converter bug, not input */
    fprintf(stderr, "tetra_quantize: the converted file does not open: %s\n", err.message);
    goto done;
  }
  size_t int8 = 0, count = tetra_safetensors_count(check);
  for (size_t i = 0; i < count; i++) int8 += strcmp(tetra_safetensors_at(check, i)->dtype, "I8") == 0;
  FILE *f = fopen(target, "wb");
  if (!f) {
    perror(target);
    goto done;
  }
  int ok = fwrite(out, 1, out_len, f) == out_len;
  ok &= fclose(f) == 0;
  if (!ok) {
    perror(target);
    remove(target);
    goto done;
  }
  printf("%s: %zu tensors (%zu int8 weights), %zu -> %zu bytes\n", target, count, int8, model_len,
         out_len);
  status = 0;
done:
  tetra_safetensors_close(check);
  tetra_free(NULL, out);
  free(config);
  free(model);
  free(out_path);
  return status;
}
