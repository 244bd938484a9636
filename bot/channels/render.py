"""Rendering helpers shared by channel adapters."""

from __future__ import annotations

from bot.core.messages import Button, Reply


def numbered(reply: Reply, start: int = 1) -> tuple[str, list[Button]]:
    """Buttons as a numbered text menu, for channels without buttons (console, plain Zalo)."""
    flat = [button for row in reply.buttons for button in row]
    lines = [reply.text]
    for number, button in enumerate(flat, start=start):
        suffix = f" ({button.value})" if button.kind.value != "callback" else ""
        lines.append(f"  {number}. {button.label}{suffix}")
    return "\n".join(lines), flat


def split_text(text: str, limit: int) -> list[str]:
    """Split at paragraph, then line, then word boundaries; never inside a word if avoidable."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks
