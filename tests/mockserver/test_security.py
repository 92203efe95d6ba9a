"""Nobody let in, no secret shown: API keys compared in constant time and never written
whole; the control API protected by its own token or turned off; a warning when the mock
listens beyond this machine with an open control API."""

from __future__ import annotations

import dataclasses
import json
import logging

import httpx
import pytest
import uvicorn

from mixpeek_toolkit.mockserver import Settings, api, cli, create_app, secrecy
from mixpeek_toolkit.mockserver.secrecy import redact_key, redact_text
from mixpeek_toolkit.mockserver.testing import MockServer
from mixpeek_toolkit.mockserver.testing.failures import (
    MockServerFailure,
    raise_errors,
    secrets_of,
)
from tests.mockserver.conftest import assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}
KEY = "sk_test_4f9c2a7e81d3b6a0c5e9"
OTHER_KEY = "sk_live_0a1b2c3d4e5f6a7b8c9d"
NEAR_MISS = KEY[:-1] + "X"
TOKEN = "control-7Qm2vX9pL4sR8tZ1"
SECRETS = (KEY, OTHER_KEY, NEAR_MISS, TOKEN)


def client_for(app, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock", headers=headers or {}
    )


def auth(key: str = KEY, namespace: str = "team-a") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Namespace": namespace}


# -- redaction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk_test_4f9c2a7e81d3b6a0c5e9", "sk_test_\u2026c5e9"),
        ("sk_live_0a1b2c3d4e5f6a7b8c9d", "sk_live_\u20268c9d"),
        ("sk_0123456789abcdef", "sk_\u2026cdef"),
        ("sk_test_local", "sk_test_\u2026"),  # too short to show a tail and keep a secret
        ("sk_x", "sk_\u2026"),
    ],
)
def test_a_key_is_shown_by_its_type_and_at_most_its_last_four_characters(key, shown):
    assert redact_key(key) == shown


def test_keys_in_text_are_redacted_and_words_that_merely_contain_sk_are_not():
    text = f"task_id=3 key={KEY}, token {TOKEN}; 'sk_test_local'"
    assert redact_text(text, [TOKEN]) == (
        "task_id=3 key=sk_test_\u2026c5e9, token \u2026; 'sk_test_\u2026'"
    )


# -- API keys ----------------------------------------------------------------------------


async def test_a_key_is_compared_with_every_configured_key_in_constant_time(clock, monkeypatch):
    compared = []

    def compare_digest(given, expected):
        compared.append(expected)
        return given == expected

    monkeypatch.setattr(secrecy.hmac, "compare_digest", compare_digest)
    app = create_app(Settings(api_keys={KEY, OTHER_KEY, "sk_test_third_key_0000"}), clock=clock)
    async with client_for(app, auth(OTHER_KEY)) as client:
        assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200

    assert len(compared) == 3  # no early exit: every configured key is compared
    assert all(isinstance(secret, bytes) for secret in compared)


@pytest.mark.parametrize("token", ["sk_caf\u00e9", "sk_\u00ff\u00fe", "sk_" + "\u00e9" * 40])
async def test_a_key_with_any_bytes_is_refused_cleanly(clock, token):
    app = create_app(Settings(api_keys={KEY}, strict=True), clock=clock)
    async with client_for(app) as client:
        headers = {"Authorization": f"Bearer {token}".encode(), "X-Namespace": b"team-a"}
        response = await client.post(execute_path(RETRIEVER), json=QUERY, headers=headers)
    assert_envelope(response, 401, "UnauthorizedError")
    assert app.state.mock.bugs.take() == []


async def test_the_journal_keeps_only_the_redacted_key(clock):
    app = create_app(Settings(strict=True), clock=clock)
    async with client_for(app, auth()) as client:
        await client.post(execute_path(RETRIEVER), json=QUERY)
        [entry] = (await client.get("/_mock/journal")).json()["entries"]
    assert entry["api_key"] == "sk_test_\u2026c5e9"
    assert KEY not in json.dumps(entry)


