"""Speed: the CSS of elements (the same values, sooner).

10. The CSS of table cells, remembered across rows.
13. CSS values onto frags without walking every property pair.
"""

from __future__ import annotations

import contextvars

from xhtml2pdf import parser as xparser

from ..registry import ORIGINALS, patch

CSS_KEY = "xhtml2pdf.parser:getCSSAttrCacheKey"
CSS_COLLECT = "xhtml2pdf.parser:CSSCollect"
TRANSFORM_ATTRS = "xhtml2pdf.properties:transform_attrs"
UNIFORM_GROUPS = "xhtml2pdf.parser:apply_uniform_groups"


def _qualifiers(selector):
    for q in getattr(selector, "qualifiers", ()):
        yield q
        inner = getattr(q, "selector", None)
        if inner is not None:
            yield from _qualifiers(inner)
        for argument in getattr(q, "selectors", None) or ():
            yield from _qualifiers(argument)


_CHAIN_OK: dict[int, tuple[object, frozenset, bool]] = {}


def _chain_ok(cascade, attribute_names) -> bool:
    """
    Whether an element's CSS follows from what the cache keys of it and its
    ancestors hold -- tag, class, id, style and the attributes some rule
    selects by: no rule anywhere in the cascade looks at positions or
    siblings, or at attributes or pseudo-classes the keys leave out.
    """
    entry = _CHAIN_OK.get(id(cascade))
    if entry is not None and entry[0] is cascade and entry[1] == attribute_names:
        return entry[2]
    from xhtml2pdf.w3c.css import CSSSelectorAttributeQualifier

    ok = True
    for ruleset in cascade.iterCSSRulesets():
        for selector in ruleset:
            for q in _qualifiers(selector):
                if q.isPseudo():
                    needs = xparser.PSEUDO_CLASS_ATTRIBUTES.get(q.name)
                    if needs is None or not needs <= attribute_names or q.name in xparser.POSITIONAL_PSEUDO_CLASSES:
                        ok = False
                elif isinstance(q, CSSSelectorAttributeQualifier):
                    if q.name not in attribute_names:
                        ok = False
                elif getattr(q, "op", " ") not in {" ", ">"}:
                    ok = False
    _CHAIN_OK.clear()  # one cascade per document: keep only the latest
    _CHAIN_OK[id(cascade)] = (cascade, attribute_names, ok)
    return ok


@patch(CSS_KEY, layer="speed", original_sha256="d9b0be717766e634",
       why="xhtml2pdf keys its CSS cache on the parent node, so no two table rows share an entry")
def _cssKey(node, positional_tags=frozenset(), attribute_names=frozenset()):
    """
    xhtml2pdf caches an element's CSS under its tag, class, id and style
    *and its parent node*, so the cells of a table's rows -- each row a
    different parent -- never share an entry: every cell of the plan
    report's 49-row table ran the whole cascade.  When no rule looks at
    anything but tags, classes, ids and ancestors (checked once per
    document), the parent node is replaced by the parent's own key, made the
    same way: two cells with the same ancestry then share one entry.
    """
    key = ORIGINALS[CSS_KEY](node, positional_tags, attribute_names)
    if positional_tags:
        return key
    parent = node.parentNode
    if parent is None or getattr(parent, "nodeType", None) != parent.ELEMENT_NODE:
        return key
    cascade = _CSS_CASCADE.get()
    if cascade is None or not _chain_ok(cascade, attribute_names):
        return key
    try:
        pkey = parent._thaiCssKey
    except AttributeError:
        pkey = parent._thaiCssKey = _cssKey(parent, positional_tags, attribute_names)
    return key._replace(parent=pkey)


_CSS_CASCADE: contextvars.ContextVar[object | None] = contextvars.ContextVar("thai_css_cascade", default=None)


@patch(CSS_COLLECT, layer="speed", original_sha256="ed93c6e4769e35fd",
       why="lets _cssKey see the document's cascade, to check once that no rule looks past tags, classes and ids")
def _CSSCollect(node, c):
    token = _CSS_CASCADE.set(getattr(c, "cssCascade", None))
    try:
        return ORIGINALS[CSS_COLLECT](node, c)
    finally:
        _CSS_CASCADE.reset(token)


@patch(TRANSFORM_ATTRS, layer="speed", original_sha256="95de18432c06f1cc",
       why="xhtml2pdf builds and grows an argument list for every key, some twenty times per element")
def _transform_attrs(obj, keys, container, func, extras=None):
    """
    xhtml2pdf's ``util.transform_attrs`` (run some twenty times per element
    by ``properties.apply_uniform_groups``) without building and growing a
    list of arguments for every key: the same calls, ``func(value)`` or
    ``func(value, extras)``.  A list of extras (which the original grows as
    it goes) goes to the original.
    """
    if isinstance(extras, list):
        return ORIGINALS[TRANSFORM_ATTRS](obj, keys, container, func, extras)
    if extras is None:
        for reportlab_key, css in keys:
            if css in container:
                setattr(obj, reportlab_key, func(container[css]))
    else:
        for reportlab_key, css in keys:
            if css in container:
                setattr(obj, reportlab_key, func(container[css], extras))
    return None


_GROUP_PLANS: dict[int, tuple] = {}


def _group_plan(groups):
    steps = []
    index: dict[str, list[int]] = {}
    for group in groups:
        for frag_attr, css in group.pairs:
            index.setdefault(css, []).append(len(steps))
            steps.append((frag_attr, css, group.convert, group.relative_to_font_size))
    plan = (groups, {k: tuple(v) for k, v in index.items()}, tuple(steps))
    _GROUP_PLANS[id(groups)] = plan
    return plan


@patch(UNIFORM_GROUPS, layer="speed", original_sha256="2c87107b32362380",
       why="xhtml2pdf walks all 46 property pairs per element where some 19 are declared")
def _apply_uniform_groups(frag, css_attrs, groups):
    """
    ``properties.apply_uniform_groups`` (per element, some 17 converter
    groups and 46 property pairs against ~19 declared properties) walking
    only the pairs whose property is declared: the same converter calls,
    in the same order, with the same arguments (``frag.fontSize`` is not
    among the attributes the groups write, so reading it once per call
    instead of once per group gives the same value).
    """
    plan = _GROUP_PLANS.get(id(groups))
    if plan is None or plan[0] is not groups:
        plan = _group_plan(groups)
    index = plan[1]
    hits = []
    for name in css_attrs:
        found = index.get(name)
        if found is not None:
            hits.extend(found)
    if not hits:
        return
    hits.sort()
    steps = plan[2]
    for i in hits:
        frag_attr, css, convert, relative = steps[i]
        if relative:
            setattr(frag, frag_attr, convert(css_attrs[css], frag.fontSize))
        else:
            setattr(frag, frag_attr, convert(css_attrs[css]))

