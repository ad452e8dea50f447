"""Program evaluation: aggregates of anonymous feedback, with small-cell suppression.

Everything is aggregated in the database (GROUP BY with COUNT, SUM and SUM of squares, or counts
per answer value); Python only ever holds a few numbers per item and cell, never the rows. Each
number a report shows passes through the suppression rules of bot/domain/anonymity: a count below k
is hidden together with the complementary count that would give it away by subtraction, and every
statistic resting on a hidden count (mean, interval, distribution, comment list) goes with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    DialogueGroup,
    DialogueSession,
    Program,
    Response,
    SessionSideStats,
    Side,
    Survey,
    SurveyInstance,
    SurveyItem,
)
from bot.domain.anonymity import reaches_k, suppress_breakdown, suppress_table
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.statistics import Agg, MeanCI, PrePost, mean_ci, pre_post, response_rate, trend
from bot.services import access, surveys
from bot.services.surveys import POST_PROGRAM, POST_SESSION, PRE_PROGRAM, SCALES, TEXT, ItemView

MAX_COMMENTS_SHOWN = 40
UNKNOWN = ""  # the side / role of answers given by people without an enrolment (kept as a category)


@dataclass(frozen=True)
class Scope:
    program_id: int
    group_id: int | None = None
    session_id: int | None = None

    @property
    def level(self) -> str:
        return "session" if self.session_id else "group" if self.group_id else "program"


@dataclass(frozen=True)
class Bar:
    value: int
    count: int | None  # None: suppressed


@dataclass(frozen=True)
class BreakdownCell:
    label: str  # a side's name, a role key, a group's name ('' = unknown)
    n: int | None  # None: suppressed
    mean: float | None


@dataclass(frozen=True)
class ItemStats:
    item: ItemView
    n: int | None  # None: suppressed (0 < n < k)
    stats: MeanCI | None
    bars: tuple[Bar, ...]
    by_side: tuple[BreakdownCell, ...]
    by_role: tuple[BreakdownCell, ...]


@dataclass(frozen=True)
class TrendPointView:
    label: str
    starts_at: datetime | None
    n: int | None
    mean: float | None


@dataclass(frozen=True)
class ItemTrend:
    item: ItemView
    points: tuple[TrendPointView, ...]
    slope: float | None


@dataclass(frozen=True)
class PrePostRow:
    construct: str
    item: ItemView | None  # the item that asks it (for its wording)
    n_pre: int | None
    n_post: int | None
    result: PrePost | None  # None: too few answers on one side (below k) to compare


@dataclass(frozen=True)
class BalanceRow:
    side: str
    members: int
    present: int
    messages: int
    words: int
    message_share: float | None


@dataclass(frozen=True)
class GroupRow:
    name: str
    invited: int
    answered: int | None


@dataclass(frozen=True)
class Report:
    scope: Scope
    program_name: str
    group_name: str | None
    session_title: str | None
    session_starts_at: datetime | None
    k: int
    k_comments: int
    invited: int
    answered: int | None  # None: suppressed
    rate: float | None
    items: tuple[ItemStats, ...]
    comments: tuple[str, ...]
    comment_count: int | None  # None: suppressed
    respondents: Mapping[tuple[str, str], int | None]  # (side, role) -> n or None when hidden
    side_totals: Mapping[str, int | None]
    role_totals: Mapping[str, int | None]
    pre_post: tuple[PrePostRow, ...]
    trends: tuple[ItemTrend, ...]
    balance: tuple[BalanceRow, ...]
    groups: tuple[GroupRow, ...]


@dataclass(frozen=True)
class ScopeChoice:
    kind: str  # program, group, session
    id: int
    label: str
    starts_at: datetime | None = None


# ---- access -----------------------------------------------------------------------------------------


async def require_report_access(
    db: AsyncSession, person_id: int, admin_ids: Iterable[int], scope: Scope
) -> None:
    """Organizers of the scope's program (and admins) only; a group or session must belong to it."""
    program = await db.get(Program, scope.program_id)
    if program is None:
        raise NotFound("unknown_program")
    if not await access.is_organizer(db, person_id, frozenset(admin_ids), scope.program_id):
        raise NotAllowed("needs_organizer")
    if scope.group_id is not None:
        group = await db.get(DialogueGroup, scope.group_id)
        if group is None or group.program_id != scope.program_id:
            raise NotFound("report_unknown_scope")
    if scope.session_id is not None:
        session = await db.get(DialogueSession, scope.session_id)
        group = await db.get(DialogueGroup, session.group_id) if session else None
        if session is None or group is None or group.program_id != scope.program_id:
            raise NotFound("report_unknown_scope")


