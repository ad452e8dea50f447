"""Storage order tells nothing: attacks on the files, as a thief with a copy of them would run them.

People answer in an order the test knows (the attacker's button-press record); each answer
carries a unique marker. The attacker then reads the database files: on SQLite the main file's
byte offsets (page and cell position), the write-ahead log and the -shm index; on PostgreSQL
``xmin``, ``ctid`` and the order of a ``pg_dump`` in plain and custom formats. Over many trials
the rank correlation between answering order and any of these positions must be near zero
(a store that keeps arrival order scores close to 1 in absolute value); and before a batch is
written, nothing readable holds any answer at all.
"""

from __future__ import annotations

import logging
import random
import shutil
import subprocess
from glob import glob
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.db.models import PendingAnswers, Receipt, Response
from bot.features.feedback import service as feedback
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from tests.services.feedback_fixtures import add_people, add_session, close_instance, make_program

PEOPLE = 24
TRIALS = 5
K = 5
# Random order gives Spearman with sd 1/sqrt(23) = 0.21 in one trial; the mean over TRIALS has
# sd 0.093, so random order stays within 0.4 of zero but with a chance of about 1 in 60,000.
# A store that keeps arrival order (in any direction) scores close to 1 in absolute value.
BOUND = 0.4


def spearman(order: list[str], positions: dict[str, int]) -> float:
    """Rank correlation between the answering order and the stored position of the same answers."""
    present = [m for m in order if m in positions]
    n = len(present)
    by_position = sorted(present, key=lambda m: positions[m])
    rank = {m: i for i, m in enumerate(by_position)}
    d2 = sum((i - rank[m]) ** 2 for i, m in enumerate(present))
    return 1 - 6 * d2 / (n * (n * n - 1))


def within_page_tau(order: list[str], positions: dict[str, int], page_size: int) -> float | None:
    """Kendall's tau between answering order and cell offset, over pairs that share a page: a
    page fills its cells from the end in the order they are written, whatever the keys."""
    rank = {m: i for i, m in enumerate(order)}
    present = [m for m in order if m in positions]
    score = pairs = 0
    for i, a in enumerate(present):
        for b in present[i + 1 :]:
            if positions[a] // page_size != positions[b] // page_size:
                continue
            pairs += 1
            same_way = (rank[a] < rank[b]) == (positions[a] < positions[b])
            score += 1 if same_way else -1
    return score / pairs if pairs else None


