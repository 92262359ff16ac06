"""The production configuration the start command ships (issue 14): no source watching,
no full collection after each page run, a tuned collector; --dev reloads on save."""

import gc
import tomllib
from pathlib import Path

import serve

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_production_watches_no_sources_and_skips_the_collection_after_each_run():
    config = _config()
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
    assert {".venv", "data"} <= set(config["server"]["folderWatchBlacklist"])


def test_dev_mode_reloads_on_save_and_keeps_other_options():
    assert serve.streamlit_arguments(["--server.port", "9000"]) == [
        "streamlit", "run", "app.py", "--server.port", "9000"]
    arguments = serve.streamlit_arguments(["--dev", "--server.port", "9000"])
    assert arguments[:3] == ["streamlit", "run", "app.py"] and "--dev" not in arguments
    assert arguments[arguments.index("--server.fileWatcherType") + 1] == "auto"
    assert arguments[-2:] == ["--server.port", "9000"]


def test_the_collector_is_tuned_for_a_long_running_server():
    threshold = gc.get_threshold()
    try:
        serve.tune_garbage_collector()
        assert gc.get_freeze_count() > 100_000  # the app's modules, out of every collection
        assert gc.get_threshold()[0] == serve.GC_THRESHOLD_YOUNGEST
        assert gc.get_threshold()[1:] == threshold[1:]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
