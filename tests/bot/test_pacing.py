from bot.slack.pacing import Pacer, Rate


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
