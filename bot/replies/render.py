"""Answer -> the message showbot posts; a moderator's outcome -> its reply. All escaping,
spoilers, citations and Discord's limits live here, so this is the one file to audit for
pings and spoiler leaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.dates import DateStyle, on_text, when_text
from bot.models import Answer, Entity, Fact, Intent, Reply, Source

if TYPE_CHECKING:
    from bot.outcomes import Kept, Made, Outcome
    from bot.store.changelog import Version
    from bot.store.questionlog import Gap, Stats, Unanswered

MAX_CONTENT = 2000  # Discord's limit for a bot's message content
MAX_BUTTON_LABEL = 80
ERROR_MARK = "⚠️"  # every error reply starts with it, so transcripts and users can tell
_ECHO_LIMIT = 80

# Characters that format inline text in Discord markdown (incl. spoilers and masked
# links) or start mentions, channel links and timestamps. Facts are rendered inside a
# line, never at its start, so line-start syntax (#, >, -) cannot trigger.
_MARKDOWN = re.compile(r"([\\*_~`|\[\]<@])")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@lru_cache(maxsize=4096)  # the same facts and names are rendered over and over
def escape(text: str) -> str:
    """Make user or fact text inert: no formatting, no spoiler breaking, no mentions.

    Bidirectional and zero-width controls are dropped so a fact cannot reorder or hide
    the text around it; every markdown character is backslash-escaped (``\\|\\|``
    cannot close a spoiler); ``@`` is escaped so ``@everyone`` cannot even look like one.
    """
    text = _INVISIBLE.sub("", text)
    text = " ".join(text.split())
    return _MARKDOWN.sub(r"\\\1", text)


# What must never pass through, even in engine-made messages that quote user input:
# spoiler bars, mentions, masked links. Plain emphasis and code spans are harmless.
_DANGEROUS = re.compile(r"([\\|\[\]<@])")


def defuse(text: str) -> str:
    """Escape only what could leak a spoiler, ping, or disguise a link."""
    return _DANGEROUS.sub(r"\\\1", _INVISIBLE.sub("", text))


def echo(text: str) -> str:
    """A user's own words, quoted back on one line: escaped and shortened."""
    text = " ".join(text.split())
    short = text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"
    return escape(short)


