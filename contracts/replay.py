"""Replay files: for each broken rule, a regression test anyone can run, and a cassette.

:func:`write_replay_files` writes, beside the JUnit XML (``reports/replay/`` by default):

- ``test_<rule>.py``: a standalone pytest file that replays the exchange(s) that broke the
  rule against ``$MIXPEEK_BASE_URL`` with ``$MIXPEEK_API_KEY`` (and, when set,
  ``$MIXPEEK_NAMESPACE``/``$MIXPEEK_RETRIEVER_ID``) and asserts the rule
  (:func:`~.regression.assert_rule_holds`). It imports only pytest, httpx and
  ``mixpeek_toolkit.contracts``; a team commits it as a regression test. It fails while the
  server breaks the rule, and passes once it is fixed.
- ``<rule>.har``: the exchanges as recorded, HAR 1.2, secrets redacted (:mod:`.cassette`).

The API key is in neither file.
"""

from __future__ import annotations

import json
import pprint
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .cassette import write_cassette
from .exchange import Exchange
from .regression import API_KEY_MARK
from .report import Finding, Report

__all__ = ["MAX_FINDINGS_PER_RULE", "finding_data", "write_replay_files"]

#: Findings of one rule a replay file replays (the first ones; all are in the JUnit XML).
MAX_FINDINGS_PER_RULE = 3

_TEMPLATE = '''"""Regression test: rule `{rule}` of the Mixpeek retriever execution contract.

Written by mixpeek-contracts when the rule broke against {base_url}
(namespace {namespace!r}, retriever {retriever!r}{seed}). It replays what broke it
against $MIXPEEK_BASE_URL (default: that URL) with $MIXPEEK_API_KEY, and asserts the rule:
it fails while the server breaks the rule, and passes once it is fixed. $MIXPEEK_NAMESPACE
and $MIXPEEK_RETRIEVER_ID, when set, replace the recorded namespace and retriever.

The exchanges as recorded (secrets redacted): {cassette}
"""

import os

import httpx
import pytest

from mixpeek_toolkit.contracts import regression

RULE = {rule!r}
FINDINGS = {findings}


@pytest.fixture
def client():
    base_url = os.environ.get("MIXPEEK_BASE_URL") or {base_url!r}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.mark.parametrize("finding", FINDINGS, ids=[f["source"] for f in FINDINGS])
def test_{function}(client, finding):
    regression.assert_rule_holds(
        client,
        finding,
        api_key=os.environ.get("MIXPEEK_API_KEY") or {default_key!r},
        namespace=os.environ.get("MIXPEEK_NAMESPACE"),
        retriever_id=os.environ.get("MIXPEEK_RETRIEVER_ID"),
    )
'''


def _hide(text: str, secret: str) -> str:
    return text.replace(secret, API_KEY_MARK) if secret else text


def _step(exchange: Exchange, secret: str) -> dict[str, Any]:
    content = exchange.request_content
    if content is None and exchange.request_body is not None:
        content = json.dumps(exchange.request_body).encode()
    return {
        "method": exchange.method,
        "path": exchange.path,
        "query": _hide(exchange.query, secret),
        "headers": {
            name: _hide(value, secret)
            for name, value in exchange.request_headers.items()
            if name.lower() not in {"content-length", "host", "user-agent", "accept-encoding"}
        },
        "body": _hide(content.decode("utf-8", "replace"), secret) if content else None,
        "path_parameters": dict(exchange.path_parameters),
        "schema_valid": exchange.schema_valid,
        "answer": {"status": exchange.status_code, "body": exchange.body},
    }


def finding_data(finding: Finding, report: Report) -> dict[str, Any]:
    """A finding as a replay file records it (plain data; the API key replaced by a mark)."""
    target = report.target
    return {
        "rule": finding.rule,
        "source": finding.source,
        "message": _hide(finding.message, target.api_key),
        "recorded": {
            "base_url": target.url,
            "namespace": target.namespace,
            "retriever_id": target.retriever_id,
            "accept_statuses": sorted(target.accept_statuses),
            "seed": target.seed,
        },
        "steps": [_step(exchange, target.api_key) for exchange in finding.exchanges],
    }


def _slug(rule: str) -> str:
    return re.sub(r"\W+", "_", rule).strip("_") or "rule"


def write_replay_files(report: Report, directory: Path) -> dict[str, list[Path]]:
    """Write a replay test and a cassette for each broken rule that has exchanges to replay;
    answer the files by rule (and keep them on ``report.replay_files``)."""
    written: dict[str, list[Path]] = {}
    target = report.target
    for rule, findings in report.by_rule().items():
        chosen: Sequence[Finding] = [f for f in findings if f.exchanges][:MAX_FINDINGS_PER_RULE]
        if not chosen:
            continue
        slug = _slug(rule)
        cassette = write_cassette(
            directory / f"{slug}.har",
            [exchange for finding in chosen for exchange in finding.exchanges],
            base_url=target.url,
            secret=target.api_key,
            comment=f"Exchanges that broke rule {rule}; the last of each finding broke it.",
        )
        seed = f", seed {target.seed}" if target.seed is not None else ""
        source = _TEMPLATE.format(
            rule=rule,
            function=f"{slug}_holds",
            base_url=target.url,
            namespace=target.namespace,
            retriever=target.retriever_id,
            seed=seed,
            cassette=cassette.name,
            findings=pprint.pformat(
                [finding_data(f, report) for f in chosen], width=96, sort_dicts=False
            ),
            default_key="sk_test_contract",
        )
        test = directory / f"test_{slug}.py"
        test.write_text(source, encoding="utf-8")
        written[rule] = [test, cassette]
    report.replay_files = written
    return written
