"""Figures as compact PNGs: drawn once, cropped to what was drawn, stored as 8-bit palettes.

`savefig(bbox_inches="tight")` lays a figure out twice: once to find the extent of what it draws,
then again, on a new renderer of the cropped size, to draw it, so every label is measured twice.
`figure_png` gives the figure a wide blank margin instead, draws it once, and crops the pixels to
the same extent (the drawn artists plus `savefig.pad_inches`), which costs about a quarter less per
figure. The margin keeps every axes where it was in inches, so nothing moves relative to anything
else; only figure-level artists (a suptitle, a figure legend) would, and a figure with any of those
takes matplotlib's own path, as does one whose labels reach beyond the margin.

Charts have few colours, so a 256-colour palette (no dithering) looks the same at a third of the
size of RGBA; `palette_png` is also what the build applies to any other PNG a report shows.
"""

from __future__ import annotations

import io

import numpy as np

MARGIN_INCHES = (5.0, 1.0, 3.0, 1.0)  # left, bottom, right, top: y labels are the long ones
PALETTE_COLOUR_TYPE = 3  # the PNG header's colour type of a palette image


def figure_png(fig, dpi: float) -> bytes:
    """The figure as a palette PNG cropped to its drawn extent, as `bbox_inches="tight"` crops."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.texts or fig.legends or fig.images or fig.subfigs or fig.get_layout_engine():
        return _tight_png(fig, dpi)
    width, height = fig.get_size_inches()
    left, bottom, right, top = MARGIN_INCHES
    canvas_width, canvas_height = width + left + right, height + bottom + top
    boxes = [ax.get_position(original=True) for ax in fig.axes]
    for ax, box in zip(fig.axes, boxes):
        ax.set_position(
            [
                (box.x0 * width + left) / canvas_width,
                (box.y0 * height + bottom) / canvas_height,
                box.width * width / canvas_width,
                box.height * height / canvas_height,
            ]
        )
    fig.set_size_inches(canvas_width, canvas_height)
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    # The extent from the renderer that drew the figure: its text measurements are cached.
    extent = fig.get_tightbbox(canvas.get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])
    pixels = np.asarray(canvas.buffer_rgba())
    rows, columns = pixels.shape[:2]
    x0, x1 = int(np.floor(extent.x0 * dpi)), int(np.ceil(extent.x1 * dpi))
    y0, y1 = rows - int(np.ceil(extent.y1 * dpi)), rows - int(np.floor(extent.y0 * dpi))
    if x0 <= 0 or y0 <= 0 or x1 >= columns or y1 >= rows:
        # Something reaches the canvas's edge: the margin was too small for this figure.
        fig.set_size_inches(width, height)
        for ax, box in zip(fig.axes, boxes):
            ax.set_position(box)
        return _tight_png(fig, dpi)
    return palette_png(pixels[y0:y1, x0:x1])


def _tight_png(fig, dpi: float) -> bytes:
    """matplotlib's own tight crop (two layouts), stored as a palette PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(
        buffer, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 0}
    )
    return palette_png(np.asarray(Image.open(buffer).convert("RGBA")))


def palette_png(rgba: np.ndarray) -> bytes:
    """RGBA pixels flattened on white, as an 8-bit palette PNG (zlib's default level)."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(rgba))
    if rgba[..., 3].min() < 255:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=0)
    buffer = io.BytesIO()
    # zlib's default level: `optimize=True` costs 0.06 s per report for 10% smaller figures.
    palette.save(buffer, format="PNG")
    return buffer.getvalue()


def is_palette_png(data: bytes) -> bool:
    """Whether PNG bytes hold a palette image (the IHDR chunk's colour type, byte 25)."""
    return len(data) > 25 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[25] == PALETTE_COLOUR_TYPE