def test_settings_never_show_their_secrets():
    settings = Settings(api_keys={KEY}, control_token=TOKEN, cursor_secret="cursor-secret-1")
    assert not any(secret in repr(settings) for secret in (KEY, TOKEN, "cursor-secret-1"))
    with pytest.raises(ValueError, match="start with 'sk_'") as refused:
        Settings(api_keys={"pk_live_0a1b2c3d4e5f6a7b8c9d"})
    assert "0a1b2c3d4e5f6a7b8c9d" not in str(refused.value)


# -- the control API: open, protected by a token, or off ----------------------------------


@pytest.fixture
def guarded(clock):
    return create_app(Settings(strict=True, control_token=TOKEN), clock=clock)


async def test_the_control_api_is_open_by_default(client):
    assert (await client.get("/_mock/health", headers={"Authorization": ""})).status_code == 200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "control_token_required"),
        ({"Authorization": "Bearer "}, "control_token_required"),
        ({"X-Mock-Control-Token": TOKEN[:-1]}, "invalid_control_token"),
        ({"Authorization": f"Bearer {TOKEN}x"}, "invalid_control_token"),
        ({"Authorization": f"Bearer {KEY}"}, "invalid_control_token"),  # an API key is not it
    ],
)
async def test_a_protected_control_api_answers_401_without_its_token(guarded, headers, code):
    async with client_for(guarded, headers) as client:
        for method, path in (("GET", "/_mock/health"), ("POST", "/_mock/reset")):
            response = await client.request(method, path)
            error = assert_envelope(response, 401, "UnauthorizedError")
            assert error["code"] == code
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert TOKEN not in response.text


@pytest.mark.parametrize(
    "headers", [{"X-Mock-Control-Token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}]
)
async def test_the_control_token_is_accepted_in_either_header(guarded, headers):
    async with client_for(guarded, headers) as client:
        assert (await client.get("/_mock/health")).status_code == 200
        assert (await client.post("/_mock/reset")).status_code == 204


async def test_the_api_is_unaffected_by_the_control_token(guarded):
    async with client_for(guarded, auth()) as client:
        assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200


async def test_a_control_api_turned_off_answers_404_everywhere(clock):
    app = create_app(Settings(strict=True, control_api=False), clock=clock)
    async with client_for(app, auth()) as client:
        for method, path in (
            ("GET", "/_mock/health"),
            ("POST", "/_mock/reset"),
            ("PUT", "/_mock/world"),
            ("GET", "/_mock/journal"),
            ("POST", "/_mock/scenarios"),
            ("GET", "/_mock/anything/else"),
        ):
            error = assert_envelope(await client.request(method, path), 404, "NotFoundError")
            assert error["code"] == "control_api_off"
        assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"control_api": False, "control_token": TOKEN}, "give one or the other"),
        ({"control_token": "short"}, "at least 16"),
        ({"control_token": "has a space in it!"}, "without spaces"),
    ],
)
def test_control_settings_that_make_no_sense_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        Settings(**changes)


# -- where the mock listens ------------------------------------------------------------------


def test_the_mock_listens_on_loopback_unless_told_otherwise():
    assert Settings().host == "127.0.0.1"
    assert cli.settings_from_args(cli.build_parser().parse_args([])).host == "127.0.0.1"
    assert MockServer.host == "127.0.0.1"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"])
def test_a_loopback_host_needs_no_warning(host):
    assert cli.exposure_warning(Settings(host=host)) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "mock.internal"])
def test_listening_beyond_this_machine_with_an_open_control_api_warns(host):
    warning = cli.exposure_warning(Settings(host=host))
    assert warning is not None and host in warning
    assert warning.count(". ") == 0 and warning.endswith(".")  # one sentence
    assert "--control-token" in warning and "--no-control-api" in warning
    assert cli.exposure_warning(Settings(host=host, control_token=TOKEN)) is None
    assert cli.exposure_warning(Settings(host=host, control_api=False)) is None


