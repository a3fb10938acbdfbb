"""Small server-rendered SVG line charts (no JavaScript, no CDN); every label is escaped."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 320, 90, 22


def line_chart(points: list[tuple[str, float | None]], *, y_max: float | None = None, y_min: float = 0.0,
               threshold: float | None = None, title: str = "") -> Markup:
    """``points`` = ``[(label, value)]`` in order; ``threshold`` draws a dashed reference line."""
    values = [v for _, v in points if v is not None]
    if not values:
        return Markup('<p class="muted">no data yet</p>')
    top = y_max if y_max is not None else max(max(values), threshold or 0) * 1.1 or 1.0
    bottom = min(y_min, min(values))
    span = (top - bottom) or 1.0
    n = len(points)

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - bottom) / span

    coords = [(x(i), y(v)) for i, (_, v) in enumerate(points) if v is not None]
    path = " ".join(f"{'M' if k == 0 else 'L'}{cx:.1f},{cy:.1f}" for k, (cx, cy) in enumerate(coords))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#bbb"/>']
    if threshold is not None:
        ty = y(threshold)
        parts.append(f'<line x1="{PAD}" y1="{ty:.1f}" x2="{WIDTH - PAD}" y2="{ty:.1f}" stroke="#d33" '
                     f'stroke-dasharray="4 3"/>')
    parts.append(f'<path d="{path}" fill="none" stroke="#2563eb" stroke-width="2"/>')
    for (cx, cy), (label, v) in zip(coords, [p for p in points if p[1] is not None], strict=True):
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="#2563eb"><title>{escape(str(label))}: '
                     f'{v:g}</title></circle>')
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="9" fill="#666">{escape(str(points[0][0]))}</text>')
    parts.append(f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="9" fill="#666" text-anchor="end">'
                 f'{escape(str(points[-1][0]))}</text>')
    parts.append(f'<text x="2" y="{PAD - 8}" font-size="9" fill="#666">{top:g}</text></svg>')
    return Markup("".join(parts))
