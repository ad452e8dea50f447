"""Report files: the CLI writes CSV, HTML and PNG; the HTML renders in a real headless browser."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import subprocess

import pytest

from bot.cli import main
from bot.i18n import translate_in, use_locale
from bot.reports.chart import chart_png, visual
from bot.reports.html_export import report_html
from bot.services import evaluation
from bot.services.evaluation import Scope
from tests.services.feedback_fixtures import add_people, add_session, close_and_answer, make_program

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


async def _program_with_answers(runtime, n: int = 12):
    program = await make_program(runtime, languages=("en", "ar", "ru"))
    ids = await add_people(runtime, program, n, side=0)
    ids += await add_people(runtime, program, n, side=1, role="professional")
    session = await add_session(runtime, program)
    await close_and_answer(
        runtime,
        program,
        session,
        {pid: (4 + i % 2, 4, 3 + i % 3, 5) for i, pid in enumerate(ids)},
        comments={pid: f"Comment {i} <script>alert(1)</script>" for i, pid in enumerate(ids)},
    )
    # Reports count a survey once it has closed: read them a week and a day later.
    runtime.clock.advance(days=8)
    program.session_id = session
    return program


async def _cli(monkeypatch, settings, *argv: str) -> int:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BRIDGEBOT_SECRET", settings.secret)
    return await asyncio.to_thread(main, list(argv))


async def test_cli_writes_csv_html_and_png(runtime, settings, tmp_path, monkeypatch) -> None:
    program = await _program_with_answers(runtime)
    status = await _cli(
        monkeypatch,
        settings,
        "report",
        "--program",
        "Spring Exchange",
        "--format",
        "csv",
        "--format",
        "html",
        "--format",
        "png",
        "--out",
        str(tmp_path),
        "--locale",
        "ru",
        "--group",
        str(program.group_ids[0]),
        "--session",
        str(program.session_id),
    )
    assert status == 0
    stem = tmp_path / f"feedback-session-{program.session_id}"
    rows = list(csv.reader(io.StringIO(stem.with_suffix(".csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == translate_in("ru", "section")
    answered = next(r for r in rows if r[0] == translate_in("ru", "answered"))
    assert answered[3] == "24"
    assert stem.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html  # comments are escaped


async def test_cli_refuses_k_below_three_in_the_default_language(
    runtime, settings, monkeypatch, capsys
) -> None:
    await make_program(runtime)
    monkeypatch.setenv("BRIDGEBOT_DEFAULT_LOCALE", "ru")
    status = await _cli(
        monkeypatch, settings, "survey", "settings", "--program", "Spring Exchange", "--k", "2"
    )
    assert status == 2
    expected = translate_in(
        "ru",
        "The anonymity threshold cannot be {k}: it must be at least {minimum}, so that no answer can be traced back to a person.",
        k=2,
        minimum=3,
    )
    assert expected in capsys.readouterr().err


async def test_cli_survey_set_reports_missing_translations(
    runtime, settings, monkeypatch, tmp_path, capsys
) -> None:
    await make_program(runtime, languages=("en", "ru"))
    items = tmp_path / "items.toml"
    items.write_text(
        '[[items]]\nkey = "useful"\nkind = "likert5"\ntext = { en = "It was useful." }\n',
        encoding="utf-8",
    )
    status = await _cli(
        monkeypatch,
        settings,
        "survey",
        "set",
        "--program",
        "Spring Exchange",
        "--kind",
        "post_session",
        "--file",
        str(items),
    )
    assert status == 0
    assert "cannot start until translated: useful (ru)" in capsys.readouterr().out


def test_rtl_chart_labels_are_put_in_visual_order() -> None:
    with use_locale("he"):
        assert visual("שלום") == "םולש"
        assert visual("שלום 42") == "42 םולש"
    with use_locale("en"):
        assert visual("hello") == "hello"


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium); .ci/run installs it",
)
async def test_html_report_renders_in_headless_chromium(runtime, tmp_path) -> None:
    program = await _program_with_answers(runtime)
    async with runtime.db() as db:
        report = await evaluation.build_report(
            db,
            Scope(program.view.id, program.group_ids[0], program.session_id),
            now=runtime.clock(),
        )
    with use_locale("ar"):
        html = report_html(report, chart_png(report))
        title = translate_in("ar", "Feedback report")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    profile = tmp_path / "profile"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--virtual-time-budget=2000",
        "--dump-dom",
        page.as_uri(),
    ]
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=60
    )
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'dir="rtl"' in dom and title in dom
    # The browser parsed the tables and the embedded chart (nothing was fetched from elsewhere).
    assert 'id="items"' in dom and "data:image/png;base64," in dom
    assert "Comment 3 &lt;script&gt;" in dom
    screenshot = tmp_path / "shot.png"
    shot = [*command[:-2], f"--screenshot={screenshot}", "--window-size=1080,1600", page.as_uri()]
    result = await asyncio.to_thread(
        subprocess.run, shot, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and len(await asyncio.to_thread(screenshot.read_bytes)) > 10_000
    assert len(html.encode()) < 2_000_000
