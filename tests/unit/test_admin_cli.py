"""The first administrator without the first-run page: ``manage.py create-admin`` and
``setup-token``, and what the start command (serve.py) checks and prints before the
server starts."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from sqlmodel import select

import serve
from core import config
from core.db import get_engine, read_session
from models import AppSetting, User
from services.users import SETUP_TOKEN_SETTING

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "an operator's long passphrase"


def _manage(*args: str, url: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_create_admin_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _manage("create-admin", "--username", "Ops", "--name", "运维", "--password-stdin",
                     url=url, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "ops" in result.stdout
    with read_session(get_engine(url)) as session:
        user = session.exec(select(User)).one()
    assert (user.username, user.role.value, user.must_change_password) == ("ops", "admin", False)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--username", "a b", "--name", "x"), PASSWORD, "username:"),
        (("--username", "ops", "--name", "x"), "123456789012", "too easy to guess"),
        (("--username", "ops", "--name", "x"), "short", "at least 12"),
    ],
)
def test_create_admin_refuses_bad_input_in_one_line(tmp_path, args, stdin, message):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _manage("create-admin", *args, "--password-stdin", url=url, stdin=stdin + "\n")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_setup_token_is_printed_on_a_fresh_store_and_refused_afterwards(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = _manage("setup-token", url=url)
    assert first.returncode == 0, first.stderr
    token = first.stdout.strip().rsplit(" ", 1)[1]
    with read_session(get_engine(url)) as session:
        stored = session.get(AppSetting, SETUP_TOKEN_SETTING).value
    assert token not in stored  # only its hash
    _manage("create-admin", "--username", "ops", "--name", "运维", "--password-stdin",
            url=url, stdin=PASSWORD + "\n")
    again = _manage("setup-token", url=url)
    assert again.returncode == 1 and again.stderr.count("\n") == 1


def test_start_command_prints_a_setup_token_only_while_there_is_no_user(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'start.db'}")
    serve.print_setup_token()
    printed = capsys.readouterr().out
    assert "First-run setup token" in printed
    _manage("create-admin", "--username", "ops", "--name", "运维", "--password-stdin",
            url=os.environ["DATABASE_URL"], stdin=PASSWORD + "\n")
    serve.print_setup_token()
    assert "setup token" not in capsys.readouterr().out


def test_start_command_refuses_a_short_cookie_key_and_warns_without_one(monkeypatch, capsys):
    monkeypatch.setenv("LIAISON_COOKIE_KEY", "too short")
    assert serve.check_cookie_key() is False
    assert "at least 32" in capsys.readouterr().err
    monkeypatch.setenv("LIAISON_COOKIE_KEY", "k" * 32)
    assert serve.check_cookie_key() is True
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("LIAISON_COOKIE_KEY")
    monkeypatch.setattr(serve, "configured_cookie_key", lambda: None)
    assert serve.check_cookie_key() is True
    assert "LIAISON_COOKIE_KEY is not set" in capsys.readouterr().err


def test_the_server_listens_on_localhost_unless_told():
    """Finding 3: the server listened on every interface."""
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        assert tomllib.load(handle)["server"]["address"] == "127.0.0.1"


def test_a_secrets_file_that_cannot_be_read_stops_the_start_with_one_line(tmp_path, monkeypatch,
                                                                          capsys):
    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\ncookie_key = ", encoding="utf-8")
    monkeypatch.delenv("LIAISON_COOKIE_KEY", raising=False)
    monkeypatch.setattr(config, "SECRETS_FILES", (broken,))
    assert serve.check_cookie_key() is False
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "secrets.toml" in error


def test_create_admin_without_a_terminal_says_so_in_one_line(tmp_path):
    result = _manage("create-admin", "--username", "ops", "--name", "运维",
                     url=f"sqlite:///{tmp_path / 'cli.db'}", stdin="")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
