"""Program evaluation: aggregates of anonymous feedback, released so that no reports difference.

Everything is aggregated in the database (GROUP BY counts per survey instance and answer value);
Python only ever holds a few numbers per item, cell and session, never the rows. Which answers
count is decided by bot/domain/anonymity/release.py: closed surveys only, as frozen units of at
least k answers, each suppressed on its own (a count below k hidden together with whatever
would give it away), and every figure of a group or the program is the sum of what its units
show. The method is printed in every report's footnote (bot/reports/render.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    AnswerTally,
    DialogueGroup,
    DialogueSession,
    Program,
    ReleasedFigures,
    RespondentTally,
    Response,
    SessionSideStats,
    Side,
    Survey,
    SurveyInstance,
    SurveyItem,
)
from bot.domain.anonymity import reaches_k
from bot.domain.anonymity.coarsening import LABELS, ROLE, SIDE, split_labels
from bot.domain.anonymity.release import (
    GROUP,
    SESSION,
    Closing,
    Figures,
    Unit,
    UnitData,
    plan_release,
    scope_figures,
    unit_figures,
)
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.statistics import Agg, MeanCI, PrePost, mean_ci, pre_post, response_rate, trend
from bot.features.feedback import surveys
from bot.features.feedback.surveys import (
    POST_PROGRAM,
    POST_SESSION,
    PRE_PROGRAM,
    ROUND,
    SCALES,
    TEXT,
    ItemView,
)
from bot.services import access

MAX_COMMENTS_SHOWN = 40
# A survey counts this long after it closed: time for the answer store to write every answer
# given before the close (answers may be held and written in batches), so that a released unit
# can never change afterwards.
RELEASE_DELAY = timedelta(hours=1)
UNKNOWN = ""  # the side / role of answers given by people without an enrolment (kept as a category)
# The side / role of answers whose attribute was coarsened away at write time: never a cell of a
# breakdown (it would read as "no side"), always counted as "not broken down".
COARSENED = "\x00coarsened"
ANY_COARSENED = "\x00any"  # counts answers with at least one coarsened attribute


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
    # Answers counted in n but in no bar / side / role cell: their session's own breakdown did
    # not reach k (0 or at least k; shown only beside a breakdown that shows something).
    bars_rest: int = 0
    side_rest: int = 0
    role_rest: int = 0


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
    present: int | None  # in the chat during the sessions; None: hidden (fewer than k members)
    messages: int
    words: int
    message_share: float | None
    spoke: int | None = None  # wrote at least one message; hidden with ``present``


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
    # Counted answers stored with less detail so that none singles its author out, by what was
    # coarsened (bot/domain/anonymity/coarsening.py LABELS: role, side, week, day); only nonzero.
    coarsened: Mapping[str, int] = field(default_factory=dict)
    coarsened_answers: int = 0  # how many counted answers carry any of those
    # Further figures shown beside the answers, each a released, suppressed section of its own
    # (bot/reports/sections.py renders each in every format): "fairness" (bot/services/fairness.py).
    sections: Mapping[str, object] = field(default_factory=dict)


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


def _attributes(
    sides: Mapping[int, str], side_id: int | None, role: str | None, coarsened: str
) -> tuple[str, str]:
    """The (side, role) labels an answer is broken down by: COARSENED where it was coarsened."""
    dropped = split_labels(coarsened)
    return (
        COARSENED if SIDE in dropped else sides.get(side_id, UNKNOWN),
        COARSENED if ROLE in dropped else role or UNKNOWN,
    )


def _label_order(sides: Mapping[int, str]) -> dict[str, int]:
    order = {name: position for position, name in enumerate(sides.values())}
    order[UNKNOWN] = len(order)
    return order


def _cells(
    seen: Iterable[str], shown: Mapping[str, Agg], order: Mapping[str, int]
) -> tuple[tuple[BreakdownCell, ...], int]:
    """A breakdown's cells (None: hidden) and the answers it leaves unbroken down."""
    labels = sorted(
        (label for label in seen if label != COARSENED),
        key=lambda label: (order.get(label, len(order)), label),
    )
    cells = tuple(
        BreakdownCell(
            label=label,
            n=shown[label].n if label in shown else None,
            mean=shown[label].mean if label in shown else None,
        )
        for label in labels
    )
    return cells, sum(agg.n for label, agg in shown.items() if label != COARSENED)


