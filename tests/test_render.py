"""Figures drawn once and cropped must look like matplotlib's own tight crop."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from innobarometer.report import export
from innobarometer.report import figures as render

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 84


def chart(legend: bool = True, label: str = "Collaboration across workplaces"):
    """A dot chart like the reports': long y labels on the left, a legend beyond the right edge."""
    fig, ax = plt.subplots(figsize=(8.5, 3))
    ax.scatter([10, 40, 70], [0, 1, 2], label="Denmark")
    ax.set_yticks([0, 1, 2], ["Citizens", label, "Private firms"])
    ax.set_title("Partners of the latest innovation", loc="left")
    ax.set_xlabel("Share (%)")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def tight_pixels(fig) -> np.ndarray:
    """What `savefig(bbox_inches="tight")` draws, as RGB."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return np.asarray(Image.open(buffer).convert("RGB")).astype(int)


def decoded(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def ink_box(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns that hold anything darker than near-white: where the drawing is."""
    dark = (pixels < 200).any(axis=2)
    rows, columns = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    return rows[0], rows[-1], columns[0], columns[-1]


def test_the_crop_matches_matplotlibs_tight_crop():
    expected = tight_pixels(chart())
    png = render.figure_png(chart(), DPI)
    image = decoded(png)
    assert image.mode == "P" and export.is_palette_png(png)
    got = np.asarray(image.convert("RGB")).astype(int)
    # The same extent to within the rounding of the crop to whole pixels.
    assert abs(got.shape[0] - expected.shape[0]) <= 2
    assert abs(got.shape[1] - expected.shape[1]) <= 2
    # The drawing sits the same distance from each edge, and nothing is cut off.
    top, bottom, left, right = ink_box(got)
    e_top, e_bottom, e_left, e_right = ink_box(expected)
    assert abs(top - e_top) <= 2 and abs(left - e_left) <= 2
    assert abs((got.shape[0] - bottom) - (expected.shape[0] - e_bottom)) <= 2
    assert abs((got.shape[1] - right) - (expected.shape[1] - e_right)) <= 2
    # And it is the same picture: aligned on the ink, the pixels agree almost everywhere.
    height = min(bottom - top, e_bottom - e_top)
    width = min(right - left, e_right - e_left)
    ours = got[top : top + height, left : left + width]
    theirs = expected[e_top : e_top + height, e_left : e_left + width]
    assert np.mean(np.abs(ours - theirs) > 60) < 0.02


def test_the_same_figure_gives_the_same_bytes():
    assert render.figure_png(chart(), DPI) == render.figure_png(chart(), DPI)


def test_labels_longer_than_the_margin_fall_back_to_matplotlibs_crop():
    label = "A label far longer than any margin the fast path leaves " * 3
    expected = tight_pixels(chart(label=label))
    got = np.asarray(decoded(render.figure_png(chart(label=label), DPI)).convert("RGB"))
    assert got.shape[1] == pytest.approx(expected.shape[1], abs=2)
    assert got.shape[1] > (8.5 + render.MARGIN_INCHES[0]) * DPI  # wider than the margin allowed


def test_a_figure_level_title_takes_matplotlibs_crop():
    def titled():
        fig = chart(legend=False)
        fig.suptitle("A figure title, far above everything", y=1.3)
        return fig

    expected = tight_pixels(titled())
    got = np.asarray(decoded(render.figure_png(titled(), DPI)).convert("RGB"))
    assert got.shape == pytest.approx(expected.shape, abs=2)
    assert got.shape[0] > np.asarray(decoded(render.figure_png(chart(False), DPI))).shape[0] + 50


def test_transparent_pixels_become_white_and_palettes_are_recognised():
    rgba = np.zeros((4, 6, 4), dtype=np.uint8)
    rgba[:2] = [0, 114, 178, 255]  # opaque blue on top, fully transparent below
    png = export.palette_png(rgba)
    pixels = np.asarray(decoded(png).convert("RGB"))
    assert (pixels[:2] == [0, 114, 178]).all() and (pixels[2:] == 255).all()
    assert export.is_palette_png(png)
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    assert not export.is_palette_png(buffer.getvalue())
    assert not export.is_palette_png(b"GIF89a" + bytes(30))
