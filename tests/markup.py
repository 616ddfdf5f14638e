"""Small checks of a page's markup that the W3C Nu checker would report (no Java needed)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.empty_options = 0
        self._option: dict | None = None
        self._option_text = ""
        self._template = 0
        self._datalist = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "template":
            self._template += 1
        if tag == "datalist":
            self._datalist += 1
        if not self._template and attributes.get("id"):
            self.ids[attributes["id"]] += 1
        self.elements.append((tag, attributes))
        if tag == "option" and not self._datalist:  # a <datalist> option may be empty
            self._option, self._option_text = attributes, ""

    def handle_data(self, data):
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._template -= 1
        if tag == "datalist":
            self._datalist -= 1
        if tag == "option" and self._option is not None:
            if not self._option_text.strip() and not self._option.get("label"):
                self.empty_options += 1
            self._option = None


def collect(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


def duplicate_ids(html: str) -> list[str]:
    """The ids used more than once (outside <template>)."""
    return sorted(i for i, n in collect(html).ids.items() if n > 1)


def empty_options(html: str) -> int:
    """<option> elements with neither text nor a label attribute (a Nu error)."""
    return collect(html).empty_options


def elements(html: str, tag: str, css_class: str | None = None) -> list[dict[str, str | None]]:
    """The attributes of every <tag> (having css_class, when given)."""
    return [a for t, a in collect(html).elements
            if t == tag and (css_class is None or css_class in (a.get("class") or "").split())]
