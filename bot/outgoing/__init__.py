"""Every outgoing message is composed here; ``bot.jobs.outbox`` only sends them.

- ``common``: the HTML message every notice is, and a moment as text (date and "in 3 days").
- ``letters``: what members receive for a letter (``LetterComposer``), change lists.
- ``coordinators``: what coordinators are told (milestones, chases, the digest, the close
  report with its files, notices handlers send).
- ``broadcasts``: a broadcast's progress message and report, unreachable/refused notices.
- ``telegram``: an ``OutgoingMessage`` turned into the Bot API call (PTB's typed methods).
"""
