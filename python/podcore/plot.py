"""A PNG of a simulated run: each ReplicaSet's and StatefulSet's pods, and
the ready and unavailable pods, over simulated time.

Needs matplotlib (``pip install 'podcore[plot]'``); draws with the Agg
backend without touching pyplot's global state. The PNG's metadata carries a
Title and a Description that names the axes, so a reader (or a test) can tell
what it shows without looking at it.
"""

from __future__ import annotations

import pathlib

from podcore.events import Sample

X_LABEL = "simulated seconds"
Y_LABEL = "pods"


class PlotUnavailable(Exception):
    """matplotlib is not installed."""


def plot(samples: list[Sample], path: str | pathlib.Path, title: str) -> None:
    """Draws ``samples`` as step lines and writes the PNG to ``path``; the
    lines go on a little past the last sample so the final state shows."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise PlotUnavailable(
            "--plot needs matplotlib, which is not installed: pip install 'podcore[plot]'"
        ) from None
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    times = [s.time for s in samples]
    if samples:
        span = samples[-1].time - samples[0].time
        times.append(samples[-1].time + max(1.0, span * 0.04))
    names = sorted({n for s in samples for n in s.replicas})
    series = [(f"{n} replicas", [s.replicas.get(n, 0) for s in samples], "-") for n in names]
    series.append(("ready pods", [s.ready for s in samples], "--"))
    series.append(("unavailable pods", [s.unavailable for s in samples], ":"))
    for label, values, style in series:
        if values:
            values = [*values, values[-1]]
        ax.step(times, values, where="post", label=label, linestyle=style, linewidth=1.8)
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(Y_LABEL)
    ax.set_title(title)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    description = f"x axis: {X_LABEL}; y axis: {Y_LABEL}; lines: " + ", ".join(s[0] for s in series)
    fig.savefig(
        pathlib.Path(path),
        format="png",
        dpi=100,
        metadata={"Title": title, "Description": description, "Software": "podcore simulate"},
    )