@dataclass(frozen=True)
class _Instance:
    id: int
    group_id: int | None
    session_id: int | None
    closes_at: datetime
    invited: int


async def _post_session_instances(
    db: AsyncSession, scope: Scope, kind: str = POST_SESSION
) -> list[_Instance]:
    query = (
        select(
            SurveyInstance.id,
            SurveyInstance.group_id,
            SurveyInstance.session_id,
            SurveyInstance.closes_at,
            SurveyInstance.invited,
        )
        .join(Survey, Survey.id == SurveyInstance.survey_id)
        .where(SurveyInstance.program_id == scope.program_id, Survey.kind == kind)
    )
    if scope.group_id is not None:
        query = query.where(SurveyInstance.group_id == scope.group_id)
    if scope.session_id is not None:
        query = query.where(SurveyInstance.session_id == scope.session_id)
    return [_Instance(*row) for row in await db.execute(query)]


async def build_report(
    db: AsyncSession, scope: Scope, *, now: datetime, kind: str = POST_SESSION
) -> Report:
    """The report of one program, group or session (post-session survey; pre/post at program level).

    Only released answers count (bot/domain/anonymity/release.py): surveys closed at least
    RELEASE_DELAY before ``now``, alone when they reach k, else pooled per group. Every figure
    is a sum of the released units' own suppressed figures, so no set of reports, now or later,
    can be subtracted into a hidden one.
    """
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
    order = _label_order(sides)

    # ``kind`` ROUND: the perspective rounds' answers, released and suppressed the same way.
    kinds_of_items = await _kind_item_ids(
        db, scope.program_id, (kind, PRE_PROGRAM, POST_PROGRAM) if kind == POST_SESSION else (kind,)
    )
    post_session_items = [i for i, k in kinds_of_items.items() if k == kind]
    items = await surveys.items_by_id(db, kinds_of_items)
    text_items = [i for i in post_session_items if items[i].kind == TEXT]
    rating_items = [i for i in post_session_items if items[i].kind != TEXT]

    instances = await _post_session_instances(db, scope, kind)
    instance_ids = [i.id for i in instances]

    # Raw counts per instance, aggregated by the database. Cells are bounded by the survey's
    # shape times the number of sessions, never by the number of responses.
    respondents_by: dict[int, dict[tuple[str, str], int]] = {}
    cells_by: dict[int, dict[tuple[int, str, str, int], int]] = {}
    comments_by: dict[int, int] = {}
    coarsened_by: dict[int, dict[str, int]] = {}
    if instance_ids:
        # From the per-instance tallies (bot/services/feedback_tallies.py): a few rows per survey
        # instance, so the report no longer groups every answer of the scope.
        conn = await db.connection()
        attributes: dict[tuple, tuple[tuple[str, str], tuple[str, ...]]] = {}

        def attributes_of(side_id, role, coarsened) -> tuple[tuple[str, str], tuple[str, ...]]:
            key = (side_id, role, coarsened)
            found = attributes.get(key)
            if found is None:
                found = attributes[key] = (
                    _attributes(sides, side_id, role, coarsened),
                    split_labels(coarsened),
                )
            return found

        for iid, side_id, role, coarsened, n in await conn.execute(
            select(
                RespondentTally.instance_id,
                RespondentTally.side_id,
                RespondentTally.role,
                RespondentTally.coarsened,
                RespondentTally.n,
            ).where(RespondentTally.instance_id.in_(instance_ids))
        ):
            key, labels = attributes_of(side_id, role, coarsened)
            bucket = respondents_by.setdefault(iid, {})
            bucket[key] = bucket.get(key, 0) + int(n)
            counts = coarsened_by.setdefault(iid, {})
            for label in labels:
                counts[label] = counts.get(label, 0) + int(n)
            if coarsened:
                counts[ANY_COARSENED] = counts.get(ANY_COARSENED, 0) + int(n)
        # Ratings per cell and comments per instance.
        texts = set(text_items)
        ratings = set(rating_items)
        for iid, item_id, side_id, role, coarsened, value, n in await conn.execute(
            select(
                AnswerTally.instance_id,
                AnswerTally.item_id,
                AnswerTally.side_id,
                AnswerTally.role,
                AnswerTally.coarsened,
                AnswerTally.value,
                AnswerTally.n,
            ).where(AnswerTally.instance_id.in_(instance_ids))
        ):
            if item_id in texts:
                if value is None:  # a comment (its text stays in answers)
                    comments_by[iid] = comments_by.get(iid, 0) + int(n)
                continue
            if item_id not in ratings or value is None:
                continue
            side, role_label = attributes_of(side_id, role, coarsened)[0]
            key = (item_id, side, role_label, int(value))
            bucket = cells_by.setdefault(iid, {})
            bucket[key] = bucket.get(key, 0) + int(n)

    plan = plan_release(
        (
            Closing(
                key=i.id,
                parent=i.group_id,
                closes_at=i.closes_at,
                answered=sum(respondents_by.get(i.id, {}).values()),
                comments=comments_by.get(i.id, 0),
            )
            for i in instances
        ),
        now=now - RELEASE_DELAY,
        k=k,
        k_comments=k_comments,
    )
    scales = {i: SCALES[items[i].kind] for i in rating_items}
    unit_figs = []
    for unit in plan.units:
        if len(unit.members) == 1:  # one survey: its counts as they are (unit_figures only reads)
            data = UnitData(
                respondents_by.get(unit.members[0], {}), cells_by.get(unit.members[0], {})
            )
            unit_figs.append((unit, unit_figures(data, k, scales)))
            continue
        respondents: dict[tuple[str, str], int] = {}
        cells: dict[tuple[int, str, str, int], int] = {}
        for member in unit.members:
            for source, target in (
                (respondents_by.get(member, {}), respondents),
                (cells_by.get(member, {}), cells),
            ):
                for key, n in source.items():
                    target[key] = target.get(key, 0) + n
        unit_figs.append((unit, unit_figures(UnitData(respondents, cells), k, scales)))
    figures = scope_figures(figures for _, figures in unit_figs)
    released = plan.released
    hidden_default: int | None = None if instances else 0  # nothing released yet, or nothing at all

    invited = sum(i.invited for i in instances)
    invited_released = sum(i.invited for i in instances if i.id in released)
    answered = figures.answered if plan.units else hidden_default
    rate = (
        response_rate(answered, max(invited_released, answered))
        if answered and invited_released
        else None
    )

    attributed = [
        key for key in figures.cells_seen if COARSENED not in key
    ]  # coarsened answers sit in no side x role cell
    respondents_shown: dict[tuple[str, str], int | None] = {
        key: figures.respondents.get(key) for key in attributed
    }
    side_totals: dict[str, int | None] = {
        side: figures.side_totals.get(side) for side in {s for s, _ in attributed}
    }
    role_totals: dict[str, int | None] = {
        role: figures.role_totals.get(role) for role in {r for _, r in attributed}
    }
    coarsened: dict[str, int] = {}
    for unit in plan.units:
        for member in unit.members:
            for label, n in coarsened_by.get(member, {}).items():
                coarsened[label] = coarsened.get(label, 0) + n

    answered_items = {item for cells in cells_by.values() for item, *_ in cells}
    current = (
        {i.id for i in (await surveys.get_survey(db, scope.program_id, POST_SESSION)).items}
        if kind == POST_SESSION
        else set(post_session_items)
    )
    item_stats = []
    for item_id in sorted(rating_items, key=lambda i: (items[i].position, i)):
        item = items[item_id]
        if item_id not in answered_items and item_id not in current:
            continue  # an item of an older version nobody answered in this scope
        fig = figures.items.get(item_id)
        if fig is None or not fig.shown:
            n = hidden_default if not plan.units else None if fig and fig.raw_n else 0
            item_stats.append(ItemStats(item, n, None, (), (), ()))
            continue
        agg = fig.agg
        bars = tuple(
            Bar(value, fig.bars.get(value, 0) if fig.bars_n else None)
            for value in SCALES[item.kind]
        )
        by_side, side_shown = _cells(fig.sides_seen, fig.by_side, order)
        by_role, role_shown = _cells(fig.roles_seen, fig.by_role, order)
        item_stats.append(
            ItemStats(
                item=item,
                n=agg.n,
                stats=mean_ci(agg.n, agg.total, agg.total_sq),
                bars=bars,
                by_side=by_side,
                by_role=by_role,
                bars_rest=agg.n - fig.bars_n if fig.bars_n else 0,
                side_rest=agg.n - side_shown if side_shown else 0,
                role_rest=agg.n - role_shown if role_shown else 0,
            )
        )

    # Comments: only the sets whose home is this scope, each of at least k_comments.
    if scope.level == "session":
        sets = [s for s in plan.comment_sets if s.home == SESSION]
    elif scope.level == "group":
        sets = [s for s in plan.comment_sets if s.home == GROUP]
    else:
        sets = []
    members = [member for s in sets for member in s.members]
    comments: tuple[str, ...] = ()
    comment_count: int | None = None
    if members:
        comment_count = sum(comments_by.get(member, 0) for member in members)
        drawn = await db.scalars(
            select(Answer.text)
            .join(Response, Response.id == Answer.response_id)
            .where(
                Response.instance_id.in_(members),
                Answer.item_id.in_(text_items),
                Answer.text.is_not(None),
            )
            .order_by(func.random())
            .limit(MAX_COMMENTS_SHOWN)
        )
        comments = tuple(drawn.all())

    report = Report(
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
        respondents=respondents_shown,
        side_totals=side_totals,
        role_totals=role_totals,
        pre_post=await _pre_post(db, scope, items, kinds_of_items, k)
        if scope.level == "program" and kind == POST_SESSION
        else (),
        trends=_trends(await _closed_sessions(db, scope), instances, unit_figs, items, k)
        if scope.level == "group" or (scope.level == "program" and kind == ROUND)
        else (),
        balance=await _balance(db, scope, sides, k) if kind == POST_SESSION else (),
        groups=await _groups(db, scope, instances, unit_figs)
        if scope.level == "program" and kind == POST_SESSION
        else (),
        coarsened={label: coarsened[label] for label in LABELS if coarsened.get(label)},
        coarsened_answers=coarsened.get(ANY_COARSENED, 0),
        sections=await _sections(db, scope, k, now) if kind == POST_SESSION else {},
    )
    return await with_goals(db, report) if kind == POST_SESSION else report