async def groups_of(db: AsyncSession, program_id: int) -> list[ScopeChoice]:
    rows = await db.execute(
        select(DialogueGroup.id, DialogueGroup.name)
        .where(DialogueGroup.program_id == program_id)
        .order_by(DialogueGroup.name)
    )
    return [ScopeChoice("group", gid, name) for gid, name in rows]


async def closed_sessions_of(db: AsyncSession, group_id: int, limit: int = 30) -> list[ScopeChoice]:
    rows = await db.execute(
        select(DialogueSession.id, DialogueSession.title, DialogueSession.starts_at)
        .where(DialogueSession.group_id == group_id, DialogueSession.status == "closed")
        .order_by(DialogueSession.starts_at.desc())
        .limit(limit)
    )
    return [ScopeChoice("session", sid, title, starts) for sid, title, starts in rows]


# ---- aggregation ------------------------------------------------------------------------------------


def _scoped(query: Select, scope: Scope) -> Select:
    query = query.where(Response.program_id == scope.program_id)
    if scope.group_id is not None:
        query = query.where(Response.group_id == scope.group_id)
    if scope.session_id is not None:
        query = query.where(Response.session_id == scope.session_id)
    return query


def _agg_columns(value):  # count, sum, sum of squares of one column
    return (
        func.count(value),
        func.coalesce(func.sum(value), 0),
        func.coalesce(func.sum(value * value), 0),
    )


async def _kind_item_ids(db: AsyncSession, program_id: int, kinds: Iterable[str]) -> dict[int, str]:
    rows = await db.execute(
        select(SurveyItem.id, Survey.kind)
        .join(Survey, Survey.id == SurveyItem.survey_id)
        .where(Survey.program_id == program_id, Survey.kind.in_(list(kinds)))
    )
    return dict(rows.all())


def _mean_or_none(agg: Agg, shown: bool) -> float | None:
    return agg.total / agg.n if shown and agg.n else None


def _breakdown(aggs: Mapping[str, Agg], k: int) -> tuple[BreakdownCell, ...]:
    counts = {label: agg.n for label, agg in aggs.items()}
    if not counts:
        return ()
    hidden = suppress_breakdown(counts, k)
    return tuple(
        BreakdownCell(
            label=label,
            n=None if label in hidden.hidden else aggs[label].n,
            mean=_mean_or_none(
                aggs[label], label not in hidden.hidden and reaches_k(aggs[label].n, k)
            ),
        )
        for label in counts
    )


