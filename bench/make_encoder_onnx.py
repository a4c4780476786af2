#!/usr/bin/python3
"""Exports the encoder benchmark's model to ONNX with torch.onnx.export, for onnxruntime-web and
transformers.js (bench/encoder.mjs runs it; Debian python3-torch and python3-numpy).

    /usr/bin/python3 bench/make_encoder_onnx.py --spec tests/golden/nn/minilm/spec.json \
        --config tests/golden/nn/minilm/config.json --out bench/out/encoder/onnx/model.onnx

The weights are the spec's deterministic ones (tools/golden/nn/nn_weights.py: the same bits that
tests/js/nn_weights.js writes into the safetensors file tetra loads; the script checks the spec's
sha256). The forward is the golden generator's (tools/golden/nn/make_encoder_golden.py:
Hugging Face's BertModel semantics), wrapped in a torch.nn.Module whose parameters are the
state-dict tensors, so the graph is what torch.onnx.export makes of a BertModel: inputs
input_ids, attention_mask, token_type_ids (int64 [batch, sequence]), output last_hidden_state
[batch, sequence, hidden], dynamic batch and sequence axes, opset 14 (LayerNorm and GELU as
primitive ops, which onnxruntime fuses at load). Prints a JSON line with what it wrote.
"""
import argparse
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "golden", "nn"))
import make_encoder_golden as golden  # noqa: E402
import nn_weights  # noqa: E402

FORMAT = 1  # bump when the exported graph changes, so encoder.mjs re-exports


class Encoder(torch.nn.Module):
    def __init__(self, weights, config, family, prefix):
        super().__init__()
        self.names = list(weights)
        # Parameter names cannot contain dots; the ONNX initializers keep the sanitised names.
        for i, name in enumerate(self.names):
            self.register_parameter("w%d" % i, torch.nn.Parameter(weights[name], requires_grad=False))
        self.config = config
        self.family = family
        self.prefix = prefix

    def forward(self, input_ids, attention_mask, token_type_ids):
        # make_encoder_golden.bert_forward, restated with static sizes where the exporter needs
        # constants (LayerNorm's normalized_shape, the head split).
        W = {name: getattr(self, "w%d" % i) for i, name in enumerate(self.names)}
        cfg, p = self.config, self.prefix
        H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
        hd = H // nh
        eps = cfg["layer_norm_eps"]
        F = torch.nn.functional

        def lin(name, x):
            return F.linear(x, W[name + ".weight"], W[name + ".bias"])

        def ln(name, x):
            return F.layer_norm(x, (H,), W[name + ".weight"], W[name + ".bias"], eps)

        def heads(x):  # [B, S, H] -> [B, nh, S, hd]
            return x.reshape(x.shape[0], -1, nh, hd).permute(0, 2, 1, 3)

        if self.family == "roberta":  # create_position_ids_from_input_ids
            pad = cfg["pad_token_id"]
            m = input_ids.ne(pad).int()
            pos = (torch.cumsum(m, dim=1).type_as(m) * m).long() + pad
        else:
            pos = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = W[p + "embeddings.word_embeddings.weight"][input_ids] \
            + W[p + "embeddings.token_type_embeddings.weight"][token_type_ids]
        x = ln(p + "embeddings.LayerNorm", x + W[p + "embeddings.position_embeddings.weight"][pos])
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        for layer in range(cfg["num_hidden_layers"]):
            q = "%sencoder.layer.%d." % (p, layer)
            Q = heads(lin(q + "attention.self.query", x))
            K = heads(lin(q + "attention.self.key", x))
            V = heads(lin(q + "attention.self.value", x))
            scores = torch.matmul(Q, K.transpose(-1, -2)) / math.sqrt(hd) + ext
            ctx = torch.matmul(torch.softmax(scores, dim=-1), V).permute(0, 2, 1, 3)
            ctx = ctx.reshape(ctx.shape[0], -1, H)
            a = ln(q + "attention.output.LayerNorm", lin(q + "attention.output.dense", ctx) + x)
            f = golden.activation(cfg["hidden_act"], lin(q + "intermediate.dense", a))
            x = ln(q + "output.LayerNorm", lin(q + "output.dense", f) + a)
        return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--opset", type=int, default=14)
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    with open(args.config) as f:
        config = json.load(f)
    if config.get("model_type") not in ("bert", "roberta", "xlm-roberta"):
        sys.exit("make_encoder_onnx.py: model_type %r: only BERT-like models" % config.get("model_type"))
    family = "bert" if config["model_type"] == "bert" else "roberta"
    want = spec.get("sha256_f32")
    if want:
        got = nn_weights.sha256_hex(nn_weights.build_safetensors(spec, "F32"))
        if got != want:
            sys.exit("make_encoder_onnx.py: %s: weights hash %s, spec says %s" % (args.spec, got, want))
    weights = {k: torch.from_numpy(v.copy()) for k, v in nn_weights.weights_dict(spec).items()}
    # Only the encoder's tensors (no pooler or head: the benchmark measures the last hidden state).
    prefix = spec.get("prefix", "")
    weights = {k: v for k, v in weights.items()
               if k.startswith(prefix + "embeddings.") or k.startswith(prefix + "encoder.")}
    torch.set_num_threads(1)
    model = Encoder(weights, config, family, prefix).eval()
    B, S = 2, 16
    ids = torch.randint(5, 1000, (B, S), dtype=torch.long)
    mask = torch.ones(B, S, dtype=torch.long)
    mask[1, 10:] = 0
    types = torch.zeros(B, S, dtype=torch.long)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    axes = {0: "batch_size", 1: "sequence_length"}
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, types), args.out,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                        "token_type_ids": axes, "last_hidden_state": axes},
                          opset_version=args.opset, do_constant_folding=True)
        # A check value for the caller: the hidden state of a fixed input from torch itself.
        # The restated forward must equal the golden generator's.
        ref = golden.bert_forward({k: v for k, v in weights.items()}, config, family, prefix, ids, mask, types)
        diff = float((model(ids, mask, types) - ref).abs().max())
    if diff > 1e-5:
        sys.exit("make_encoder_onnx.py: the exported forward differs from the golden one by %g" % diff)
    print(json.dumps({"onnx": args.out, "format": FORMAT, "opset": args.opset,
                      "bytes": os.path.getsize(args.out), "torch": torch.__version__,
                      "max_abs_diff_vs_golden_forward": diff}))


if __name__ == "__main__":
    main()