async def _has_survey(db: AsyncSession, program_id: int, kind: str) -> bool:
    found = await db.scalar(
        select(Survey.id).where(Survey.program_id == program_id, Survey.kind == kind)
    )
    return found is not None


async def _sections(db: AsyncSession, scope: Scope, k: int, now: datetime) -> dict[str, object]:
    """The report's further sections: moderation fairness for a program or a group, perspective
    rounds at every level, cross-border pairs for a program."""
    from bot.services import fairness, pairs

    found: dict[str, object] = {}
    if scope.level != "session":
        found["fairness"] = await fairness.figures(
            db, scope.program_id, scope.group_id, k=k, now=now
        )
    if await _has_survey(db, scope.program_id, ROUND):
        # The tellers' answers after perspective rounds, as a report of their own (same release
        # and suppression; bot/reports/rounds.py renders it).
        found["rounds"] = await build_report(db, scope, now=now, kind=ROUND)
    if scope.level == "program":
        # Conversations per person of the weekly cross-border pairs (program-wide only).
        found["pairs"] = await pairs.evaluation(db, scope.program_id)
    return found


async def with_goals(db: AsyncSession, report: Report) -> Report:
    """The program's report with its published goals judged from the report's own figures."""
    from dataclasses import replace

    from bot.services import criteria

    if report.scope.level != "program":
        return report
    goals = await criteria.goals_of(db, report.scope.program_id)
    judged = criteria.judge_all(goals, report, report.sections.get("fairness"))  # type: ignore[arg-type]
    return replace(report, sections={**report.sections, "goals": judged})


