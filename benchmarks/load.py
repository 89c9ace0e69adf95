"""Sustained load on the real bot process through the fake Discord, with moderators editing,
429s and gateway drops, then one member flooding.

    python benchmarks/load.py [--rate 300] [--seconds 30] [--members 200] [--channels 40]
                              [--moderators 3] [--mod-rate 1] [--limited 0.02] [--drops 2]

Starts ``python -m bot run`` against the fake Discord of the end-to-end tests (REST and
gateway on 127.0.0.1, the same helpers as tests/e2e) with a cooldown high enough that legit
load is not throttled (1000 per 60 s), then:

1. **Load**: ``--rate`` questions a second for ``--seconds`` from ``--members`` members over
   ``--channels`` channels, mixing known subjects, typos, unknown subjects, seasons and hostile
   text. Meanwhile ``--moderators`` moderators keep editing facts, adding facts and aliases
   (``--mod-rate`` commands a second each, each after the last was acknowledged), the fake
   answers a share (``--limited``) of reply POSTs with 429 + retry_after, and drops the gateway
   connection ``--drops`` times.
2. **Flood**: one member asks ``cooldown_rate + --flood-extra`` questions interleaved with
   others' questions in the same channels: the member gets one cooldown notice (then no reply
   until the window is over), the others answers.

Latency is the time from the fake sending MESSAGE_CREATE to the bot's reply POST arriving (for
a reply that got a 429 first, to the accepted POST). The fake answers at once, so throughput
is bounded by the bot and by the machine: the fake (which checks every request against
Discord's OpenAPI description) runs in this process and needs about as much CPU as the bot,
which the "CPU in the load phase" line shows. discord.py's per-channel rate limiter is why the
load is spread over channels: the fake's rate-limit headers allow 5 requests per channel per
1 s window, and once a burst of replies in one channel uses the window up, discord.py sleeps
until it resets. Above about 5 questions/s per channel, a stall (a 429, a busy CPU) then
cannot be caught up: latency and RSS grow with the backlog.

**Soak** (``--soak``): the bot's RSS is sampled every 2 s of the load phase, and the slope
after warm-up (the first ``--soak-warmup`` share of the load phase is left out) is fitted by
least squares against the questions sent: "MiB per 100,000 questions". A leak is a slope
that stays up however long the run; the goal is at most ``--soak-max`` (2 MiB per 100,000),
checked. For months of questions, run it long, e.g.
``--soak --seconds 300 --rate 200``.

``--tracemalloc DIR`` has the bot write memory snapshots there (bot/runtime/memdebug.py) every
``--tracemalloc-every`` seconds: objects by type and, unless ``--tracemalloc-frames 0``,
tracemalloc's allocation sites, each compared with the first snapshot.

Exit status 1 when any check fails (a dropped or wrong reply, an unhonoured 429, an
incomplete question log, a spec violation, a traceback, a soak slope above the goal).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from botprocess import ReplyTracker, RunningBot, build_world, paced  # noqa: E402
from fakediscord import FakeDiscord, RecordedRequest  # noqa: E402
from loadbench.databases import change_counts, expected_replies, question_log  # noqa: E402
from loadbench.stats import MiB, mib, percentile, slope  # noqa: E402
from loadbench.workload import (  # noqa: E402
    MOD_SUBJECTS,
    Asked,
    Moderator,
    content,
    moderate,
    question_mix,
)

COOLDOWN_RATE, COOLDOWN_SECONDS = 1000, 60


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    fake = FakeDiscord()
    main, _ = build_world(fake, channels=args.channels)
    await fake.start()
    loop = asyncio.get_running_loop()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="showbot-load-") as tmp:
        limits = {
            "cooldown_rate": COOLDOWN_RATE,
            "cooldown_seconds": COOLDOWN_SECONDS,
            # 5 questions/s per channel is 5 times what Discord lets the bot post there, and
            # the fake does not limit posts (Discord-like limits: tests/e2e/test_bot_flood.py):
            # shedding (bot/runtime/shedding.py) widened, so that what is measured is the bot.
            "channel_in_flight": 5,
            "channel_backlog": 1000,
            "question_max_age": 60,
        }
        bot = await RunningBot.start(fake, Path(tmp), {"limits": limits})
        try:
            rss_ready = bot.rss()
            guild = main.id
            channels = [main.channel(f"c{i:02d}").id for i in range(args.channels)]
            members = [fake.add_user(f"fan{i}").id for i in range(args.members)]
            tracker = ReplyTracker(fake)
            asked: list[Asked] = []

            async def ask(user: int, channel: int, text: str) -> Asked:
                sent_at = loop.time()
                message_id = await fake.send_message(guild, channel, user, text)
                entry = Asked(message_id, channel, user, text, sent_at)
                asked.append(entry)
                return entry

            # Warm-up: discord.py's caches fill (the last 1000 messages, every member seen),
            # so the "start" RSS is the baseline a leak would grow from.
            warm_texts = question_mix(args.warmup, rng)
            warm: list[Asked] = []

            async def send_warm(number: int) -> None:
                user = members[number % args.members]
                channel = channels[number % args.channels]
                warm.append(await ask(user, channel, warm_texts[number]))

            await paced(args.warmup, args.rate, send_warm)
            await tracker.wait_for_replies([a.message_id for a in warm], 60, bot=bot)
            rss_start = bot.rss()

            # -- phase 1: load, moderators, 429s, drops ----------------------------------------
            moderators = [
                Moderator(fake.add_user(f"mod{i}").id, channels[i % args.channels], subject)
                for i, subject in enumerate(MOD_SUBJECTS[: args.moderators])
            ]
            stop = asyncio.Event()
            mod_tasks = [
                asyncio.create_task(moderate(fake, guild, tracker, bot, mod, args.mod_rate, stop))
                for mod in moderators
            ]
            injecting = True
            chance = random.Random(args.seed + 1)  # its own, so the question mix stays put

            def limited(request: RecordedRequest) -> bool:
                return (
                    injecting
                    and request.operation_id == "create_message"
                    and chance.random() < args.limited
                )

            fake.fail_next("POST", limited, 429, retry_after=args.retry_after, times=10**9)
            total = int(args.rate * args.seconds)
            texts = question_mix(total, rng)
            drops = {total * (k + 1) // (args.drops + 1) for k in range(args.drops)}
            load: list[Asked] = []
            rss_middle = 0
            rss_samples: list[int] = []  # every 5 s of the load: flat, or a leak's slope
            sample_every = max(1, int(args.rate * 5))
            soak_samples: list[tuple[float, float]] = []  # (questions sent, RSS in MiB)
            soak_every = max(1, int(args.rate * 2))

            async def send(number: int) -> None:
                nonlocal rss_middle
                user = members[number % args.members]
                channel = channels[(number + number // args.members) % args.channels]
                load.append(await ask(user, channel, texts[number]))
                if number in drops:
                    await fake.drop_connection()
                if number == total // 2:
                    rss_middle = bot.rss()
                if number % sample_every == 0:
                    rss_samples.append(bot.rss())
                if args.soak and number % soak_every == 0:
                    soak_samples.append((number, bot.rss() / MiB))

            began = loop.time()
            cpu_began = (bot.cpu_seconds(), time.process_time())
            sent_rate = await paced(total, args.rate, send)
            try:
                await tracker.wait_for_replies([a.message_id for a in load], 60, bot=bot)
            except AssertionError as exc:
                problems.append(f"load replies missing: {str(exc).splitlines()[0]}")
            cpu_bot = bot.cpu_seconds() - cpu_began[0]
            cpu_harness = time.process_time() - cpu_began[1]
            load_wall = loop.time() - began
            injecting = False
            stop.set()
            await asyncio.gather(*mod_tasks)
            first_replies = [tracker.first(a.message_id) for a in load]
            answered_at = [r.time for r in first_replies if r is not None]
            latencies = [
                (r.time - a.sent_at) * 1000
                for a, r in zip(load, first_replies, strict=True)
                if r is not None
            ]

            # -- phase 2: one member floods, others keep asking --------------------------------
            flooder = fake.add_user("flooder").id
            flood_count = COOLDOWN_RATE + args.flood_extra
            flood: list[Asked] = []
            others: list[Asked] = []
            flood_texts = question_mix(2 * flood_count, rng)

            async def send_flood(number: int) -> None:
                channel = channels[number % args.channels]
                if number % 2:
                    user = members[(number // 2) % args.members]
                    others.append(await ask(user, channel, flood_texts[number]))
                else:
                    flood.append(await ask(flooder, channel, flood_texts[number]))

            await paced(2 * flood_count, args.rate, send_flood)
            try:
                # The flooder's answers and its one notice; the rest of the flood gets no reply.
                replied = flood[: COOLDOWN_RATE + 1] + others
                await tracker.wait_for_replies([a.message_id for a in replied], 60, bot=bot)
            except AssertionError as exc:
                problems.append(f"flood replies missing: {str(exc).splitlines()[0]}")
            await fake.wait_until_ready()
            rss_end = bot.rss()
            code = await bot.stop()  # SIGTERM flushes the question log
        finally:
            if not bot.exited:
                await bot.kill()
            await fake.stop()

        tracker.scan()
        expected = expected_replies(Path(tmp), guild)
        logged = question_log(bot.db_path)
        changes = change_counts(bot.db_path, [m.user for m in moderators])

    # -- the figures -------------------------------------------------------------------------
    def replies_of(entry: Asked) -> list[RecordedRequest]:
        return tracker.replies.get(entry.message_id, [])

    dropped = sum(1 for a in load if not replies_of(a))
    duplicated = sum(1 for a in asked if len(replies_of(a)) > 1)
    flooded = {a.message_id for a in flood}
    wrong = sum(
        1
        for a in asked
        if a.message_id not in flooded
        and replies_of(a)
        and content(replies_of(a)[0]) != expected[a.text]
    )
    notices = [
        a
        for a in flood
        if replies_of(a) and re.search(r"try again in \d+ s", content(replies_of(a)[0]))
    ]
    silenced = [a for a in flood if not replies_of(a)]
    turned_away = {a.message_id for a in notices + silenced}
    flood_answered = [
        a for a in flood if replies_of(a) and content(replies_of(a)[0]) == expected[a.text]
    ]
    others_answered = [
        a for a in others if replies_of(a) and content(replies_of(a)[0]) == expected[a.text]
    ]
    span = (max(answered_at) - began) if answered_at else float("nan")

    # A 429 is honoured when its message got exactly one accepted POST, retry_after later.
    injected = [r for r in tracker.injected if r.status == 429]
    honoured = 0
    for refused in injected:
        target = int(refused.json["message_reference"]["message_id"])
        accepted = tracker.replies.get(target, [])
        if len(accepted) == 1 and accepted[0].time - refused.time >= args.retry_after - 0.01:
            honoured += 1

    # Every question that reached the engine is logged (the cooldown refuses before it).
    answered_questions = [a for a in asked if a.message_id not in turned_away]
    want = Counter((guild, a.text.split(" ", 1)[1].strip()[:500]) for a in answered_questions)
    log_complete = want == logged
    mod_sent = sum(m.sent for m in moderators)
    mod_acked = sum(m.acknowledged for m in moderators)
    mod_applied = sum(changes.values())
    tracebacks = len(bot.tracebacks())
    shed = sum(int(e.get("count", 0)) for e in bot.events("questions_shed"))

    print(f"load: {args.rate:.0f}/s target for {args.seconds:.0f} s, {args.members} members,")
    print(f"      {args.channels} channels, {args.moderators} moderators, seed {args.seed},")
    print(f"      after {args.warmup} warm-up questions")
    print(f"questions sent:        {len(load)} (at {sent_rate:.0f}/s)")
    print(f"replies received:      {len(load) - dropped}")
    print(f"dropped:               {dropped}")
    print(f"duplicated replies:    {duplicated}")
    print(f"wrong replies:         {wrong} (vs the engine on a fresh database)")
    print(f"answered/s sustained:  {len(answered_at) / span:.0f} (first send to last reply)")
    print(
        f"CPU in the load phase: bot {cpu_bot:.1f} s, fake + driver {cpu_harness:.1f} s"
        f" in {load_wall:.1f} s wall ({len(load) / cpu_bot:.0f} questions per bot CPU second)"
    )
    if latencies:
        print(
            f"reply latency ms:      p50 {percentile(latencies, 0.5):.1f}"
            f"  p90 {percentile(latencies, 0.9):.1f}  p99 {percentile(latencies, 0.99):.1f}"
            f"  max {max(latencies):.1f}"
        )
    print(
        f"bot RSS:               ready {mib(rss_ready)}, start {mib(rss_start)},"
        f" middle {mib(rss_middle)}, end {mib(rss_end)}"
    )
    print("RSS every 5 s of load:  " + ", ".join(f"{size / MiB:.1f}" for size in rss_samples))
    soak_slope = float("nan")
    if args.soak:
        after = [p for p in soak_samples if p[0] >= args.soak_warmup * total]
        soak_slope = slope(after) * 100_000
        span_q = (after[-1][0] - after[0][0]) if len(after) > 1 else 0
        grew = (after[-1][1] - after[0][1]) if len(after) > 1 else float("nan")
        print(
            f"soak: RSS slope after warm-up {soak_slope:+.2f} MiB per 100,000 questions"
            f" (least squares over {len(after)} samples, {span_q:.0f} questions;"
            f" {grew:+.1f} MiB first to last; goal <= {args.soak_max:g})"
        )
    print(f"429s injected:         {len(injected)}, honoured {honoured}")
    print(f"questions shed:        {shed} (bot/runtime/shedding.py, logged as questions_shed)")
    print(f"gateway drops:         {args.drops}, resumes {fake.resume_count},")
    print(f"                       identifies {fake.identify_count}")
    print(
        f"moderator commands:    {mod_sent} sent, {mod_acked} acknowledged,"
        f" {mod_applied} applied (change log)"
    )
    print(
        f"flood:                 {len(flood)} from one member: {len(flood_answered)} answered,"
        f" {len(notices)} cooldown notice(s), {len(silenced)} refused without a reply;"
    )
    print(f"                       others {len(others_answered)}/{len(others)} answered")
    print(
        f"question log:          {sum(logged.values())} rows for {len(answered_questions)}"
        f" answered questions ({'complete' if log_complete else 'INCOMPLETE'})"
    )
    print(f"spec violations:       {len(fake.violations)}; tracebacks logged: {tracebacks}")
    print(f"exit code after SIGTERM: {code}")

    checks = {
        "dropped replies": dropped == 0,
        "duplicated replies": duplicated == 0,
        "wrong replies": wrong == 0,
        "429s honoured": honoured == len(injected),
        "moderator edits applied": mod_acked == mod_sent == mod_applied,
        "cooldown": len(flood_answered) == COOLDOWN_RATE
        and len(notices) == min(1, args.flood_extra)  # one notice per cooldown window
        and len(silenced) == max(0, args.flood_extra - 1)
        and len(others_answered) == len(others),
        "question log complete": log_complete,
        "no spec violations": not fake.violations,
        "no tracebacks": tracebacks == 0,
        "clean exit": code == 0,
    }
    if args.soak:
        checks["soak slope"] = soak_slope <= args.soak_max
    problems += [name for name, ok in checks.items() if not ok]
    problems += [f for m in moderators for f in m.failures]
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300.0, help="questions per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load phase")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--moderators", type=int, default=3, choices=range(len(MOD_SUBJECTS) + 1))
    parser.add_argument("--mod-rate", type=float, default=1.0, help="commands/s per moderator")
    parser.add_argument("--limited", type=float, default=0.02, help="share of reply POSTs 429'd")
    parser.add_argument("--retry-after", type=float, default=0.5, help="seconds, in each 429")
    parser.add_argument("--drops", type=int, default=2, help="gateway connection drops")
    parser.add_argument("--flood-extra", type=int, default=50, help="flood beyond the cooldown")
    parser.add_argument("--warmup", type=int, default=1200, help="questions before the load")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--soak", action="store_true", help="print (and check) the RSS slope")
    parser.add_argument(
        "--soak-warmup", type=float, default=0.3, help="share of the load phase left out"
    )
    parser.add_argument("--soak-max", type=float, default=2.0, help="MiB per 100,000 questions")
    parser.add_argument("--tracemalloc", metavar="DIR", help="bot memory snapshots into DIR")
    parser.add_argument("--tracemalloc-every", type=float, default=30.0, help="seconds")
    parser.add_argument("--tracemalloc-frames", type=int, default=1, help="0: types only")
    args = parser.parse_args()
    if args.tracemalloc:  # read by the bot process (bot/runtime/memdebug.py), which inherits it
        os.environ["SHOWBOT_TRACEMALLOC"] = str(Path(args.tracemalloc).resolve())
        os.environ["SHOWBOT_TRACEMALLOC_EVERY"] = str(args.tracemalloc_every)
        os.environ["SHOWBOT_TRACEMALLOC_FRAMES"] = str(args.tracemalloc_frames)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
