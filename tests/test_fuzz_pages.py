"""Hypothesis against the HTML pages: every GET route and the main forms, as every role, no 500.

The API has its own fuzzer (test_fuzz_api.py, schemathesis against the OpenAPI document);
the pages have no schema, so this one iterates ``app.url_map``: path integers are drawn
from ids that exist, belong to the other organisation or cannot exist (0, 2**63, 25
digits), and the query and form fields from values that broke pages before -- Unicode
digits (``²``, ``١``, ``๑``), numbers too large for SQLite, empty, very long, NUL. Bounded
and deterministic (derandomize=True); prints how many requests ran.
"""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approval.extensions import db
from approval.models import Memo
from tests.conftest import login

#: The seeded organisation's people, one per role, and one of the other organisation.
USERS = ("legal", "head", "deputy", "mayor", "records", "admin", "org2.legal")
#: The query parameters some page reads.
QUERY_NAMES = ("page", "year", "fiscal_year", "author", "person", "q", "state", "decision", "kind",
               "from", "to", "username", "next", "per_page")
NASTY = (
    "", "0", "1", "2", "-1", "²", "¹", "²⁰²⁴", "١٢", "๑", "๒๕๖๗", "٣", "𝟙", "Ⅻ", "1_000", "+3", "1e9", "1.5",
    " 7 ", "99999999999999999999", "9" * 23, str(2**63), str(2**64), "\x00", "1\x00", "a\x00b",
    "x" * 5000, "ก" * 2000, "<script>alert(1)</script>", "%", "%00", "../../etc/passwd", "//evil.example",
    "draft", "in_review", "approve", "login_failed", "2024-05-02", "9999-12-31", "0000-00-00",
)
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers(-10**25, 10**25).map(str))
COMMAND = st.one_of(
    st.tuples(st.sampled_from(["add", "remove", "up", "down", "preview", "", "bogus"]), VALUE)
    .map(lambda t: f"{t[0]}:{t[1]}" if t[1] else t[0]),
    VALUE,
)
ACTIONS = ("submit", "forward", "return", "order", "cancel", "archive", "resubmit", "bogus", "")


def _memo_fields(draw) -> dict:
    data = {"department": draw(VALUE), "date": draw(VALUE), "subject": draw(VALUE), "addressee": draw(VALUE),
            "closing": draw(VALUE), "section_cmd": draw(COMMAND), "version": draw(VALUE)}
    for i in range(draw(st.integers(0, 3))):
        index = draw(st.sampled_from([str(i), "40", "²", "99999999999999999999"]))
        data[f"sections-{index}-title"] = draw(VALUE)
        data[f"sections-{index}-body"] = draw(VALUE)
    return data


def _chain_fields(draw, ids: list[int]) -> dict:
    data = {"chain_cmd": draw(COMMAND)}
    for i in range(draw(st.integers(0, 4))):
        index = draw(st.sampled_from([str(i), "25", "¹"]))
        data[f"steps-{index}-title"] = draw(VALUE)
        data[f"steps-{index}-kind"] = draw(st.sampled_from(["opinion", "order", "", "²"]))
        data[f"steps-{index}-assignee_id"] = draw(st.one_of(st.sampled_from([str(x) for x in ids]), VALUE))
        data[f"steps-{index}-acting"] = draw(VALUE)
    return data


def test_fuzz_every_page(app, seeded, users):
    clients = {}
    for username in USERS:
        clients[username] = app.test_client()
        assert login(clients[username], username).status_code == 302
    clients["anonymous"] = app.test_client()
    ids = sorted(u.id for u in users.values())
    memo_ids = sorted(db.session.scalars(sa.select(Memo.id)))
    path_ints = st.one_of(st.sampled_from([*memo_ids, *ids, 0, 1, 2**31, 2**62, 2**63, 10**25]),
                          st.integers(0, 10**30))
    rules = [r for r in app.url_map.iter_rules()
             if "GET" in r.methods and not r.rule.startswith(("/api/", "/static/"))]
    adapter = app.url_map.bind("localhost")
    counts = {"requests": 0, "500": 0, "routes": set()}

    def path_for(draw, rule) -> str:
        values = {}
        for name, converter in rule._converters.items():
            if type(converter).__name__ == "AnyConverter":
                values[name] = draw(st.sampled_from(sorted(converter.items)))
            elif type(converter).__name__ == "IntegerConverter":
                values[name] = draw(path_ints)
            else:
                values[name] = draw(st.text(min_size=1, max_size=20))
        return adapter.build(rule.endpoint, values, method="GET")

    def send(client, method: str, path: str, **kwargs):
        response = client.open(path, method=method, **kwargs)
        counts["requests"] += 1
        try:
            counts["routes"].add(adapter.match(path, method=method)[0])
        except Exception:  # noqa: BLE001 - a path no rule matches (a negative id): a 404 route
            counts["routes"].add("(no route)")
        if response.status_code >= 500:
            counts["500"] += 1
        assert response.status_code < 500, (method, path, kwargs, response.get_data(as_text=True)[:300])
        return response

    # A sweep first: every GET page as every person (and no one), with an existing id and odd
    # query values, so that no page is left to chance; then hypothesis draws the rest.
    for client in clients.values():
        for rule in rules:
            values = {name: (min(converter.items) if type(converter).__name__ == "AnyConverter"
                             else memo_ids[0] if name == "memo_id" else ids[-1])
                      for name, converter in rule._converters.items()}
            send(client, "GET", adapter.build(rule.endpoint, values, method="GET"),
                 query_string={"page": "99999999999999999999", "year": "²", "q": "๒๕๖๗\x00"})

    @settings(max_examples=350, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        draw = data.draw
        who = draw(st.sampled_from([*USERS, "anonymous"]))
        client = clients[who]
        query = {name: draw(VALUE) for name in draw(st.sets(st.sampled_from(QUERY_NAMES), max_size=4))}
        kind = draw(st.sampled_from(["get"] * 6 + ["memo_new", "memo_edit", "action", "chain", "login", "file"]))
        memo_id = draw(path_ints)
        if kind == "get":
            rule = draw(st.sampled_from(rules))
            send(client, "GET", path_for(draw, rule), query_string=query)
        elif kind == "memo_new":
            send(client, "POST", "/memos/new", data=_memo_fields(draw))
        elif kind == "memo_edit":
            send(client, "POST", f"/memos/{memo_id}/edit", data=_memo_fields(draw))
        elif kind == "action":
            form = {"action": draw(st.sampled_from(ACTIONS)), "comment": draw(VALUE),
                    "decision": draw(st.one_of(st.sampled_from(["approve", "reject", "acknowledge"]), VALUE)),
                    "password": draw(VALUE)}
            send(client, "POST", f"/memos/{memo_id}/action", data=form)
        elif kind == "chain":
            send(client, "POST", "/admin/chain", data=_chain_fields(draw, ids))
        elif kind == "file":
            send(client, "POST", f"/archive/{memo_id}/file", data={"back": draw(VALUE)})
        else:
            send(app.test_client(), "POST", "/login",
                 data={"username": draw(st.one_of(st.sampled_from(USERS), VALUE)), "password": draw(VALUE),
                       "next": draw(VALUE)})

    run()
    print(f"page fuzzing: {counts['requests']} requests over {len(counts['routes'])} endpoints, "
          f"{counts['500']} answers of 500")
    assert counts["requests"] >= 500 and counts["500"] == 0
    assert {r.endpoint for r in rules} <= counts["routes"]  # every GET page was tried
