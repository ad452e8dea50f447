"""Report files: the CLI writes CSV, HTML and PNG; the HTML renders in a real headless browser."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from html import unescape

import pytest

from bot.cli import main
from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.i18n import translate_in, use_locale
from bot.reports import render
from bot.reports.chart import chart_png, visual
from bot.reports.html_export import report_html
from tests.services.feedback_fixtures import (
    AFTER_CLOSE,
    add_people,
    add_session,
    close_and_answer,
    make_program,
)

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


# Run inside the page by the test only (the report itself has no script): it reads what the
# browser computed (directions, and where characters landed on screen) into a <pre> that
# --dump-dom prints.
PROBE = r"""
<script>
(function () {
  const chars = (root) => {
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        if (!/[\u2066-\u2069]/.test(node.data[i])) out.push([node, i, node.data[i]]);
      }
    }
    return out;
  };
  const left = ([node, i]) => {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    return range.getBoundingClientRect().left;
  };
  const samples = [];
  for (const cell of document.querySelectorAll("#breakdowns td, #items td")) {
    const cs = chars(cell);
    const text = cs.map((c) => c[2]).join("");
    const re = /n = (\d)/g;
    let m;
    while ((m = re.exec(text))) {
      samples.push({n: left(cs[m.index]), digit: left(cs[m.index + 4])});
    }
  }
  const comments = [...document.querySelectorAll("#comments li")].map((li) => {
    const cs = chars(li);
    return {
      text: li.textContent,
      dir: getComputedStyle(li).direction,
      first: left(cs[0]),
      stop: left(cs[cs.length - 1]),
    };
  });
  const footer = document.querySelector("#method");
  const result = {
    dir: getComputedStyle(document.body).direction,
    groupHeaders: [...document.querySelectorAll("#groups thead th")].map((e) => e.textContent),
    groupCells: document.querySelectorAll("#groups tbody tr:first-child td").length,
    trends: [...document.querySelectorAll("#trends li")].map((e) => e.textContent),
    text: document.body.innerText,
    footerAlign: footer ? getComputedStyle(footer.querySelector("p")).textAlign : null,
    samples,
    comments,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>
"""


async def _in_chromium(html: str, folder) -> dict:
    page = folder / "report.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={folder / 'profile'}",
        "--no-first-run",
        "--window-size=1080,1600",
        "--virtual-time-budget=2000",
        "--dump-dom",
        page.as_uri(),
    ]
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    probe = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert probe, result.stdout[-2000:]
    return json.loads(unescape(probe.group(1)))


async def _reports_to_read(runtime):
    """A program of two groups; group 1 has two sessions of 12 and 10 answers (sides 6/6 and
    5/5), each with 6 comments, one in Arabic and one in English: pooled, they are the group's."""
    program = await make_program(runtime, languages=("en", "ar", "ru"), groups=2)
    now = runtime.clock()
    comments = ["شكرا جزيلا على الجلسة.", "Thank you for the session."]
    for week, per_side in ((1, 6), (2, 5)):
        session = await add_session(
            runtime, program, title=f"Week {week}", starts_at=now - timedelta(days=20 - week)
        )
        ids = await add_people(runtime, program, per_side, side=0)
        ids += await add_people(runtime, program, per_side, side=1, role="professional")
        await close_and_answer(
            runtime,
            program,
            session,
            {pid: (3 + week % 2 + i % 2, 4, 3, 5) for i, pid in enumerate(ids)},
            comments={pid: comments[i % 2] + f" ({week}.{i})" for i, pid in enumerate(ids[:6])},
        )
    after = runtime.clock() + AFTER_CLOSE
    async with runtime.db() as db:
        whole = await evaluation.build_report(db, Scope(program.view.id), now=after)
        group = await evaluation.build_report(
            db, Scope(program.view.id, program.group_ids[0]), now=after
        )
    return whole, group


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium); .ci/run installs it",
)
async def test_reports_as_an_organizer_reads_them_in_chromium(runtime, tmp_path) -> None:
    whole, group = await _reports_to_read(runtime)
    for locale in ("en", "ru", "ar"):
        with use_locale(locale):
            pages = [report_html(r, chart_png(r, footer=False)) for r in (whole, group)]
            threshold = render.heading(whole).threshold_line
            method = render.heading(whole).method_line
            headers = [translate_in(locale, h) for h in ("Group", "Invited", "Answered")]
        folder = tmp_path / locale
        folder.mkdir()
        seen = await _in_chromium(pages[0], folder)
        by_group = await _in_chromium(pages[1], folder)
        rtl = locale == "ar"
        assert seen["dir"] == by_group["dir"] == ("rtl" if rtl else "ltr")
        # "n = 24" reads left to right in every language, never mirrored as "24 = n".
        assert seen["samples"] and all(s["n"] < s["digit"] for s in seen["samples"]), seen
        # The groups table says what its columns are.
        assert seen["groupHeaders"] == headers and seen["groupCells"] == 3
        # The counts and the threshold are said once (the page's chart has no footer), and
        # the footnote names the method, aligned where the language starts.
        flat = " ".join(seen["text"].split())
        assert (
            flat.count(" ".join(threshold.replace("\u2068", "").replace("\u2069", "").split())) == 1
        )
        assert " ".join(method.replace("\u2068", "").replace("\u2069", "").split()) in flat
        assert seen["footerAlign"] == "start"
        # The trend names its sessions.
        assert by_group["trends"] and all(
            "Week 1" in line and "Week 2" in line for line in by_group["trends"]
        )
        # Each comment runs in its own script's direction: an Arabic comment's full stop ends it
        # on the left even in an English report, an English one's on the right in Arabic.
        assert len(by_group["comments"]) == 12
        for comment in by_group["comments"]:
            arabic = comment["text"].startswith("شكرا")
            assert comment["dir"] == ("rtl" if arabic else "ltr")
            assert (comment["stop"] < comment["first"]) == arabic, (locale, comment)
        assert "<script>" not in pages[0]


async def test_cli_writes_the_evaluator_package(
    runtime, settings, tmp_path, monkeypatch, capsys
) -> None:
    import json

    await _program_with_answers(runtime)
    status = await _cli(
        monkeypatch,
        settings,
        "report",
        "--program",
        "Spring Exchange",
        "--format",
        "package",
        "--out",
        str(tmp_path),
        "--locale",
        "ar",
    )
    assert status == 0
    folder = tmp_path / next(p.name for p in tmp_path.iterdir() if p.name.endswith("-package"))
    printed = capsys.readouterr().out.split()
    assert str(folder / "datapackage.json") in printed
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert descriptor["language"] == "ar"
    for resource in descriptor["resources"]:
        header = (folder / resource["path"]).read_text("utf-8").splitlines()[0]
        assert header == ",".join(f["name"] for f in resource["schema"]["fields"])
        assert all(f["description"] for f in resource["schema"]["fields"])
    items = (folder / "items.csv").read_text("utf-8").splitlines()
    assert items[1].startswith("felt_heard,24,")  # 24 answers, shown as the report shows them
