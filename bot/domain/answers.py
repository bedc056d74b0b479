"""What a customer can answer: the closing survey's two scores and the adoption check-in. Pure.

The one definition of these values: the buttons (`bot.blocks.completion`, `bot.blocks.adoption`),
the action ids the listeners match (`bot.blocks.ids`), the services that record an answer and
the KPIs that count them all read them from here.
"""

from __future__ import annotations

CSAT = "csat"  # satisfaction with the onboarding
NPS = "nps"  # how likely the customer is to recommend us
SURVEY_KINDS = (CSAT, NPS)
CSAT_SCORES = range(1, 6)
NPS_SCORES = range(0, 11)
NPS_PROMOTER = 9  # this score or more
NPS_DETRACTOR = 6  # this score or less

REGULARLY = "regularly"
OCCASIONALLY = "occasionally"
STALLED = "stalled"  # the CSM is alerted
CHECKIN_ANSWERS = (REGULARLY, OCCASIONALLY, STALLED)
