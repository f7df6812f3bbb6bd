"""Charts for official documents: a plain PNG drawn by matplotlib (Agg, no display) in a CJK
font that fontconfig finds, so the .docx carries the picture and Word, WPS and LibreOffice show
the same thing. The documents' figure title and data source are written under the picture by
the .docx writer (:class:`~gaoxin.engine.official.model.Figure`), not drawn into it.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from collections.abc import Sequence

#: Families tried in order (fonts-noto-cjk first, then any Chinese font fontconfig has).
FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "AR PL UKai CN", ":lang=zh-cn")


@functools.cache
def cjk_font() -> str | None:
    """The file of a font covering simplified Chinese, as fontconfig resolves it, or None."""
    if not shutil.which("fc-match"):
        return None
    for family in FAMILIES:
        done = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{lang}", family],
            capture_output=True,
            text=True,
            check=False,
        )
        path, _, langs = done.stdout.partition("\n")
        if done.returncode == 0 and path and "zh-cn" in langs.split("|"):
            return path
    return None


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    unit: str,
    *,
    decimals: int = 2,
    width_mm: float = 150,
) -> bytes:
    """A horizontal bar chart (one bar a label, largest on top, values printed at the bars'
    ends) as PNG bytes at 200 dpi; labels without a value are left out. ``unit`` names the
    axis (万元、%、家)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    pairs = sorted(
        ((lab, float(v)) for lab, v in zip(labels, values, strict=True) if v is not None),
        key=lambda p: p[1],
    )
    path = cjk_font()
    prop = font_manager.FontProperties(fname=path, size=9) if path else None
    height_in = max(1.6, 0.28 * len(pairs) + 0.8)
    fig, ax = plt.subplots(figsize=(width_mm / 25.4, height_in), dpi=200)
    try:
        names = [p[0] for p in pairs]
        nums = [p[1] for p in pairs]
        bars = ax.barh(range(len(pairs)), nums, color="#3a6ea5", height=0.6)
        ax.set_yticks(range(len(pairs)))
        ax.set_yticklabels(names, fontproperties=prop)
        ax.set_xlabel(unit, fontproperties=prop)
        for tick in ax.get_xticklabels():
            if prop is not None:
                tick.set_fontproperties(prop)
        ax.bar_label(bars, labels=[f"{v:,.{decimals}f}" for v in nums], padding=2, fontsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.15)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return buf.getvalue()
