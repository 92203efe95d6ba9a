"""``python -m mixpeek_toolkit.mockserver.serve``: the mock served by granian.

The module never imports granian: it checks the flags as ``mixpeek-mock`` does, then
becomes ``python -m granian`` serving :func:`app_from_flags`, which builds the app from
the same flags. The live test runs only where granian is installed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from mixpeek_toolkit.mockserver import serve


def test_the_app_is_built_from_the_mixpeek_mock_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(serve.FLAGS_VARIABLE, json.dumps(["--seed", "7", "--strict"]))
    settings = serve.app_from_flags().state.mock.settings
    assert (settings.seed, settings.strict) == (7, True)


def test_granian_serves_the_factory_where_the_flags_say() -> None:
    command = serve.granian_command(["--host", "0.0.0.0", "--port", "9100", "--log-level", "trace"])
    assert command[:3] == [sys.executable, "-m", "granian"]
    assert command[-1] == "mixpeek_toolkit.mockserver.serve:app_from_flags"
    after = {flag: command[i + 1] for i, flag in enumerate(command[:-1]) if flag.startswith("--")}
    assert after["--host"] == "0.0.0.0" and after["--port"] == "9100"
    assert (after["--workers"], after["--log-level"], after["--interface"]) == (
        "1",
        "debug",
        "asgi",
    )
    assert "--factory" in command and "--no-ws" in command


def test_a_bad_flag_exits_2_as_mixpeek_mock_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        serve.main(["--failure-rate", "2"])
    assert exited.value.code == 2
    assert "python -m mixpeek_toolkit.mockserver.serve" in capsys.readouterr().err


def test_without_granian_it_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(serve.importlib.util, "find_spec", lambda name: None)
    assert serve.main(["--port", "9101"]) == 2
    assert "pip install granian" in capsys.readouterr().err


def test_granian_serves_the_mock(unused_port: int) -> None:
    pytest.importorskip("granian")
    process = subprocess.Popen(
        [sys.executable, "-m", "mixpeek_toolkit.mockserver.serve", "--port", str(unused_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{unused_port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"{base}/_mock/health").json()["status"] == "ok"
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        answer = httpx.post(
            f"{base}/v1/retrievers/ret_product_search/execute",
            headers={"Authorization": "Bearer sk_test_serve", "X-Namespace": "serve"},
            json={"inputs": {"query": "espresso"}},
        )
        assert answer.status_code == 200 and answer.json()["status"] == "completed"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