async def build_report(db: AsyncSession, scope: Scope, *, rng_seed: int | None = None) -> Report:
    """The report of one program, group or session (post-session survey; pre/post at program level)."""
    program = await db.get(Program, scope.program_id)
    if program is None:
        raise NotFound("unknown_program")
    await surveys.ensure_surveys(db, scope.program_id, program.created_at)
    settings = await surveys.settings_of(db, scope.program_id)
    k, k_comments = settings.k_ratings, settings.k_comments
    group = await db.get(DialogueGroup, scope.group_id) if scope.group_id else None
    session = await db.get(DialogueSession, scope.session_id) if scope.session_id else None
    sides = dict(
        (
            await db.execute(select(Side.id, Side.name).where(Side.program_id == scope.program_id))
        ).all()
    )

    kinds_of_items = await _kind_item_ids(
        db, scope.program_id, (POST_SESSION, PRE_PROGRAM, POST_PROGRAM)
    )
    post_session_items = [i for i, kind in kinds_of_items.items() if kind == POST_SESSION]
    items = await surveys.items_by_id(db, kinds_of_items)

    # Invited and answered (post-session survey).
    invited_query = (
        select(func.coalesce(func.sum(SurveyInstance.invited), 0))
        .join(Survey, Survey.id == SurveyInstance.survey_id)
        .where(SurveyInstance.program_id == scope.program_id, Survey.kind == POST_SESSION)
    )
    if scope.group_id is not None:
        invited_query = invited_query.where(SurveyInstance.group_id == scope.group_id)
    if scope.session_id is not None:
        invited_query = invited_query.where(SurveyInstance.session_id == scope.session_id)
    invited = int(await db.scalar(invited_query) or 0)
    post_instances = (
        select(SurveyInstance.id)
        .join(Survey, Survey.id == SurveyInstance.survey_id)
        .where(SurveyInstance.program_id == scope.program_id, Survey.kind == POST_SESSION)
    )
    respondent_rows = (
        await db.execute(
            _scoped(
                select(Response.side_id, Response.role, func.count()).where(
                    Response.instance_id.in_(post_instances)
                ),
                scope,
            ).group_by(Response.side_id, Response.role)
        )
    ).all()
    respondents_raw: dict[tuple[str, str], int] = {}
    for side_id, role, n in respondent_rows:
        key = (sides.get(side_id, UNKNOWN), role or UNKNOWN)
        respondents_raw[key] = respondents_raw.get(key, 0) + n
    answered_raw = sum(respondents_raw.values())
    answered = answered_raw if (answered_raw == 0 or reaches_k(answered_raw, k)) else None
    rate = (
        response_rate(answered_raw, max(invited, answered_raw))
        if answered is not None and invited
        else None
    )

    respondents: dict[tuple[str, str], int | None] = {}
    side_totals: dict[str, int | None] = {}
    role_totals: dict[str, int | None] = {}
    if respondents_raw:
        table = suppress_table(respondents_raw, k, grand_total_shown=answered is not None)
        for key, n in respondents_raw.items():
            respondents[key] = None if key in table.cells else n
        for side in dict.fromkeys(s for s, _ in respondents_raw):
            total = sum(n for (s, _), n in respondents_raw.items() if s == side)
            side_totals[side] = None if side in table.row_totals else total
        for role in dict.fromkeys(r for _, r in respondents_raw):
            total = sum(n for (_, r), n in respondents_raw.items() if r == role)
            role_totals[role] = None if role in table.column_totals else total

    # Per item: aggregates, distribution, breakdowns.
    # One pass over the answers: counts per (item, side, role, value). The cells are bounded by the
    # survey's shape, not by the number of responses; every mean, sum of squares, distribution and
    # breakdown below is derived exactly from them.
    cells: dict[tuple[int, object, object, int], int] = {}
    for item_id, side_id, role, value, n in await db.execute(
        _scoped(
            select(Answer.item_id, Response.side_id, Response.role, Answer.value, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.item_id.in_(post_session_items), Answer.value.is_not(None)),
            scope,
        ).group_by(Answer.item_id, Response.side_id, Response.role, Answer.value)
    ):
        cells[(item_id, side_id, role, int(value))] = int(n)
    value_counts: dict[int, dict[int, int]] = {}
    side_counts: dict[tuple[int, object], dict[int, int]] = {}
    role_counts: dict[tuple[int, object], dict[int, int]] = {}
    for (item_id, side_id, role, value), n in cells.items():
        for table, key in (
            (value_counts, item_id),
            (side_counts, (item_id, side_id)),
            (role_counts, (item_id, role)),
        ):
            bucket = table.setdefault(key, {})
            bucket[value] = bucket.get(value, 0) + n
    aggs = {item_id: Agg.from_counts(counts) for item_id, counts in value_counts.items()}
    by_side = {key: Agg.from_counts(counts) for key, counts in side_counts.items()}
    by_role = {key: Agg.from_counts(counts) for key, counts in role_counts.items()}

    current = {i.id for i in (await surveys.get_survey(db, scope.program_id, POST_SESSION)).items}
    item_stats = []
    for item_id in sorted(post_session_items, key=lambda i: (items[i].position, i)):
        item = items[item_id]
        if item.kind == TEXT:
            continue
        agg = aggs.get(item_id, Agg(0, 0.0, 0.0))
        if item_id not in aggs and item_id not in current:
            continue  # an item of an older version nobody answered in this scope
        shown = agg.n == 0 or reaches_k(agg.n, k)
        stats = mean_ci(agg.n, agg.total, agg.total_sq) if shown and agg.n else None
        bars: tuple[Bar, ...] = ()
        if shown and agg.n:
            counts = {
                value: value_counts.get(item_id, {}).get(value, 0) for value in SCALES[item.kind]
            }
            hidden = suppress_breakdown(counts, k)
            bars = tuple(Bar(v, None if v in hidden.hidden else c) for v, c in counts.items())
        side_cells = {
            sides.get(side_id, UNKNOWN): a
            for (iid, side_id), a in by_side.items()
            if iid == item_id
        }
        role_cells = {(role or UNKNOWN): a for (iid, role), a in by_role.items() if iid == item_id}
        item_stats.append(
            ItemStats(
                item=item,
                n=agg.n if shown else None,
                stats=stats,
                bars=bars,
                by_side=_breakdown(side_cells, k) if shown else (),
                by_role=_breakdown(role_cells, k) if shown else (),
            )
        )

    # Comments: only where their cell reaches k_comments, in random order, drawn by the database.
    text_items = [i for i in post_session_items if items[i].kind == TEXT]
    comment_base = _scoped(
        select(func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.item_id.in_(text_items), Answer.text.is_not(None)),
        scope,
    )
    comment_total = int(await db.scalar(comment_base) or 0) if text_items else 0
    comments: tuple[str, ...] = ()
    if text_items and reaches_k(comment_total, k_comments):
        drawn = await db.scalars(
            _scoped(
                select(Answer.text)
                .join(Response, Response.id == Answer.response_id)
                .where(Answer.item_id.in_(text_items), Answer.text.is_not(None)),
                scope,
            )
            .order_by(func.random())
            .limit(MAX_COMMENTS_SHOWN)
        )
        comments = tuple(drawn.all())
    comment_count = (
        comment_total if (comment_total == 0 or reaches_k(comment_total, k_comments)) else None
    )

    return Report(
        scope=scope,
        program_name=program.name,
        group_name=group.name if group else None,
        session_title=session.title if session else None,
        session_starts_at=session.starts_at if session else None,
        k=k,
        k_comments=k_comments,
        invited=invited,
        answered=answered,
        rate=rate,
        items=tuple(item_stats),
        comments=comments,
        comment_count=comment_count,
        respondents=respondents,
        side_totals=side_totals,
        role_totals=role_totals,
        pre_post=await _pre_post(db, scope, items, kinds_of_items, k)
        if scope.level == "program"
        else (),
        trends=await _trends(db, scope, items, post_session_items, k)
        if scope.level == "group"
        else (),
        balance=await _balance(db, scope, sides),
        groups=await _groups(db, scope, k) if scope.level == "program" else (),
    )