def test_the_command_line_prints_the_warning_on_stderr(capsys, monkeypatch):
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    cli.main(["--host", "0.0.0.0"])
    cli.main(["--host", "127.0.0.1"])
    captured = capsys.readouterr()
    assert captured.err.count("Warning: the mock listens on 0.0.0.0") == 1
    assert "Warning" not in captured.out


def test_the_banner_never_prints_a_configured_key():
    settings = Settings(api_keys={KEY}, control_token=TOKEN)
    text = cli.banner(settings, RETRIEVER, 0.1)
    assert not any(secret in text for secret in SECRETS)
    assert 'Authorization: Bearer $MIXPEEK_API_KEY"' in text
    assert "token required" in text
    assert "Control API: off" in cli.banner(Settings(control_api=False), RETRIEVER, 0.1)


# -- a whole run, grepped for the secrets ------------------------------------------------------


async def test_no_answer_journal_entry_log_line_or_report_of_a_run_holds_a_secret(
    clock, caplog, monkeypatch
):
    settings = Settings(
        strict=True,
        api_keys={KEY, OTHER_KEY},
        namespaces={"team-a"},
        rate_limit=5,
        control_token=TOKEN,
    )
    app = create_app(settings, clock=clock, sleep=clock.sleep)
    seen: list[str] = []

    def keep(response: httpx.Response) -> httpx.Response:
        seen.append(f"{response.status_code} {dict(response.headers)!r} {response.text}")
        return response

    def leaking_lookup(namespace, retriever_id):
        raise KeyError(f"no retriever for key {KEY} with token {TOKEN}")

    with caplog.at_level(logging.DEBUG):
        async with client_for(app) as client:
            post = client.post
            created = keep(await post(execute_path(RETRIEVER), json=QUERY, headers=auth()))
            execution = created.json()["execution_id"]
            keep(await client.get(execution_path(RETRIEVER, execution), headers=auth(OTHER_KEY)))
            for key in (NEAR_MISS, "sk_", KEY + " extra", TOKEN):
                keep(await post(execute_path(RETRIEVER), json=QUERY, headers=auth(key)))
            keep(await post(execute_path(RETRIEVER), json=QUERY, headers=auth(namespace="b")))
            for prefer in ("status=401", "status=403", "status=500", "stages=99"):
                headers = {**auth(), "Prefer": prefer}
                keep(await post(execute_path(RETRIEVER), json=QUERY, headers=headers))
            keep(await post(execute_path(RETRIEVER), json=QUERY, headers=auth()))  # 429
            clock.advance(60)
            monkeypatch.setattr(api, "_find_retriever", leaking_lookup)
            keep(await post(execute_path(RETRIEVER), json=QUERY, headers=auth()))  # a bug
            keep(await client.get("/_mock/health", headers={"Authorization": f"Bearer {KEY}"}))
            keep(await client.get("/_mock/health", headers={"X-Mock-Control-Token": NEAR_MISS}))
            control = {"X-Mock-Control-Token": TOKEN}
            journal = keep(await client.get("/_mock/journal", headers=control)).json()
            keep(await client.get(f"/_mock/executions/{execution}", headers=control))

    statuses = sorted({int(answer.split()[0]) for answer in seen})
    assert statuses == [200, 400, 401, 403, 429, 500]
    bugs = app.state.mock.bugs.take()
    assert len(bugs) == 1
    with pytest.raises(MockServerFailure) as failure:
        raise_errors(bugs, secrets=secrets_of(settings))
    everything = "\n".join(
        [*seen, json.dumps(journal), caplog.text, str(failure.value), repr(settings)]
    )
    assert "Traceback" in caplog.text  # the bug was logged, with its traceback
    for secret in SECRETS:
        assert secret not in everything, f"{secret[:6]}... leaked"
    assert [entry["api_key"] for entry in journal["entries"]][:2] == [
        redact_key(KEY),
        redact_key(OTHER_KEY),
    ]
    assert dataclasses.replace(settings).control_token == TOKEN  # kept, just never shown
