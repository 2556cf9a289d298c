from air_supervision.policy import FitPolicy


def test_policy_fit_points():
    policy = FitPolicy(warmup=100, refit_every=500, max_history=4000)
    fitted = None
    points = []
    for _ in range(4):
        fitted = policy.next_fit(fitted)
        points.append(fitted)

    assert points == [100, 200, 700, 1200]


def test_policy_default_fit_points():
    policy = FitPolicy()
    fitted = None
    points = []
    for _ in range(5):
        fitted = policy.next_fit(fitted)
        points.append(fitted)

    assert points == [50, 100, 200, 700, 1200]


def test_policy_fit_due():
    policy = FitPolicy(warmup=100, refit_every=500, max_history=4000)
    assert not policy.fit_due(99, None)
    assert policy.fit_due(100, None)
    assert not policy.fit_due(199, 100)
    assert policy.fit_due(200, 100)
    assert not policy.fit_due(699, 200)
    assert policy.fit_due(700, 200)


def test_policy_late_first_fit():
    policy = FitPolicy(warmup=100, refit_every=500, max_history=4000)
    assert policy.next_fit(250) == 750