def safe_url(url: str) -> str:
    """Percent-encode what could end a spoiler or markdown inside ``<url>``."""
    for ch, code in (("|", "%7C"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C"), ("`", "%60")):
        url = url.replace(ch, code)
    for ch, code in (("*", "%2A"), ("_", "%5F"), ("~", "%7E"), ("@", "%40")):
        url = url.replace(ch, code)
    return url


def spoiler(text: str) -> str:
    return f"||{text}||"


def label(entity: Entity) -> str:
    return f"{entity.name} ({entity.kind.value})"


def labels(entities: list[Entity], *, kinds: bool = False) -> list[str]:
    """Names as a list shows them: subjects sharing a name are told apart by kind (and,
    namesakes of one kind, by id); ``kinds`` shows every kind. Typed back, "Jessica Jones
    (character)" or "Nuke (character #8)" means that one."""
    keys = [" ".join(e.name.casefold().split()) for e in entities]
    out = []
    for e, key in zip(entities, keys, strict=True):
        same = [o for o, k in zip(entities, keys, strict=True) if k == key]
        if len(same) == 1 and not kinds:
            out.append(e.name)
        elif sum(o.kind is e.kind for o in same) == 1:
            out.append(label(e))
        else:
            out.append(f"{e.name} ({e.kind.value} #{e.id})")
    return out


def citation(source: Source, dates: DateStyle = "words") -> str:
    """A source in one line: title, publisher, date, link."""
    parts = [f"*{escape(source.title)}*"]
    if source.publisher:
        parts.append(escape(source.publisher))
    if source.date:
        parts.append(on_text(source.date, dates))
    line = ", ".join(parts)
    if source.url:
        line += f" <{safe_url(source.url)}>"
    return line


def fact_line(
    fact: Fact, note: int | None, subject: Entity | None = None, dates: DateStyle = "words"
) -> str:
    """One fact: its subject (free answers mix subjects), date (for when-facts), text
    (spoiler-tagged if it must be), status, as-of date, a prediction's outcome and id.
    ``dates``: a day as words (the CLI) or as a Discord timestamp."""
    text = escape(fact.text)
    if fact.hidden:
        text = spoiler(text)
    when = fact.date and fact.kind.value == "when"
    lead = f"**{when_text(fact.date, dates)}**: " if fact.date and when else ""
    if subject is not None:
        lead = f"**{escape(subject.name)}** · {lead}" if lead else f"**{escape(subject.name)}**: "
    as_of = on_text(fact.source.date, dates) if fact.source and fact.source.date else None
    tail = _outcome_tail(fact, as_of) if fact.resolved else f"*{fact.status.value}*"
    if as_of and not fact.resolved:
        tail += f", as of {as_of}"
    if note is not None:
        tail += f" [{note}]"
    return f"• {lead}{text} — {tail} `#{fact.id}`"


_VERB = {"prediction": "predicted", "rumor": "rumored"}


def outcome_words(fact: Fact, as_of: str | None) -> str:
    """What became of a resolved rumor or prediction: "predicted in May 2016: came true"
    (the web view shows these words too)."""
    assert fact.resolved is not None
    said = f"{_VERB[fact.status.value]} in {as_of}" if as_of else fact.status.value
    return f"{said}: {fact.resolved.value}"


def _outcome_tail(fact: Fact, as_of: str | None) -> str:
    """The tail of a resolved fact, "*predicted in May 2016: came true* (note)". The note
    is spoiler-tagged with the fact: what happened can give away as much as the fact."""
    tail = f"*{outcome_words(fact, as_of)}*"
    note = escape(fact.outcome_note or "")
    if note:
        tail += f" ({spoiler(note) if fact.hidden else note})"
    return tail


def _fit(
    head: list[str], body: list[str], foot_for: Callable[[int], list[str]], pointer: str
) -> str:
    """Join lines under Discord's limit, dropping whole facts from the end if needed."""
    for keep in range(len(body), -1, -1):
        shown = body[:keep]
        more = len(body) - keep
        lines = [*head, *shown]
        if more:
            lines.append(pointer.format(n=more))
        lines.extend(foot_for(keep))
        content = "\n".join(lines)
        if len(content) <= MAX_CONTENT:
            return content
    return "\n".join(head)[: MAX_CONTENT - 1] + "…"


def facts_text(
    head: list[str],
    facts: Sequence[Fact],
    pointer: str,
    *,
    subjects: Mapping[int, Entity] | None = None,
    dates: DateStyle = "words",
) -> str:
    """Fact lines under ``head``, their sources as numbered footnotes, cut between facts to
    fit Discord's limit (``pointer`` says how many were left out). ``subjects``: each
    line names its fact's subject (lists that mix subjects)."""
    sources: list[Source] = []
    for fact in facts:
        if fact.source and fact.source not in sources:
            sources.append(fact.source)
    body = [
        fact_line(
            f,
            sources.index(f.source) + 1 if f.source else None,
            subjects.get(f.entity_id) if subjects is not None else None,
            dates,
        )
        for f in facts
    ]

    def foot(kept: int) -> list[str]:
        used = {f.source for f in facts[:kept] if f.source}
        return [f"[{i}] {citation(s, dates)}" for i, s in enumerate(sources, 1) if s in used]

    return _fit(head, body, foot, pointer)


def render_answer(
    answer: Answer,
    prefix: str = "!",
    subjects: Mapping[int, Entity] | None = None,
    dates: DateStyle = "words",
) -> Reply:
    """The reply for any Answer: facts with citations, or an honest "I don't know".
    ``subjects`` names the subject of each fact a free answer shows; ``dates``: days as
    words (the CLI) or Discord timestamps."""
    if answer.problem:
        return render_error(answer.problem)
    entity = answer.entity
    if entity is None:
        return _render_unknown(answer, prefix)
    if not answer.facts:
        return Reply(
            f"I know **{escape(entity.name)}** ({entity.kind.value}) but have no facts about it"
            f" yet. Moderators can add one with `{prefix}fact add`.",
            intent=answer.intent,
        )
    # A free answer's facts may be about several subjects: then each line names its own.
    # (or about another subject than the one named: "who trained matt" -> Stick's fact).
    about = {f.entity_id for f in answer.facts}
    mixed = answer.via in ("facts", "named") and (len(about) > 1 or entity.id not in about)
    named = {f.entity_id: (subjects or {}).get(f.entity_id, entity) for f in answer.facts}
    intent = answer.intent
    if answer.partial:
        asked = echo(answer.question.typed)
        head = [
            f"I don't know *{asked}* from what I have on **{escape(entity.name)}**. What I know:"
        ]
    elif answer.via == "named":
        head = [f"**{escape(entity.name)}** is named in {len(answer.facts)} fact(s):"]
    elif mixed:
        head = []
    elif answer.other_facts:
        head = [
            f"I have nothing on *{intent.value}* for **{escape(entity.name)}**;"
            " here is what I know:"
        ]
    else:
        shown = f" — {intent.value}" if intent is not Intent.ASK else ""
        head = [f"**{escape(entity.name)}**{shown}"]
    if answer.typo_of:
        typed = echo(answer.typo_of)
        head = [f"Showing **{escape(entity.name)}** for *{typed}*.", *head]
    pointer = f"… and {{n}} more: see `{prefix}fact show <id>` or ask more precisely."
    text = facts_text(head, answer.facts, pointer, subjects=named if mixed else None, dates=dates)
    return Reply(text, intent=intent)


def _render_unknown(answer: Answer, prefix: str) -> Reply:
    q = answer.question
    subject = q.subject + (f" season {q.season}" if q.season is not None else "")
    shown = [s.entity for s in answer.suggestions]
    if answer.ambiguous:
        # Always with the kind: that is the question. The text shows ids; buttons can't.
        names = ", ".join(f"**{escape(label(e))}** `#{e.id}`" for e in shown)
        named = labels(shown, kinds=True)
        text = f"**{echo(subject)}** could be {names}. Which one do you mean?"
    else:
        named = labels(shown)
        text = f"I don't know anything about **{echo(subject)}**."
        if answer.suggestions:
            names = ", ".join(f"**{escape(n)}**" for n in named)
            text += f" Did you mean {names}?"
        else:
            text += f" Try `{prefix}help` for what I can answer."
    offers = tuple((n[:MAX_BUTTON_LABEL], e.id) for n, e in zip(named, shown, strict=True))
    return Reply(text[:MAX_CONTENT], intent=answer.intent, suggestions=offers)


def render_error(message: str) -> Reply:
    """A short, friendly error reply; ``message`` is engine-made, but escape it anyway."""
    body = defuse(message) if message else "Something went wrong."
    content = f"{ERROR_MARK} {body}"
    if len(content) > MAX_CONTENT:
        content = content[: MAX_CONTENT - 1] + "…"
    return Reply(content, error=True)


# ------------------------------------------------------------------ moderation


def _b(name: str) -> str:
    """A user-supplied name, bold and inert."""
    return f"**{escape(name)}**"


def _column(column: str) -> str:
    return "source" if column == "source_id" else column


def _made(made: tuple[Made, ...]) -> str:
    subjects = [m for m in made if m.kind != "source"]
    notes = []
    if subjects:
        notes.append(
            ("new subjects " if len(subjects) > 1 else "new subject ")
            + " and ".join(f"{_b(m.name)} ({m.kind}) #{m.id}" for m in subjects)
        )
    notes += [f"new source #{m.id}" for m in made if m.kind == "source"]
    return f" ({'; '.join(notes)})" if notes else ""


def _kept(kept: Kept) -> str:
    users = ", ".join(
        f"{'subject' if table == 'entity' else table} #{rid}"
        + (f" by {escape(who)}" if who else "")
        for table, rid, who in kept.users[:3]
    )
    more = f" and {len(kept.users) - 3} more" if len(kept.users) > 3 else ""
    what = {"entity": "subject", "source": "source", "fact": "fact"}[kept.table]
    return f"{what} {_b(kept.name)} ({users}{more} use it)"


def outcome_text(o: Outcome) -> str:
    """A moderator action's outcome in words (the reply and the log channel's line)."""
    fid, counts = o.fact_id, o.counts
    match o.action:
        case "fact.add":
            return f"Added fact #{fid} to {_b(o.subject or '?')}{_made(o.made)}."
        case "fact.unchanged":
            return f"Fact #{fid} already says that; nothing changed."
        case "fact.edit":
            return f"Edited fact #{fid} ({', '.join(_column(c) for c in o.fields)})."
        case "fact.override":
            return (
                f"Fact #{o.overrides} is global; your server now sees your version #{fid}"
                f" (version {o.version}) instead (other servers are unaffected)."
            )
        case "fact.remove":
            return f"Removed fact #{fid}. `fact restore {fid}` brings it back."
        case "fact.hide":
            return (
                f"Fact #{fid} is global; it is now hidden in this server only."
                f" `fact restore {fid}` shows it again."
            )
        case "fact.restore":
            return f"Restored fact #{fid}."
        case "fact.resolve":
            said = f"resolved: {o.name}" if o.name else "open again (no outcome)"
            where = f"Fact #{fid} is {said}"
            if o.overrides is not None:
                where = f"Fact #{o.overrides} is global; in this server (fact #{fid}) it is {said}"
            unspoiled = " Its spoiler tag is off." if counts.get("unspoiled") else ""
            return f"{where}.{unspoiled}"
        case "fact.unhide":
            return f"Fact #{fid} is shown in this server again."
        case "fact.teach":
            return (
                f"Taught: **{echo(o.name or '')}** now asks for fact #{fid} here"
                f" (phrasing #{counts.get('phrasing')}; `fact undo` takes it back)."
            )
        case "fact.teach.unchanged":
            return (
                f"Already taught: **{echo(o.name or '')}** asks for fact #{fid}; nothing changed."
            )
        case "fact.revert":
            return f"Reverted fact #{fid} to version {counts['to']} (now version {o.version})."
        case "fact.revert.unchanged":
            return f"Fact #{fid} already matches version {o.version}."
        case "undo":
            what = ", ".join(a + (f" ×{n}" if n > 1 else "") for a, n in counts.items())
            text = f"Undid your last change ({what})."
            if o.kept:
                text += " Kept " + "; ".join(_kept(k) for k in o.kept) + "."
            return text
        case "alias.add":
            return f"{_b(o.name or '')} now also means {_b(o.subject or '')} (alias #{o.alias_id})."
        case "alias.remove":
            return f"Removed alias {_b(o.name or '')}."
        case "source.add":
            return f"Added source #{o.source_id}: *{escape(o.subject or '')}*."
        case "entity.rename":
            return (
                f"Renamed {_b(o.subject or '')} to {_b(o.name or '')}"
                " (the old name stays an alias)."
            )
        case "entity.kind":
            return f"{_b(o.subject or '')} is now a {o.name} (it was a {o.was})."
        case "entity.merge":
            seasons = counts.get("season", 0)
            return (
                f"Merged {_b(o.subject or '')} into {_b(o.name or '')}: {counts.get('fact', 0)}"
                f" fact(s), {counts.get('alias', 0)} alias(es)"
                + (f" and {seasons} season(s)" if seasons else "")
                + " moved; the old name is now an alias."
            )
    raise ValueError(f"no words for outcome {o.action!r}")


def fact_card(fact: Fact, entity: Entity | None, dates: DateStyle = "words") -> str:
    """`fact show`: the fact with its version, full citation and quote."""
    state = ", removed" if fact.deleted else ""
    if fact.overrides is not None:
        state += f", this server's version of global fact #{fact.overrides}"
        if fact.hides:
            state += ", hidden here"
    lines = [
        f"**{escape(entity.name) if entity else '?'}** — {fact.kind.value}"
        f" (version {fact.version}{state})",
        fact_line(fact, None, dates=dates),
    ]
    if fact.source:
        lines.append(f"Source #{fact.source.id}: {citation(fact.source, dates)}")
    if fact.quote:
        lines.append(f"> {escape(fact.quote)}")
    return "\n".join(lines)


def history_text(fact_id: int, versions: list[Version], limit: int = 15) -> str:
    """`fact history`: the latest ``limit`` versions, each who, when, what changed."""
    lines = [f"History of fact #{fact_id}:"]
    for ver in versions[-limit:]:
        what = "; ".join(
            f"{k}: {escape(str(b))[:60]} → {escape(str(a))[:60]}"
            for k, (b, a) in ver.changed.items()
        )
        lines.append(
            f"v{ver.number} · {ver.at[:16].replace('T', ' ')} · {escape(ver.actor)}"
            f" · {ver.action} · {what}"
        )
    return _fit(lines[:1], lines[1:], lambda _: [], "… and {n} more.")


def gaps_text(gaps: list[Gap], questions: Sequence[Unanswered] = ()) -> str:
    """`gaps`: the subjects asked most without an answer, then the recent questions a
    moderator may teach, numbered as the buttons under them (cogs/teaching.py)."""
    if not gaps and not questions:
        return "No unanswered questions yet."
    lines = ["Most asked without an answer:"] if gaps else []
    lines += [f"{g.times}× {_b(g.subject)} (last {g.last[:10]})" for g in gaps]
    if questions:
        lines.append(
            "Teach one of these questions to the fact that answers it (its button, or"
            " `fact teach <id> <question>`):"
        )
        lines += [f"{i}. {q.times}× {echo(q.text)}" for i, q in enumerate(questions, 1)]
    return "\n".join(lines)[:MAX_CONTENT]


def stats_text(s: Stats) -> str:
    if not s.total:
        return f"No questions in the last {s.days} days."
    days = ", ".join(f"{day[5:]}: {n}" for day, n in s.per_day)
    top = ", ".join(f"{escape(name)} ({n})" for name, n in s.top) or "none"
    return (
        f"Last {s.days} days: {s.total} question(s), {s.answer_rate or 0:.0%} answered"
        f" ({s.by_facts} from what the facts say rather than a name).\n"
        f"Per day: {days}\nTop subjects: {top}"
    )[:MAX_CONTENT]


def cut(text: str, limit: int = MAX_CONTENT - 10) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def log_line(who: str, who_id: int, server: str, message: str) -> str:
    """A moderator's change in the log channel: a name, never a mention."""
    flat = " ".join(message.split("\n"))
    return cut(f"{escape(who)} (`{who_id}`) in **{escape(server)}**: {flat}")


def import_problems(problems: list[str], limit: int = 1900) -> str:
    """Whole problems, as many as fit once the error reply has defused them, then how many
    more. Not escaped here: escaping twice would show the backslashes."""
    lines = ["Nothing was imported. Problems:"]
    for shown, problem in enumerate(problems):
        rest = f"… and {len(problems) - shown} more."
        if len(defuse("\n".join([*lines, f"• {problem}", rest]))) > limit:
            lines.append(rest)
            break
        lines.append(f"• {problem}")
    return "\n".join(lines)


def synonym_text(group_id: int, words: str, *, removed: bool = False) -> str:
    if removed:
        return f"Removed synonym group #{group_id} ({escape(words)})."
    return f"Synonym group #{group_id}: {escape(words)}."


def synonyms_text(rows: list[tuple[int | None, str, str]]) -> str:
    """`synonym list`: (id or None for built-in, words, scope) per group."""
    lines = [
        f"{'`#' + str(gid) + '`' if gid else '•'} {escape(words)} ({scope})"
        for gid, words, scope in rows
    ]
    return cut("\n".join(lines) or "No synonym groups.")


def sources_text(sources: list[Source], limit: int = 15) -> str:
    """`source list`: how many, then the latest ``limit`` with their citations."""
    lines = [f"#{s.id} {citation(s)}" for s in sources[-limit:]]
    more = len(sources) - len(lines)
    head = f"{len(sources)} source(s)" + (f", the latest {len(lines)}:" if more else ":")
    return cut("\n".join([head, *lines]))
