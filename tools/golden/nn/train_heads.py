"""Linear probes for the classification heads of the nn goldens (make_encoder_golden.py).

The encoder stays frozen (hash-initialised); only the last layer of the head (`classifier`,
[labels, H] and [labels]) is trained, on the features that layer sees in the Hugging Face
forward: DistilBERT relu(pre_classifier(h[:, 0])) (pre_classifier stays hashed), BERT the pooler
output, RoBERTa token classification each token's hidden state.

Deterministic: full-batch L-BFGS in float64 from zeros (no random init, no sampling), on
standardised features, with an L2 penalty; the result is folded back to the raw features
(W = A / sd, b = c - W mu) and rounded to float32 once. Softmax cross-entropy for single-label
heads, per-label sigmoid cross-entropy for multi-label ones.
"""
import numpy as np
import torch

L2 = 1e-3  # on the standardised weights; keeps the probe smooth without underfitting
# Weight of the int8 term: the mean squared change of the logits between the float32 features and
# the features of the same inputs through a simulated int8 encoder. Without it the probe leans on
# feature directions that carry little signal and that int8 rounding moves as much (logits move by
# up to 0.65, 3.2 on DistilBERT); at 100 they move by at most ~0.08 and the held-out accuracy drops
# by a few points at most.
NOISE = 100.0


def train_linear(X, y, n_labels, multi_label=False, l2=L2, iters=500, Xq=None, noise=0.0):
    """X [n, d] features, y [n] class indices (or [n, labels] 0/1 when multi_label).
    Xq: the same inputs' features from a simulated int8 encoder; noise: the weight of the mean
    squared logit change between X and Xq in the loss.
    Returns (weight [labels, d], bias [labels]) as float32 numpy arrays."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float64))
    mu = X.mean(0)
    sd = X.std(0).clamp_min(1e-6)
    Z = (X - mu) / sd
    D = None
    if Xq is not None and noise > 0:
        D = (torch.as_tensor(np.asarray(Xq, dtype=np.float64)) - X) / sd
    d = X.shape[1]
    A = torch.zeros(n_labels, d, dtype=torch.float64, requires_grad=True)
    c = torch.zeros(n_labels, dtype=torch.float64, requires_grad=True)
    if multi_label:
        Y = torch.as_tensor(np.asarray(y, dtype=np.float64))
        loss_fn = lambda z: torch.nn.functional.binary_cross_entropy_with_logits(z, Y)  # noqa: E731
    else:
        Y = torch.as_tensor(np.asarray(y, dtype=np.int64))
        loss_fn = lambda z: torch.nn.functional.cross_entropy(z, Y)  # noqa: E731
    opt = torch.optim.LBFGS([A, c], lr=1.0, max_iter=iters, history_size=20,
                            tolerance_grad=1e-10, tolerance_change=1e-14,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_fn(Z @ A.T + c) + 0.5 * l2 * (A * A).sum()
        if D is not None:
            loss = loss + noise * ((D @ A.T) ** 2).sum(1).mean()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        W = A / sd
        b = c - W @ mu
    return W.numpy().astype(np.float32), b.numpy().astype(np.float32)


def predictions(logits, multi_label=False):
    logits = np.asarray(logits)
    return (logits > 0).astype(np.int64) if multi_label else logits.argmax(-1)


def top2_margins(logits):
    """Per row: largest logit minus the second largest."""
    s = np.sort(np.asarray(logits, dtype=np.float64), axis=-1)
    return s[..., -1] - s[..., -2]