def marker(trial: int, index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "zq" + letters[trial % 26] + letters[index // 26] + letters[index % 26] + "xw"


# ---- reading the files ---------------------------------------------------------------------------


def _sqlite_paths(database_url: str) -> tuple[Path, Path, Path]:
    main = Path(database_url.split(":///", 1)[1])
    return main, Path(f"{main}-wal"), Path(f"{main}-shm")


def _where_in_page(data: bytes, at: int, size: int) -> str:
    """'live' (inside the cell content area), 'gap' (the unallocated middle of a B-tree page,
    where SQLite's rebalancing leaves old bytes) or 'other' (a freelist or overflow page)."""
    page = at // size
    base = page * size + (100 if page == 0 else 0)
    kind = data[base]
    if kind not in (2, 5, 10, 13):
        return "other"
    cells = int.from_bytes(data[base + 3 : base + 5], "big")
    content_start = int.from_bytes(data[base + 5 : base + 7], "big") or 65536
    pointers_end = base - page * size + (8 if kind in (10, 13) else 12) + 2 * cells
    offset = at - page * size
    if offset >= content_start:
        return "live"
    return "gap" if offset >= pointers_end else "other"


def sqlite_positions(database_url: str, markers: list[str]) -> dict[str, int]:
    """Byte offset of each marker's live cell in the main file (page * size + offset in page)."""
    main, wal, shm = _sqlite_paths(database_url)
    data = main.read_bytes()
    size = int.from_bytes(data[16:18], "big")
    size = 65536 if size == 1 else size
    positions = {}
    for m in markers:
        needle, at = m.encode(), -1
        kinds = []
        while (at := data.find(needle, at + 1)) >= 0:
            kind = _where_in_page(data, at, size)
            kinds.append(kind)
            if kind == "live":
                positions[m] = at
        # Deleted cells and freed pages were zeroed (secure_delete); a stale copy of a row moved by
        # rebalancing may sit in a page's unused middle until the daily VACUUM, nowhere else.
        assert kinds.count("live") <= 1 and "other" not in kinds, (m, kinds)
    # The log was cut to nothing after the write, so it has no frames to date anything by...
    assert not wal.exists() or wal.stat().st_size == 0
    # ...and the shared-memory index never holds row content.
    if shm.exists():
        assert not any(m.encode() in shm.read_bytes() for m in markers)
    return positions


def pg_tool(name: str) -> str | None:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def pg_dump_text(database_url: str, fmt: str, tmp_path: Path) -> str:
    url = make_url(database_url)
    dump, restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    if dump is None or restore is None:
        pytest.skip("pg_dump / pg_restore are not installed")
    conn = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or ""]
    if fmt == "plain":
        out = subprocess.run(
            [dump, *conn, "--data-only", "-t", "answers", url.database],
            capture_output=True,
            check=True,
            text=True,
        )
        return out.stdout
    archive = tmp_path / "dump.custom"
    subprocess.run(
        [dump, *conn, "-Fc", "--data-only", "-t", "answers", "-f", str(archive), url.database],
        check=True,
        capture_output=True,
    )
    return subprocess.run(
        [restore, "-f", "-", str(archive)], capture_output=True, check=True, text=True
    ).stdout


def text_positions(dump: str, markers: list[str]) -> dict[str, int]:
    return {m: dump.find(m) for m in markers if m in dump}


async def ctid_positions(engine, markers: list[str]) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT text FROM answers WHERE text IS NOT NULL ORDER BY ctid")
            )
        ).all()
    order = [t for (t,) in rows]
    return {m: order.index(m) for m in markers if m in order}


def sqlite_page_size(database_url: str) -> int:
    header = _sqlite_paths(database_url)[0].read_bytes()[:100]
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


async def attacker_positions(
    engine, database_url, markers, tmp_path, *, dumps: bool = True
) -> dict[str, dict]:
    if engine.dialect.name == "sqlite":
        return {"file offset": sqlite_positions(database_url, markers)}
    found = {"ctid": await ctid_positions(engine, markers)}
    if dumps and pg_tool("pg_dump") is not None:
        for fmt in ("plain", "custom"):
            found[f"pg_dump {fmt}"] = text_positions(
                pg_dump_text(database_url, fmt, tmp_path), markers
            )
    return found


# ---- answering -----------------------------------------------------------------------------------


async def _answer(runtime, program, instance_id, pid, comment, rng) -> None:
    async with runtime.db() as db:
        survey = await surveys.get_survey(db, program.view.id, surveys.POST_SESSION)
        ratings = {i.id: rng.randint(1, 5) for i in survey.items if i.kind != surveys.TEXT}
        accepted = await feedback.submit(
            db, runtime.secret, pid, instance_id, ratings, comment, runtime.clock()
        )
    await feedback_store.settle(runtime.engine, written=bool(accepted.written))


async def _open(runtime, program, ids, title) -> int:
    session = await add_session(runtime, program, title=title)
    async with runtime.db() as db:
        opened = await feedback.open_after_session(
            db,
            session_id=session,
            group_id=program.group_ids[0],
            program_id=program.view.id,
            attendee_ids=ids,
            now=runtime.clock(),
        )
    return opened.instance_id