async def _released_program_figures(
    db: AsyncSession, instance_id: int, k: int
) -> dict[str, Agg] | None:
    """A program survey's per-construct figures as last released; a new release once k more
    answers have arrived. None while fewer than k answers exist."""
    responses = int(
        await db.scalar(
            select(func.count()).select_from(Response).where(Response.instance_id == instance_id)
        )
        or 0
    )
    snapshot = (
        await db.scalars(select(ReleasedFigures).where(ReleasedFigures.instance_id == instance_id))
    ).all()
    released = snapshot[0].responses if snapshot else 0
    if responses - released < k:
        if not snapshot:
            return None
        return {row.construct: Agg(row.n, row.total, row.total_sq) for row in snapshot}
    rows = await db.execute(
        select(SurveyItem.construct, *_agg_columns(Answer.value))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(SurveyItem, SurveyItem.id == Answer.item_id)
        .where(
            Response.instance_id == instance_id,
            SurveyItem.construct.is_not(None),
            Answer.value.is_not(None),
        )
        .group_by(SurveyItem.construct)
    )
    fresh = {construct: Agg(int(n), float(t), float(t2)) for construct, n, t, t2 in rows}
    await db.execute(delete(ReleasedFigures).where(ReleasedFigures.instance_id == instance_id))
    db.add_all(
        ReleasedFigures(
            instance_id=instance_id,
            construct=construct,
            responses=responses,
            n=agg.n,
            total=agg.total,
            total_sq=agg.total_sq,
        )
        for construct, agg in fresh.items()
    )
    await db.flush()
    return fresh


