from bot.slack.pacing import Pacer, Rate, Window


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