async def _people(runtime):
    program = await make_program(runtime)
    ids = await add_people(runtime, program, PEOPLE // 2, side=0)
    ids += await add_people(runtime, program, PEOPLE - PEOPLE // 2, side=1)
    return program, ids


# ---- the attacks ---------------------------------------------------------------------------------


async def test_storage_order_carries_no_answering_order(
    runtime, engine, database_url, tmp_path
) -> None:
    program, ids = await _people(runtime)
    rng = random.Random(20260302)
    correlations: dict[str, list[float]] = {}
    for trial in range(TRIALS):
        instance_id = await _open(runtime, program, ids, f"Trial {trial}")
        order = rng.sample(ids, len(ids))  # the button presses, in time order
        markers = [marker(trial, i) for i in range(len(order))]
        for index, pid in enumerate(order):
            await _answer(runtime, program, instance_id, pid, markers[index], rng)
            if index == 21:  # mid-way: three batches written, seven answers waiting
                async with runtime.db() as db:
                    stored = await db.scalar(
                        select(func.count())
                        .select_from(Response)
                        .where(Response.instance_id == instance_id)
                    )
                assert stored == 15
                found = await attacker_positions(
                    engine, database_url, markers[:22], tmp_path, dumps=False
                )
                for where, positions in found.items():
                    assert len(positions) == 15
                    correlations.setdefault(f"{where}, mid-way", []).append(
                        spearman(markers[:22], positions)
                    )
        # The survey closes with everyone answered; the last answer wrote everything out.
        found = await attacker_positions(engine, database_url, markers, tmp_path)
        for where, positions in found.items():
            assert len(positions) == PEOPLE
            correlations.setdefault(where, []).append(spearman(markers, positions))
        if engine.dialect.name == "sqlite":
            tau = within_page_tau(markers, found["file offset"], sqlite_page_size(database_url))
            assert tau is not None  # answers of one survey do share pages
            correlations.setdefault("cell order inside pages", []).append(tau)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                xmins = await conn.scalar(
                    text("SELECT count(DISTINCT xmin::text) FROM responses WHERE instance_id = :i"),
                    {"i": instance_id},
                )
            assert xmins == 1  # one transaction wrote them all: xmin dates nothing
    for where, values in correlations.items():
        mean = sum(values) / len(values)
        assert abs(mean) < BOUND, f"{where}: mean Spearman {mean:.2f} over {values}"
        assert sum(abs(v) for v in values) / len(values) < 0.5, f"{where}: {values}"


async def test_before_a_batch_is_written_nothing_readable_holds_an_answer(
    runtime, engine, database_url, tmp_path, caplog
) -> None:
    program, ids = await _people(runtime)
    instance_id = await _open(runtime, program, ids, "Waiting")
    rng = random.Random(5)
    markers = [marker(0, i) for i in range(2 * K)]
    caplog.set_level(logging.DEBUG)
    for index, pid in enumerate(ids[: 2 * K - 1]):
        await _answer(runtime, program, instance_id, pid, markers[index], rng)
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Response)) == 0
        assert await db.scalar(select(func.count()).select_from(PendingAnswers)) == 1
        assert await db.scalar(select(func.count()).select_from(Receipt)) == 2 * K - 1
        # With the secret (kept apart from the data) the bot can open them...
        assert await feedback_store.waiting(db, runtime.secret, instance_id) == 2 * K - 1
    # ...an attacker with the files, the dumps and the logs reads none of them.
    if engine.dialect.name == "sqlite":
        for path in _sqlite_paths(database_url):
            if path.exists():
                assert not any(m.encode() in path.read_bytes() for m in markers)
    else:
        if pg_tool("pg_dump") is not None:
            for fmt in ("plain", "custom"):
                dump = pg_dump_text(database_url, fmt, tmp_path)
                assert not any(m in dump for m in markers)
        async with engine.connect() as conn:
            sealed = (await conn.execute(text("SELECT sealed FROM pending_answers"))).scalar()
        assert not any(m.encode() in bytes(sealed) for m in markers)
    # Logs at any level (DEBUG shows every statement with its parameters) hold no answer either;
    # they do show who was looked up when, which the button-press record tells anyway.
    assert not any(m in caplog.text for m in markers)
    # The 2k-th answer writes all but a random k of them.
    await _answer(runtime, program, instance_id, ids[2 * K - 1], markers[-1], rng)
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Response)) == K
        assert await feedback_store.waiting(db, runtime.secret, instance_id) == K
    positions = await attacker_positions(engine, database_url, markers, tmp_path)
    assert all(len(p) == K for p in positions.values())
    # When the survey closes, the rest is written; nothing is lost.
    assert await close_instance(runtime, instance_id) == K
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Response)) == 2 * K
        assert await db.scalar(select(func.count()).select_from(PendingAnswers)) == 0
