"""The container image: built when a docker daemon is available (skipped with the reason
otherwise), and its entry command, run here as a process of the installed package with the image's
environment, answers /start over the fake Bot API and passes the image's own health check."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT
from tests.helpers.driver import TgDriver

DOCKERFILE = ROOT / "Dockerfile"
IMAGE = "bridgebot:test"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def image_command() -> list[str]:
    (cmd,) = [rest for word, rest in _instructions() if word == "CMD"]
    return json.loads(cmd)


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in _instructions():
        if word == "ENV":
            for key, value in re.findall(r"(\w+)=(\S+)", rest):
                env[key] = value
    return env


def healthcheck_command() -> list[str]:
    (check,) = [rest for word, rest in _instructions() if word == "HEALTHCHECK"]
    return json.loads(check.split(" CMD ", 1)[1])


def image_tree(app: Path) -> Path:
    """The image's /app: the Dockerfile's COPY sources (after WORKDIR /app), nothing else."""
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    for word, rest in _instructions():
        if word != "COPY":
            continue
        *sources, _dest = rest.split()
        for source in sources:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, app / source, ignore=ignored)
            else:
                app.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, app / source)
    return app


def docker_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command on this machine: the image is not built here"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return f"no docker daemon ({reason}): the image is not built here"
    return None


def test_the_image_builds_and_runs_as_a_non_root_user() -> None:
    reason = docker_unavailable()
    if reason:
        pytest.skip(reason)
    build = subprocess.run(
        ["docker", "build", "-t", IMAGE, str(ROOT)], capture_output=True, text=True, timeout=1800
    )
    assert build.returncode == 0, build.stderr[-3000:]
    user = subprocess.run(
        ["docker", "run", "--rm", IMAGE, "id", "-u"], capture_output=True, text=True, timeout=120
    )
    assert user.stdout.strip() == "10001"
    usage = subprocess.run(
        ["docker", "run", "--rm", IMAGE, "bridgebot", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert usage.returncode == 0 and "bridgebot" in usage.stdout


def test_compose_file_is_valid() -> None:
    if (
        shutil.which("docker") is None
        or subprocess.run(
            ["docker", "compose", "version"], capture_output=True, timeout=30
        ).returncode
    ):
        pytest.skip("no `docker compose` on this machine: compose.yaml is not validated here")
    env = dict(
        os.environ, TELEGRAM_BOT_TOKEN="1:x", BRIDGEBOT_SECRET="s" * 32, POSTGRES_PASSWORD="p"
    )
    check = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    # env_file .env is absent in a checkout; compose names it, nothing else may fail.
    assert check.returncode == 0 or ".env" in check.stderr, check.stderr


def test_compose_migrates_then_runs_the_image_command() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    assert 'command: ["bridgebot", "db", "upgrade"]' in compose
    assert "condition: service_completed_successfully" in compose
    assert "pg_isready" in compose and "pgdata:/var/lib/postgresql/data" in compose
    assert image_command() == ["bridgebot", "run"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(argv: list[str], env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    log = (folder / "bot.log").open("wb")
    return subprocess.Popen(argv, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)


def _exit_status(argv: list[str]) -> int:
    return subprocess.run(argv, timeout=30, check=False).returncode


@pytest.mark.e2e
async def test_the_image_entry_command_answers_start(bot_env, fake, tmp_path: Path) -> None:
    command = image_command()
    assert command[0] == "bridgebot"
    port = _free_port()
    env = dict(bot_env)
    env.update(image_env())
    # The image's environment, but this machine's paths and a free port for the listener.
    env["MPLCONFIGDIR"] = str(tmp_path / "mpl")
    env["BRIDGEBOT_HTTP_LISTEN"] = env["BRIDGEBOT_HTTP_LISTEN"].replace("8080", str(port))
    # Only what the Dockerfile copies into /app, run from a data folder as the image does.
    app = image_tree(tmp_path / "app")
    data = tmp_path / "data"
    data.mkdir()
    env["PYTHONPATH"] = str(app)
    env["MATPLOTLIBRC"] = str(app / "docker" / "matplotlibrc")
    process = _start([sys.executable, "-m", "bot", *command[1:]], env, data)
    tg = TgDriver(fake, mode="queue", delivery_timeout=30)
    try:
        await fake.wait_for_call("getUpdates", timeout=90)
        ani = fake.user("Ani")
        await tg.start(ani)
        await tg.wait_for(lambda: fake.last_text(fake.private(ani)), timeout=30)
        assert "open the invite link" in fake.last_text(fake.private(ani))
        health = [part.replace("8080", str(port)) for part in healthcheck_command()]
        health[0] = sys.executable
        assert _exit_status(health) == 0
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    lines = (data / "bot.log").read_text().splitlines()
    assert process.returncode == 0, lines
    records = [json.loads(line) for line in lines]  # BRIDGEBOT_LOG_FORMAT=json: one object a line
    assert any(
        r["message"] == "update handled" and r.get("update_kind") == "command" for r in records
    )


def test_the_image_drops_only_word_lists_the_bot_never_reads() -> None:
    sys.path.insert(0, str(ROOT / "docker"))
    try:
        from prune_data import removable
    finally:
        sys.path.remove(str(ROOT / "docker"))
    from bot.domain.conduct.lexicon import FREQUENCY_LANGUAGES, PRESENCE_LISTS

    names = {path.name for path in removable()}
    assert names, "nothing to prune: the word-list packages changed their layout"
    for stem in PRESENCE_LISTS.values():
        assert f"{stem}.dic" not in names
    assert not any(name.startswith("small_") for name in names)
    for language in FREQUENCY_LANGUAGES:
        assert f"small_{language}.msgpack.gz" not in names
    assert "python docker/prune_data.py" in DOCKERFILE.read_text()
