/* config.json of BERT-family models: the fields each architecture's Hugging Face config class
 * saves (DistilBERT has its own names: dim, hidden_dim, n_layers, n_heads, activation). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_impl.h"

const char *nn_arch_prefix(nn_arch arch) {
  switch (arch) {
    case NN_BERT: return "bert.";
    case NN_DISTILBERT: return "distilbert.";
    default: return "roberta."; /* XLM-RoBERTa models name their base `roberta` too */
  }
}

uint32_t nn_config_max_positions(const nn_config *c) {
  if (c->arch == NN_ROBERTA || c->arch == NN_XLM_ROBERTA) {
    /* position ids run from padding_idx + 1 to padding_idx + seq_len */
    int64_t usable = (int64_t)c->max_position_embeddings - c->pad_token_id - 1;
    return usable > 0 ? (uint32_t)usable : 0;
  }
  return c->max_position_embeddings;
}

static char *dup_string(const tetra_allocator *a, const char *s, size_t len) {
  char *d = tetra_alloc(a, len + 1);
  if (d) {
    memcpy(d, s, len);
    d[len] = '\0';
  }
  return d;
}

/* An integer field in [lo, hi]; absent fields take `dflt` (or are an error when required). */
static tetra_status get_uint(const tetra_json *root, const char *key, int required, uint32_t dflt,
                             uint32_t lo, uint32_t hi, uint32_t *out, tetra_error *err) {
  const tetra_json *v = tetra_json_get(root, key);
  if (!v || v->type == TETRA_JSON_NULL) {
    if (required)
      return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: field '%s' is missing", key);
    *out = dflt;
    return TETRA_OK;
  }
  if (v->type != TETRA_JSON_NUMBER || !(v->flags & TETRA_JSON_INTEGER))
    return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: field '%s' must be an integer (got %s)",
                           key, tetra_json_type_name((tetra_json_type)v->type));
  if (!(v->u.number >= lo && v->u.number <= hi))
    return tetra_error_set(err, TETRA_ERR_LIMIT, "config.json: field '%s' = %.17g is outside [%u, %u]",
                           key, v->u.number, lo, hi);
  *out = (uint32_t)v->u.number;
  return TETRA_OK;
}

static tetra_status parse_activation(const tetra_json *root, const char *key, nn_config *c,
                                     tetra_error *err) {
  const tetra_json *v = tetra_json_get(root, key);
  if (!v) {
    c->act = TETRA_ACT_GELU; /* every config class's default */
    return TETRA_OK;
  }
  if (v->type != TETRA_JSON_STRING)
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "config.json: field '%s' must be a string naming the activation", key);
  const char *s = v->u.string;
  if (!strcmp(s, "gelu")) c->act = TETRA_ACT_GELU;
  else if (!strcmp(s, "gelu_new") || !strcmp(s, "gelu_pytorch_tanh")) c->act = TETRA_ACT_GELU_TANH;
  else if (!strcmp(s, "relu")) c->act = TETRA_ACT_RELU;
  else
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "config.json: %s '%s' is not supported (supported: gelu, gelu_new, "
                           "gelu_pytorch_tanh, relu)", key, s);
  return TETRA_OK;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* model_type, or failing that the class name in architectures[0]. */
static tetra_status parse_model_type(const tetra_json *root, nn_config *c, tetra_error *err) {
  static const struct { const char *name, *cls; nn_arch arch; } types[] = {
      {"bert", "Bert", NN_BERT},
      {"roberta", "Roberta", NN_ROBERTA},
      {"distilbert", "DistilBert", NN_DISTILBERT},
      {"xlm-roberta", "XLMRoberta", NN_XLM_ROBERTA},
  };
  const tetra_json *v = tetra_json_get(root, "model_type");
  if (v && v->type != TETRA_JSON_STRING)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: model_type must be a string");
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    int match = v ? !strcmp(v->u.string, types[i].name)
                  : !strncmp(c->architecture, types[i].cls, strlen(types[i].cls)) &&
                        (i != 0 || strncmp(c->architecture, "BertGeneration", 14));
    if (match) {
      c->arch = types[i].arch;
      c->model_type = types[i].name;
      return TETRA_OK;
    }
  }
  if (!v)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "config.json: model_type is missing and architectures '%s' names no "
                           "supported model", c->architecture);
  return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                         "config.json: model_type '%s' is not supported (supported: bert, roberta, "
                         "distilbert, xlm-roberta)", v->u.string);
}

