"""Throwaway A/B: ours' (or bare's) burst only; CPU per update (not committed)."""

import asyncio
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import signoff as S

from bot.app import build_application, start_in_process, stop_in_process
from bot.clock import FakeClock
from bot.fake_telegram import FakeTelegramServer


async def main(which: str, n: int):
    clock = FakeClock(S.START)
    tg = FakeTelegramServer(S.TOKEN, bot_username="coalition_bench_bot", clock=clock.timestamp)
    await tg.start()
    tg.add_user(S.COORDINATOR_ID, "Coordinator").started = True
    with tempfile.TemporaryDirectory() as folder:
        settings = S.settings_for(tg, folder)
        app = build_application(settings, clock=clock)
        limiter = app.bot.rate_limiter
        ours = S.Target("ours", tg, limiter, [], [])
        await start_in_process(app, poll_timeout=1)
        tg.limits.enabled = False
        if os.environ.get("AB_SYNC"):
            from bot.app import services_of

            await services_of(app).database.execute(f"PRAGMA synchronous = {os.environ['AB_SYNC']}")
        await S.populate(app, tg, n)
        ids, summaries = await S.circulate_letter(app, "Letter for the burst")
        ours.letters.append(ids)
        ours.users = [tg.user(S.FIRST_USER + k) for k in range(n)]
        target = ours
        if which == "bare":
            await stop_in_process(app)
            btg = FakeTelegramServer(
                S.BARE_TOKEN, bot_username="bare_bench_bot", clock=clock.timestamp
            )
            await btg.start()
            for u in ours.users:
                btg.add_user(u.id, u.first_name).started = True
            bapp = S.bare_application(btg, settings, ours.letters)
            target = S.Target(
                "bare",
                btg,
                bapp.bot.rate_limiter,
                [btg.user(u.id) for u in ours.users],
                ours.letters,
            )
            tg = btg
            btg.limits.enabled = False
        target.tg.add_listener(target.listen)
        token = S.TOKEN if which == "ours" else S.BARE_TOKEN
        target.summaries.append(await S.post_directly(target.tg, token, dict(enumerate(summaries))))
        if which == "bare":
            await bapp.initialize()
            await bapp.start()
            await bapp.updater.start_polling(poll_interval=0.0, timeout=1)
        target.tg.limits.enabled, target.tg.limits.callback_query_timeout = False, math.inf
        S.set_overall_rate(target.limiter, S.FAST_RATE)
        import cProfile
        import os

        prof = cProfile.Profile() if os.environ.get("AB_PROFILE") else None
        if prof:
            prof.enable()

        def threads():
            out = {}
            for tid in os.listdir("/proc/self/task"):
                f = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
                out[tid] = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
            return out

        before = threads()
        phase = await S.burst(target, 0, range(n), timeout=240)
        after = threads()
        main = str(os.getpid())
        print(
            "main",
            round(after[main] - before.get(main, 0), 2),
            "others",
            round(sum(v - before.get(k, 0) for k, v in after.items() if k != main), 2),
        )
        if prof:
            prof.disable()
            prof.dump_stats(os.environ["AB_PROFILE"])
        print(f"{which}: {phase.cpu_per_update_ms:.2f} ms CPU/update, {phase.rate:.0f} updates/s")
        if which == "bare":
            await bapp.updater.stop()
            await bapp.stop()
            await bapp.shutdown()
        else:
            await stop_in_process(app)
    await tg.stop()


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
