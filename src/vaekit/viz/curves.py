"""Training curves from metrics.csv rows: -ELBO, reconstruction, KL (train and held-out), beta."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vaekit.store.metrics import curve_split
from vaekit.viz.figure import new_figure

PANELS = [
    ("-ELBO (nats per example)", "loss"),
    ("reconstruction -E[log p(x|z)] (nats)", "recon"),
    ("KL(q(z|x) || p(z)) (nats)", "kl"),
]


def _column(rows: Sequence[Mapping[str, object]], key: str) -> list[float]:
    out = []
    for row in rows:
        value = row.get(key)
        out.append(float("nan") if value in (None, "") else float(value))  # type: ignore[arg-type]
    return out


def training_curves(rows: Sequence[Mapping[str, object]], note: str = "") -> Figure:
    """rows: metrics rows (epoch, train_loss, val_loss, train_recon, ...; strings or numbers;
    ``test_*`` held-out columns in runs made before validation splits).

    A 900x600 px figure of four panels over epochs; ``note`` (e.g. the likelihood) is the title.
    """
    if not rows:
        raise ValueError("no metrics rows to plot")
    fig = new_figure(900, 600)
    axes = fig.subplots(2, 2).ravel()
    epochs = _column(rows, "epoch")
    marker = "o" if len(rows) <= 30 else None
    held = curve_split(list(rows))  # type: ignore[arg-type]
    for ax, (title, key) in zip(axes, PANELS, strict=False):
        ax.plot(epochs, _column(rows, f"train_{key}"), marker=marker, ms=3, label="train")
        ax.plot(epochs, _column(rows, f"{held}_{key}"), marker=marker, ms=3,
                label="validation" if held == "val" else "test")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
    ax = axes[3]
    ax.plot(epochs, _column(rows, "beta"), marker=marker, ms=3, color="tab:green")
    ax.set_title("beta (KL weight at the epoch's last step)", fontsize=10)
    ax.set_ylim(bottom=0)
    for ax in axes:
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    if note:
        fig.suptitle(note, fontsize=10)
    fig.tight_layout()
    return fig
