from bot.slack.pacing import RAISE_EVERY, REPEAT_WITHIN, Pacer, PostBudget, Rate, Window, pace


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_burst_then_one_per_interval() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    rate = Rate(calls=1, per_seconds=1, burst=3)
    waits = [pacer.wait(("chat.postMessage", "C1"), rate) for _ in range(6)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3:] == [1.0, 1.0, 1.0]


def test_keys_are_independent_and_tokens_refill() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    rate = Rate(calls=1, per_seconds=1, burst=1)
    assert pacer.wait(("m", "C1"), rate) == 0
    assert pacer.wait(("m", "C2"), rate) == 0
    clock.now += 5
    assert pacer.wait(("m", "C1"), rate) == 0
    assert pacer.wait(("m", "C1"), rate) == 1.0


def test_a_window_lets_a_minutes_calls_through_at_once_then_waits_for_the_oldest() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    tier = Window(calls=3, per_seconds=60)
    assert [pacer.wait(("chat.update", ""), tier) for _ in range(3)] == [0, 0, 0]
    clock.now += 10
    # The fourth call waits until the first left the minute; the fifth for the second.
    assert pacer.wait(("chat.update", ""), tier) == 50.0
    assert pacer.wait(("chat.update", ""), tier) == 0.0  # meanwhile the others left it too


def test_a_429_holds_the_whole_method_back_for_its_retry_after() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.hold_off(("chat.postMessage", ""), 25)
    assert pacer.held_off(("chat.postMessage", "")) == 25
    assert pacer.held_off(("chat.update", "")) == 0
    assert pacer.wait(("chat.postMessage", ""), Rate(calls=1, per_seconds=1, burst=5)) == 25
    assert pacer.wait(("chat.update", ""), Window(calls=5)) == 0


def _budget_after(posts: int, *, configured: int = 300) -> tuple[PostBudget, FakeClock]:
    """A budget whose process had `posts` accepted over the last minute."""
    clock = FakeClock()
    budget = PostBudget(configured)
    for _ in range(posts):
        budget.accepted(clock())
        clock.now += 50 / posts
    return budget, clock


def test_one_429_or_a_burst_of_them_does_not_lower_the_budget() -> None:
    budget, clock = _budget_after(40)
    # A post's 429 and the few already on their way answered alike a moment later.
    for channel in ("D1", "D2", "D3"):
        assert budget.limited(clock(), channel=channel) is None
        clock.now += 0.3
    assert budget.per_minute == 300


def test_429s_repeating_in_one_channel_do_not_lower_the_workspace_budget() -> None:
    budget, clock = _budget_after(40)
    for _ in range(5):
        assert budget.limited(clock(), channel="C-busy") is None
        clock.now += 20
    assert budget.per_minute == 300


def test_a_wall_met_again_in_another_channel_lowers_the_budget_to_what_slack_accepted() -> None:
    budget, clock = _budget_after(40)
    assert budget.limited(clock(), channel="D1") is None
    clock.now += 6  # past REPEAT_AFTER: not a post that was already on its way
    assert budget.limited(clock(), channel="D7") == 40
    assert budget.per_minute == 40
    assert budget.workspace.calls + budget.workspace.burst <= 39  # under it, bursts included
    # Posts waiting for the queued share stay under the lowered budget too.
    assert budget.bulk.calls + budget.bulk.burst < 40


def test_a_429_long_after_the_first_starts_a_new_streak() -> None:
    budget, clock = _budget_after(40)
    assert budget.limited(clock(), channel="D1") is None
    clock.now += REPEAT_WITHIN + 1
    for _ in range(40):
        budget.accepted(clock())
    assert budget.limited(clock(), channel="D2") is None
    assert budget.per_minute == 300


def test_a_lowered_budget_climbs_back_step_by_step_while_slack_stays_quiet() -> None:
    budget, clock = _budget_after(40)
    budget.limited(clock(), channel="D1")
    clock.now += 6
    budget.limited(clock(), channel="D2")
    assert budget.per_minute == 40
    climbed = []
    for _ in range(20):
        clock.now += RAISE_EVERY
        budget.accepted(clock())
        climbed.append(budget.per_minute)
    assert climbed[:3] == [50, 63, 79]  # a quarter more each quiet RAISE_EVERY
    assert climbed[-1] == 300  # never above the configured budget
    # A 429 on the way up holds it where it is for another RAISE_EVERY.
    budget, clock = _budget_after(40)
    budget.limited(clock(), channel="D1")
    clock.now += 6
    budget.limited(clock(), channel="D2")
    clock.now += RAISE_EVERY - 1
    budget.limited(clock(), channel="D3")
    clock.now += 2
    budget.accepted(clock())
    assert budget.per_minute == 40


def test_a_queued_post_is_handed_back_rather_than_sleep_through_a_429s_hold() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    budget = PostBudget(300)
    pacer.hold_off(("chat.postMessage", ""), 30)
    queued = pace(pacer, budget, "chat.postMessage", rate=None, pace_key="D1", bulk=True)
    assert queued == 30 and clock.slept == []  # not slept: its row goes back to the outbox
    # Someone waiting on an answer is posted once the hold is over.
    answer = pace(pacer, budget, "chat.postMessage", rate=None, pace_key="D1", bulk=False)
    assert answer == 0 and clock.slept == [30]