async def _pre_post(
    db: AsyncSession,
    scope: Scope,
    items: Mapping[int, ItemView],
    kinds: Mapping[int, str],
    k: int,
) -> tuple[PrePostRow, ...]:
    """Before/after per construct, from the program surveys' released figures (in steps of k)."""
    instances = (
        await db.execute(
            select(Survey.kind, SurveyInstance.id)
            .join(Survey, Survey.id == SurveyInstance.survey_id)
            .where(
                SurveyInstance.program_id == scope.program_id,
                Survey.kind.in_((PRE_PROGRAM, POST_PROGRAM)),
            )
        )
    ).all()
    released: dict[str, dict[str, Agg] | None] = {PRE_PROGRAM: {}, POST_PROGRAM: {}}
    for kind, instance_id in instances:
        released[kind] = await _released_program_figures(db, instance_id, k)
    aggs: dict[tuple[str, str], Agg] = {
        (kind, construct): agg
        for kind, figures in released.items()
        for construct, agg in (figures or {}).items()
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
        pre_shown = released[PRE_PROGRAM] is not None and (pre.n == 0 or reaches_k(pre.n, k))
        post_shown = released[POST_PROGRAM] is not None and (post.n == 0 or reaches_k(post.n, k))
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


async def _closed_sessions(db: AsyncSession, scope: Scope) -> list[tuple[int, str, datetime]]:
    if scope.group_id is None:
        # A program's sessions in every group (perspective rounds over the program), each named
        # with its group.
        found = await db.execute(
            select(
                DialogueSession.id,
                DialogueGroup.name,
                DialogueSession.title,
                DialogueSession.starts_at,
            )
            .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
            .where(
                DialogueGroup.program_id == scope.program_id, DialogueSession.status == "closed"
            )
            .order_by(DialogueSession.starts_at, DialogueSession.id)
        )
        return [(sid, f"{group} · {title}", starts) for sid, group, title, starts in found]
    rows = await db.execute(
        select(DialogueSession.id, DialogueSession.title, DialogueSession.starts_at)
        .where(DialogueSession.group_id == scope.group_id, DialogueSession.status == "closed")
        .order_by(DialogueSession.starts_at)
    )
    return [tuple(row) for row in rows]


def _trends(
    sessions: Sequence[tuple[int, str, datetime]],
    instances: Sequence[_Instance],
    unit_figs: Sequence[tuple[Unit, Figures]],
    items: Mapping[int, ItemView],
    k: int,
) -> tuple[ItemTrend, ...]:
    """Per session, the figures of its own released unit; pooled or unreleased ones are hidden."""
    instance_of = {i.session_id: i.id for i in instances}
    alone = {unit.members[0]: figs for unit, figs in unit_figs if not unit.pooled}
    item_ids = sorted(
        {item_id for _, figs in unit_figs for item_id in figs.items},
        key=lambda i: (items[i].position, i),
    )
    out = []
    for item_id in item_ids:
        item = items[item_id]
        usable: list[tuple[str, Agg]] = []
        ns: list[int | None] = []
        for sid, title, _ in sessions:
            iid = instance_of.get(sid)
            figs = alone.get(iid) if iid is not None else None
            fig = figs.items.get(item_id) if figs else None
            if iid is None:
                ns.append(0)
                usable.append((title, Agg(0, 0.0, 0.0)))
            elif fig is None or not fig.shown:
                ns.append(None)
                usable.append((title, Agg(0, 0.0, 0.0)))
            else:
                ns.append(fig.agg.n)
                usable.append((title, fig.agg))
        if not any(n for n in ns):
            continue
        fitted = trend(usable, min_n=k)
        points = tuple(
            TrendPointView(label=title, starts_at=starts, n=n, mean=point.mean)
            for (_, title, starts), n, point in zip(sessions, ns, fitted.points, strict=True)
        )
        out.append(ItemTrend(item=item, points=points, slope=fitted.slope))
    return tuple(out)


async def _balance(
    db: AsyncSession, scope: Scope, sides: Mapping[int, str], k: int
) -> tuple[BalanceRow, ...]:
    """Participation balance per side (counts of messages and words, never content), from the
    sessions part's per-side statistics. Who was present and who spoke are counts of people:
    below k members they would tell the group who stayed silent, so they are hidden."""
    query = (
        select(
            SessionSideStats.side_id,
            func.sum(SessionSideStats.members),
            func.sum(SessionSideStats.present),
            func.sum(SessionSideStats.messages),
            func.sum(SessionSideStats.words),
            func.sum(SessionSideStats.spoke),
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
            present=int(present or 0) if int(members or 0) >= k else None,
            messages=int(messages or 0),
            words=int(words or 0),
            message_share=(int(messages or 0) / total_messages) if total_messages else None,
            spoke=int(spoke or 0) if int(members or 0) >= k else None,
        )
        for side_id, members, present, messages, words, spoke in sorted(
            rows, key=lambda r: order.get(r[0], 99)
        )
    )


async def _groups(
    db: AsyncSession,
    scope: Scope,
    instances: Sequence[_Instance],
    unit_figs: Sequence[tuple[Unit, Figures]],
) -> tuple[GroupRow, ...]:
    """Per group: invitations, and the answers of its released units (a sum of them, like all)."""
    names = dict(
        (
            await db.execute(
                select(DialogueGroup.id, DialogueGroup.name).where(
                    DialogueGroup.program_id == scope.program_id
                )
            )
        ).all()
    )
    invited: dict[int, int] = {}
    for instance in instances:
        if instance.group_id is not None:
            invited[instance.group_id] = invited.get(instance.group_id, 0) + instance.invited
    answered: dict[int, int] = {}
    for unit, figs in unit_figs:
        if unit.parent is not None:
            answered[unit.parent] = answered.get(unit.parent, 0) + figs.answered
    keys = [gid for gid in names if gid in invited]
    return tuple(
        GroupRow(name=names[gid], invited=invited[gid], answered=answered.get(gid))
        for gid in sorted(keys, key=lambda g: names[g])
    )