async def _grouped_aggs(
    db: AsyncSession, scope: Scope, item_ids: list[int], column
) -> dict[tuple[int, object], Agg]:
    rows = await db.execute(
        _scoped(
            select(Answer.item_id, column, *_agg_columns(Answer.value))
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.item_id.in_(item_ids), Answer.value.is_not(None)),
            scope,
        ).group_by(Answer.item_id, column)
    )
    return {(item_id, key): Agg(int(n), float(t), float(t2)) for item_id, key, n, t, t2 in rows}


async def _pre_post(
    db: AsyncSession, scope: Scope, items: Mapping[int, ItemView], kinds: Mapping[int, str], k: int
) -> tuple[PrePostRow, ...]:
    rows = await db.execute(
        _scoped(
            select(Survey.kind, SurveyItem.construct, *_agg_columns(Answer.value))
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(SurveyItem, SurveyItem.id == Answer.item_id)
            .join(Survey, Survey.id == SurveyItem.survey_id)
            .where(
                Survey.kind.in_((PRE_PROGRAM, POST_PROGRAM)),
                SurveyItem.construct.is_not(None),
                Answer.value.is_not(None),
            ),
            scope,
        ).group_by(Survey.kind, SurveyItem.construct)
    )
    aggs: dict[tuple[str, str], Agg] = {
        (kind, construct): Agg(int(n), float(t), float(t2)) for kind, construct, n, t, t2 in rows
    }
    constructs: dict[str, ItemView] = {}
    for item_id, kind in kinds.items():
        item = items[item_id]
        if kind in (PRE_PROGRAM, POST_PROGRAM) and item.construct and item.kind != TEXT:
            constructs.setdefault(item.construct, item)
    result = []
    for construct, item in sorted(constructs.items(), key=lambda c: (c[1].position, c[0])):
        pre = aggs.get((PRE_PROGRAM, construct), Agg(0, 0.0, 0.0))
        post = aggs.get((POST_PROGRAM, construct), Agg(0, 0.0, 0.0))
        pre_shown = pre.n == 0 or reaches_k(pre.n, k)
        post_shown = post.n == 0 or reaches_k(post.n, k)
        compared = None
        if reaches_k(pre.n, max(k, 2)) and reaches_k(post.n, max(k, 2)):
            compared = pre_post(pre, post)
        result.append(
            PrePostRow(
                construct=construct,
                item=item,
                n_pre=pre.n if pre_shown else None,
                n_post=post.n if post_shown else None,
                result=compared,
            )
        )
    return tuple(result)


