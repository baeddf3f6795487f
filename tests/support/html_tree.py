"""A small element tree built with the standard library's ``html.parser``, for checking HTML outputs.

Tests read the pages the way a browser would (elements, attributes, text) instead of searching
strings, so a page that merely contains the right words in the wrong place fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The text content, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self, tag: str | None = None, cls: str | None = None) -> Iterator[Element]:
        """Every descendant (depth first) with this tag and/or class."""
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    yield child
                yield from child.iter(tag, cls)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        for element in self.iter(tag, cls):
            if all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return element
        raise AssertionError(f"no <{tag or '*'}> with class {cls!r} and {attrs} in <{self.tag}>")

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return list(self.iter(tag, cls))


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is self.root:
            self.errors.append(f"</{tag}> closes nothing")
            return
        if node is not self.current:
            self.errors.append(f"</{tag}> closes <{self.current.tag}> implicitly")
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    """The document's root; fails on end tags that do not match (the outputs are written well-formed)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert not builder.errors, builder.errors[:5]
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    return builder.root
