"""The library's Markdown, rendered for each kind of channel.

``markdown-it-py`` (CommonMark) parses; raw HTML in the content is never passed through (it is
shown as text), and links keep only http(s), tel and mailto targets. Three renderings:

- :func:`to_html` — the web chat: headings, lists, bold, italics, links as safe HTML;
- :func:`to_telegram_html` — Telegram's HTML subset (no headings or lists there: a heading
  becomes a bold line, a list item a "•" line);
- :func:`to_plain` — channels without formatting (console, Zalo): the same lines, no markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

SAFE_SCHEMES = ("http://", "https://", "tel:", "mailto:")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.validateLink = _safe_link  # type: ignore[method-assign]


def to_html(text: str) -> str:
    """Safe HTML for the web chat (external links open in a new tab)."""
    rendered: str = _MD.render(text)
    return rendered.replace("<a href=", '<a rel="noopener" target="_blank" href=').strip()


def to_telegram_html(text: str) -> str:
    return _Lines(_escape, bold=("<b>", "</b>"), italic=("<i>", "</i>"), links=True).render(text)


def to_plain(text: str) -> str:
    return _Lines(lambda s: s, bold=("", ""), italic=("", ""), links=False).render(text)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


class _Lines:
    """Markdown → lines of text with inline markup, for channels that have no block elements."""

    def __init__(
        self,
        escape: Callable[[str], str],
        bold: tuple[str, str],
        italic: tuple[str, str],
        links: bool,
    ) -> None:
        self.escape = escape
        self.bold = bold
        self.italic = italic
        self.links = links

    def render(self, text: str) -> str:
        blocks: list[tuple[str, bool]] = []  # (text, inside a list)
        lists: list[int | None] = []  # per open list: the next number, or None for bullets
        heading = False
        item_starts = False
        for token in _MD.parse(text):
            kind = token.type
            if kind == "heading_open":
                heading = True
            elif kind == "heading_close":
                heading = False
            elif kind == "bullet_list_open":
                lists.append(None)
            elif kind == "ordered_list_open":
                lists.append(int(token.attrGet("start") or 1))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                item_starts = True
            elif kind == "inline":
                line = self._inline(token.children or [])
                if heading:
                    line = f"{self.bold[0]}{line}{self.bold[1]}"
                if lists:
                    indent = "  " * (len(lists) - 1)
                    line = indent + (self._bullet(lists) if item_starts else "  ") + line
                    item_starts = False
                blocks.append((line, bool(lists)))
            elif kind in ("code_block", "fence"):
                blocks.append((self.escape(token.content.rstrip("\n")), bool(lists)))
            elif kind == "hr":
                blocks.append(("—", False))
        return _join(blocks)

    def _bullet(self, lists: list[int | None]) -> str:
        number = lists[-1]
        if number is None:
            return "• "
        lists[-1] = number + 1
        return f"{number}. "

    def _inline(self, children: list[Token]) -> str:
        out: list[str] = []
        href: list[str] = []
        for child in children:
            kind = child.type
            if kind == "text" or kind == "code_inline":
                out.append(self.escape(child.content))
            elif kind in ("softbreak", "hardbreak"):
                out.append("\n")
            elif kind == "strong_open":
                out.append(self.bold[0])
            elif kind == "strong_close":
                out.append(self.bold[1])
            elif kind == "em_open":
                out.append(self.italic[0])
            elif kind == "em_close":
                out.append(self.italic[1])
            elif kind == "link_open":
                url = str(child.attrGet("href") or "")
                href.append(url)
                if self.links and _safe_link(url):
                    out.append(f'<a href="{html.escape(url)}">')
            elif kind == "link_close":
                url = href.pop() if href else ""
                if self.links and _safe_link(url):
                    out.append("</a>")
                elif url and _safe_link(url):
                    out.append(f" ({url})")
            elif kind == "image":
                out.append(self.escape(child.content))
        return "".join(out)


def _join(blocks: list[tuple[str, bool]]) -> str:
    """Paragraphs apart by a blank line; the items of a list on consecutive lines."""
    out: list[str] = []
    previous_in_list = False
    for text, in_list in blocks:
        if out:
            out.append("\n" if in_list and previous_in_list else "\n\n")
        out.append(text)
        previous_in_list = in_list
    return "".join(out).strip()