async def _trends(
    db: AsyncSession, scope: Scope, items: Mapping[int, ItemView], item_ids: list[int], k: int
) -> tuple[ItemTrend, ...]:
    sessions = (
        await db.execute(
            select(DialogueSession.id, DialogueSession.title, DialogueSession.starts_at)
            .where(DialogueSession.group_id == scope.group_id, DialogueSession.status == "closed")
            .order_by(DialogueSession.starts_at)
        )
    ).all()
    per = await _grouped_aggs(db, scope, item_ids, Response.session_id)
    out = []
    for item_id in sorted(item_ids, key=lambda i: (items[i].position, i)):
        item = items[item_id]
        if item.kind == TEXT or not any(iid == item_id for iid, _ in per):
            continue
        counts = {sid: per.get((item_id, sid), Agg(0, 0.0, 0.0)).n for sid, _, _ in sessions}
        hidden = suppress_breakdown(counts, k).hidden if counts else frozenset()
        usable = [
            (
                title,
                per.get((item_id, sid), Agg(0, 0.0, 0.0))
                if sid not in hidden
                else Agg(0, 0.0, 0.0),
            )
            for sid, title, _ in sessions
        ]
        fitted = trend(usable, min_n=k)
        points = tuple(
            TrendPointView(
                label=title,
                starts_at=starts,
                n=None if sid in hidden else counts[sid],
                mean=point.mean,
            )
            for (sid, title, starts), point in zip(sessions, fitted.points, strict=True)
        )
        out.append(ItemTrend(item=item, points=points, slope=fitted.slope))
    return tuple(out)


async def _balance(
    db: AsyncSession, scope: Scope, sides: Mapping[int, str]
) -> tuple[BalanceRow, ...]:
    """Participation balance per side (counts of messages and words, never content), from the
    sessions part's per-side statistics."""
    query = (
        select(
            SessionSideStats.side_id,
            func.sum(SessionSideStats.members),
            func.sum(SessionSideStats.present),
            func.sum(SessionSideStats.messages),
            func.sum(SessionSideStats.words),
        )
        .join(DialogueSession, DialogueSession.id == SessionSideStats.session_id)
        .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
        .where(DialogueGroup.program_id == scope.program_id)
        .group_by(SessionSideStats.side_id)
    )
    if scope.group_id is not None:
        query = query.where(DialogueSession.group_id == scope.group_id)
    if scope.session_id is not None:
        query = query.where(DialogueSession.id == scope.session_id)
    rows = (await db.execute(query)).all()
    total_messages = sum(int(r[3] or 0) for r in rows)
    order = {side_id: i for i, side_id in enumerate(sides)}
    return tuple(
        BalanceRow(
            side=sides.get(side_id, UNKNOWN),
            members=int(members or 0),
            present=int(present or 0),
            messages=int(messages or 0),
            words=int(words or 0),
            message_share=(int(messages or 0) / total_messages) if total_messages else None,
        )
        for side_id, members, present, messages, words in sorted(
            rows, key=lambda r: order.get(r[0], 99)
        )
    )


async def _groups(db: AsyncSession, scope: Scope, k: int) -> tuple[GroupRow, ...]:
    invited = dict(
        (
            await db.execute(
                select(SurveyInstance.group_id, func.sum(SurveyInstance.invited))
                .join(Survey, Survey.id == SurveyInstance.survey_id)
                .where(SurveyInstance.program_id == scope.program_id, Survey.kind == POST_SESSION)
                .group_by(SurveyInstance.group_id)
            )
        ).all()
    )
    answered = dict(
        (
            await db.execute(
                select(Response.group_id, func.count())
                .join(SurveyInstance, SurveyInstance.id == Response.instance_id)
                .join(Survey, Survey.id == SurveyInstance.survey_id)
                .where(Response.program_id == scope.program_id, Survey.kind == POST_SESSION)
                .group_by(Response.group_id)
            )
        ).all()
    )
    names = dict(
        (
            await db.execute(
                select(DialogueGroup.id, DialogueGroup.name).where(
                    DialogueGroup.program_id == scope.program_id
                )
            )
        ).all()
    )
    keys = [gid for gid in names if gid in invited or gid in answered]
    counts = {gid: int(answered.get(gid, 0)) for gid in keys}
    hidden = suppress_breakdown(counts, k).hidden if counts else frozenset()
    return tuple(
        GroupRow(
            name=names[gid],
            invited=int(invited.get(gid, 0) or 0),
            answered=None if gid in hidden else counts[gid],
        )
        for gid in sorted(keys, key=lambda g: names[g])
    )
