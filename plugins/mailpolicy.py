"""The e-mail policy of the invitations: ``email.policy.SMTP``, remembering the headers it parsed.

Python's ``email`` package parses every header value it is given into a header object (building a
new header class each time) and folds each one again when the message is written. A large plan
sends thousands of messages whose headers are mostly the same (``From``, ``Date``, ``MIME-Version``,
every part's ``Content-Type`` and ``Content-Transfer-Encoding``): this policy parses and folds each
distinct header once. Header objects are immutable (changing a header replaces it), so sharing one
between messages changes nothing in them; the policy writes exactly what ``email.policy.SMTP``
writes (``tests/test_invitations.py`` compares the two).
"""

from __future__ import annotations

from email.headerregistry import Address, HeaderRegistry
from email.policy import EmailPolicy

MAX_REMEMBERED = 50_000  # distinct headers kept; beyond that the memory is started afresh


class RememberingHeaderRegistry(HeaderRegistry):
    """A ``header_factory`` that builds one header class per header name and one header object
    per distinct (name, value), and keeps each object's folded form."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._headers: dict[tuple, object] = {}
        self._kept: dict[int, object] = {}  # the same headers by id: kept alive, so ids stay theirs
        self._folded: dict[tuple[str, int], str] = {}  # (name, id of a kept header) -> folded

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found

    def __call__(self, name: str, value):
        key = _key(name, value)
        if key is None:
            return super().__call__(name, value)
        header = self._headers.get(key)
        if header is None:
            if len(self._headers) >= MAX_REMEMBERED:
                self._headers.clear()
                self._kept.clear()
                self._folded.clear()
            header = self._headers[key] = super().__call__(name, value)
            self._kept[id(header)] = header
        return header

    def folded(self, name: str, header, fold) -> str:
        """``fold()`` of ``header``, once per remembered header object."""
        key = (name, id(header))
        found = self._folded.get(key)
        if found is not None:
            return found
        text = fold()
        if self._kept.get(id(header)) is header:
            self._folded[key] = text
        return text


def _key(name: str, value) -> tuple | None:
    if type(value) is str:
        return (name, str, value)
    if type(value) is Address:
        return (name, Address, value.display_name, value.username, value.domain)
    return None


class RememberingPolicy(EmailPolicy):
    """``EmailPolicy`` whose ``header_factory`` is a ``RememberingHeaderRegistry``."""

    def _fold(self, name, value, refold_binary=False):
        registry = self.header_factory
        if hasattr(value, "name") and isinstance(registry, RememberingHeaderRegistry):
            return registry.folded(
                name, value, lambda: super(RememberingPolicy, self)._fold(name, value, refold_binary)
            )
        return super()._fold(name, value, refold_binary)


def smtp_policy() -> RememberingPolicy:
    """``email.policy.SMTP`` (CRLF line ends, RFC 2047 encoded words), remembering its headers."""
    return RememberingPolicy(linesep="\r\n", header_factory=RememberingHeaderRegistry())
