"""Reply latency and memory of the real bot process, through the fake Discord.

    python benchmarks/bot_latency.py [--questions 300] [--members 10] [--warmup 20]

Starts ``python -m bot run`` against the fake Discord of the end-to-end tests (REST and
gateway on 127.0.0.1, the same start-up helper as tests/e2e), then asks the questions one at a
time, from several members in turn, mixing known subjects, typos, free questions and unknown
subjects. Latency is the time from the fake sending MESSAGE_CREATE on the gateway to the bot's
reply POST arriving: gateway decode, command parsing, the engine, rendering and the HTTP call.
Memory is the bot process's RSS (psutil) after start-up and after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

import psutil  # noqa: E402
from botprocess import RunningBot, build_world  # noqa: E402
from fakediscord import FakeDiscord  # noqa: E402

QUESTIONS = [
    "!when jessica jones s2",
    "!who nuke",
    "!what igh",
    "!ask when does jessica jones season 2 come out",
    "!who kilgrav",
    "!who patsy walker",
    "!when luke cage",
    "!what the defenders",
    "!who melisa rosenburg",
    "!ask who is the villain of jessica jones season 2",
    "!when jessica jones s3",  # unknown, with suggestions (buttons)
    "!who the punisher",  # unknown
    "!what nothing we know about",  # unknown
    "!when defnders",
    "!who walker trish",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


async def run(questions: int, members: int, warmup: int) -> None:
    fake = FakeDiscord()
    main, _ = build_world(fake, channels=1)
    await fake.start()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory(prefix="showbot-bench-") as tmp:
        # A cooldown that never triggers: this measures answering, not refusing.
        limits = {"limits": {"cooldown_rate": 1_000_000, "cooldown_seconds": 1}}
        bot = await RunningBot.start(fake, Path(tmp), limits)
        try:
            proc = psutil.Process(bot.process.pid)
            rss_ready = proc.memory_info().rss
            channel = main.channel("general").id
            users = [fake.add_user(f"fan{i}").id for i in range(members)]
            latencies: list[float] = []
            answered = 0
            for i in range(warmup + questions):
                text = QUESTIONS[i % len(QUESTIONS)]
                started = loop.time()
                reply = await bot.ask(main.id, channel, users[i % members], text, timeout=10)
                if i >= warmup:
                    latencies.append((reply.time - started) * 1000)
                    answered += not str(reply.json["content"]).startswith("I don't know")
            rss_after = proc.memory_info().rss
            code = await bot.stop()
        finally:
            if not bot.exited:
                await bot.kill()
            await fake.stop()
    print(f"questions: {len(latencies)} ({answered} answered, {members} members, {warmup} warm-up)")
    print(
        f"reply latency ms: p50 {percentile(latencies, 0.5):.1f}"
        f"  p90 {percentile(latencies, 0.9):.1f}  p99 {percentile(latencies, 0.99):.1f}"
        f"  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
    )
    print(f"bot RSS: {mib(rss_ready)} when ready, {mib(rss_after)} after the run")
    print(f"exit code after SIGTERM: {code}; violations: {len(fake.violations)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.questions, args.members, args.warmup))


if __name__ == "__main__":
    main()