/* id2label ({"0": "NEGATIVE", ...}) or num_labels; labels default to "LABEL_<i>". */
static tetra_status parse_labels(const tetra_json *root, nn_config *c, tetra_error *err) {
  const tetra_json *id2label = tetra_json_get(root, "id2label");
  if (id2label && id2label->type != TETRA_JSON_OBJECT)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: id2label must be an object");
  uint32_t n = 0;
  if (id2label && id2label->len > 0) {
    if (id2label->len > NN_MAX_LABELS)
      return tetra_error_set(err, TETRA_ERR_LIMIT, "config.json: id2label has %u labels (limit %u)",
                             id2label->len, NN_MAX_LABELS);
    n = id2label->len;
  } else {
    tetra_status st = get_uint(root, "num_labels", 0, 2, 0, NN_MAX_LABELS, &n, err);
    if (st) return st;
    if (n == 0 && c->head != TETRA_HEAD_NONE)
      return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: num_labels is 0 for %s", c->architecture);
  }
  c->num_labels = n;
  c->labels = tetra_alloc(c->allocator, (n ? n : 1) * sizeof(char *));
  if (!c->labels) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "config.json: out of memory");
  memset(c->labels, 0, n * sizeof(char *));
  for (uint32_t i = 0; id2label && i < id2label->len; i++) {
    const tetra_json *key = &id2label->u.items[2 * i], *val = &id2label->u.items[2 * i + 1];
    char *end = NULL;
    const char *ks = key->u.string;
    unsigned long idx = (ks[0] >= '0' && ks[0] <= '9') ? strtoul(ks, &end, 10) : n;
    if (!end || *end || idx >= n)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "config.json: id2label key '%s' is not an index below %u", ks, n);
    if (val->type != TETRA_JSON_STRING)
      return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: id2label['%s'] must be a string", ks);
    if (c->labels[idx])
      return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: id2label index %lu appears twice", idx);
    if (!(c->labels[idx] = dup_string(c->allocator, val->u.string, val->len)))
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "config.json: out of memory");
  }
  for (uint32_t i = 0; i < n; i++) {
    if (c->labels[i]) continue;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "LABEL_%u", i);
    if (!(c->labels[i] = dup_string(c->allocator, buf, (size_t)len)))
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "config.json: out of memory");
  }
  return TETRA_OK;
}

