"""``--workers N``: the settings reach every worker, and more than one needs a shared store."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver import Settings, cli
from mixpeek_toolkit.mockserver.workers import (
    SETTINGS_ENV,
    app_from_env,
    check_workers,
    settings_from_json,
    settings_to_json,
)
from mixpeek_toolkit.mockserver.world import default_world_path


def test_the_settings_travel_to_the_workers_as_json_unchanged():
    settings = Settings(
        seed=9,
        api_keys={"sk_a", "sk_b"},
        namespaces={"acme"},
        fixtures_path=default_world_path(),
        store="redis://127.0.0.1:6379/3",
        redis_prefix="ci-42:",
        workers=4,
        strict=True,
        cursor_secret="s",
    )
    assert settings_from_json(settings_to_json(settings)) == settings
    assert settings_from_json(settings_to_json(Settings())) == Settings()


def test_each_worker_builds_its_app_from_the_environment(monkeypatch):
    monkeypatch.setenv(SETTINGS_ENV, settings_to_json(Settings(seed=5, readback="statistics")))
    app = app_from_env()
    assert app.state.mock.settings == Settings(seed=5, readback="statistics")
    monkeypatch.delenv(SETTINGS_ENV)
    with pytest.raises(RuntimeError, match="mixpeek-mock --workers N"):
        app_from_env()


def test_more_than_one_worker_without_a_shared_store_is_refused_in_one_sentence(capsys):
    with pytest.raises(ValueError, match=r"^2 workers need a shared store, .*--store redis://"):
        check_workers(Settings(workers=2))
    check_workers(Settings(workers=2, store="redis://127.0.0.1:6379/0"))
    with pytest.raises(SystemExit) as exited:
        cli.main(["--workers", "3"])
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("mixpeek-mock: error: 3 workers need a shared store")
    assert error.count(". ") == 0 and error.endswith("(see docs/scaling.md).")


@pytest.mark.parametrize("store", ["localhost:6379", "postgres://x", ""])
def test_a_store_is_memory_or_a_redis_url(store):
    with pytest.raises(ValueError, match="store must be 'memory' or a Redis URL"):
        Settings(store=store)
    assert Settings(store="unix:///tmp/redis.sock").shared and not Settings().shared
