"""Local demo accounts: hashed, private, stable across restarts; failed logins throttled."""

import json
import stat

import pytest

from kimed_hub.accounts import check_password, demo_passwords, ensure_demo_accounts, hash_password
from kimed_hub.login_throttle import LoginRefused, LoginThrottle
from kimed_hub.policies import sessions_policy
from kimed_hub.policies.sessions import LoginThrottlePolicy


def test_password_hash_round_trip():
    stored = hash_password("correct horse")
    assert check_password("correct horse", stored) and not check_password("wrong", stored)
    assert "correct horse" not in stored


def test_accounts_are_created_once_and_private(tmp_path):
    accounts = ensure_demo_accounts(tmp_path)
    assert {"researcher", "trainee", "instructor", "steward", "checker", "admin"} <= set(accounts)
    assert accounts["admin"]["groups"] == ["admins"]
    first = demo_passwords(tmp_path)
    store = json.loads((tmp_path / "accounts.json").read_text())
    assert all(check_password(first[u], store[u]) for u in accounts)
    for name in ("accounts.json", "demo-passwords.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    ensure_demo_accounts(tmp_path)
    assert demo_passwords(tmp_path) == first  # a restart keeps the passwords


# --- login throttling (login_throttle.py, policies/sessions.yaml local_login) -------------

POLICY = LoginThrottlePolicy(
    free_failures=2,
    delay_seconds=1,
    max_delay_seconds=4,
    lockout_after=6,
    lockout_seconds=60,
    forget_after=600,
)


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_the_delay_grows_then_the_account_locks_and_others_are_unaffected():
    clock = Clock()
    throttle = LoginThrottle(POLICY, clock)
    delays = []
    for _ in range(5):
        throttle.check("admin")
        delays.append(throttle.failed("admin"))
        clock.now += delays[-1]
    assert delays == [0, 0, 1, 2, 4]  # two free, then doubling, capped at 4
    throttle.failed("admin")  # the 6th in a row: locked
    clock.now += 4
    with pytest.raises(LoginRefused, match="'admin' is locked after 6 failed logins"):
        throttle.check("admin")
    throttle.check("researcher")  # someone else: not affected
    clock.now += 60
    throttle.check("admin")  # the lock-out ran out


def test_an_early_try_is_refused_and_a_success_clears_the_count():
    clock = Clock()
    throttle = LoginThrottle(POLICY, clock)
    for _ in range(3):
        throttle.failed("alice")
    with pytest.raises(LoginRefused, match="wait 1 s"):
        throttle.check("alice")  # before the delay passed: not even tried
    clock.now += 1
    throttle.check("alice")
    throttle.succeeded("alice")
    assert throttle.failed("alice") == 0  # counting starts again
    clock.now += 600
    throttle.failed("alice")
    assert throttle.failed("alice") == 0  # old failures forgotten


def test_the_shipped_policy_throttles():
    shipped = sessions_policy().local_login
    assert 0 < shipped.lockout_after <= 20 and shipped.lockout_seconds >= 300