static tetra_status parse(const tetra_json *root, nn_config *c, tetra_error *err) {
  if (root->type != TETRA_JSON_OBJECT)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: the top level must be an object");
  const tetra_json *archs = tetra_json_get(root, "architectures");
  const tetra_json *a0 = tetra_json_at(archs, 0);
  if (archs && archs->type != TETRA_JSON_ARRAY && archs->type != TETRA_JSON_NULL)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: architectures must be an array");
  if (a0 && a0->type != TETRA_JSON_STRING)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "config.json: architectures[0] must be a string");
  c->architecture = a0 ? dup_string(c->allocator, a0->u.string, a0->len) : dup_string(c->allocator, "", 0);
  if (!c->architecture) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "config.json: out of memory");
  tetra_status st = parse_model_type(root, c, err);
  if (st) return st;

  int distil = c->arch == NN_DISTILBERT;
  int roberta = c->arch == NN_ROBERTA || c->arch == NN_XLM_ROBERTA;
  uint32_t pad = 0;
  if ((st = get_uint(root, "vocab_size", 1, 0, 1, NN_MAX_VOCAB, &c->vocab_size, err)) ||
      (st = get_uint(root, distil ? "dim" : "hidden_size", 1, 0, 1, NN_MAX_DIM, &c->hidden, err)) ||
      (st = get_uint(root, distil ? "n_layers" : "num_hidden_layers", 1, 0, 1, NN_MAX_LAYERS,
                     &c->layers, err)) ||
      (st = get_uint(root, distil ? "n_heads" : "num_attention_heads", 1, 0, 1, NN_MAX_DIM,
                     &c->heads, err)) ||
      (st = get_uint(root, distil ? "hidden_dim" : "intermediate_size", 1, 0, 1, NN_MAX_DIM,
                     &c->intermediate, err)) ||
      (st = get_uint(root, "max_position_embeddings", 0, 512, 1, NN_MAX_DIM,
                     &c->max_position_embeddings, err)) ||
      (st = get_uint(root, "pad_token_id", 0, roberta ? 1 : 0, 0, NN_MAX_VOCAB, &pad, err)))
    return st;
  c->pad_token_id = (int32_t)pad;
  if (distil) {
    c->type_vocab_size = 0;
  } else if ((st = get_uint(root, "type_vocab_size", 0, 2, 0, NN_MAX_DIM, &c->type_vocab_size, err))) {
    return st;
  }
  if (c->hidden % c->heads)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "config.json: %s %u is not a multiple of %s %u", distil ? "dim" : "hidden_size",
                           c->hidden, distil ? "n_heads" : "num_attention_heads", c->heads);
  if (roberta && nn_config_max_positions(c) == 0)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "config.json: max_position_embeddings %u leaves no positions after "
                           "pad_token_id %u + 1", c->max_position_embeddings, pad);

  c->eps = 1e-12f; /* DistilBERT hard-codes it; the others default to it */
  const tetra_json *eps = distil ? NULL : tetra_json_get(root, "layer_norm_eps");
  if (eps) {
    if (eps->type != TETRA_JSON_NUMBER || !(eps->u.number > 0.0 && eps->u.number < 1.0))
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "config.json: layer_norm_eps must be a number in (0, 1)");
    c->eps = (float)eps->u.number;
  }
  if ((st = parse_activation(root, distil ? "activation" : "hidden_act", c, err))) return st;

  if (ends_with(c->architecture, "ForSequenceClassification")) c->head = TETRA_HEAD_SEQUENCE;
  else if (ends_with(c->architecture, "ForTokenClassification")) c->head = TETRA_HEAD_TOKEN;
  else c->head = TETRA_HEAD_NONE;
  if ((st = parse_labels(root, c, err))) return st;
  const tetra_json *pt = tetra_json_get(root, "problem_type");
  c->multi_label = pt && pt->type == TETRA_JSON_STRING && !strcmp(pt->u.string, "multi_label_classification");
  return TETRA_OK;
}

tetra_status nn_config_parse(const char *json, size_t len, const tetra_allocator *allocator,
                             nn_config *cfg, tetra_error *err) {
  memset(cfg, 0, sizeof *cfg);
  cfg->allocator = allocator;
  if (!json) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "config.json: NULL text");
  tetra_json_doc *doc = NULL;
  tetra_status st = tetra_json_parse(json, len, NULL, allocator, &doc, err);
  if (st) {
    tetra_error_prefix(err, "config.json");
    return st;
  }
  st = parse(tetra_json_root(doc), cfg, err);
  tetra_json_free(doc);
  if (st) nn_config_free(cfg);
  return st;
}

void nn_config_free(nn_config *c) {
  if (!c) return;
  if (c->labels)
    for (uint32_t i = 0; i < c->num_labels; i++) tetra_free(c->allocator, c->labels[i]);
  tetra_free(c->allocator, c->labels);
  tetra_free(c->allocator, c->architecture);
  c->labels = NULL;
  c->architecture = NULL;
}
