"""Local demo accounts: hashed, private, stable across restarts."""

import json
import stat

from kimed_hub.accounts import check_password, demo_passwords, ensure_demo_accounts, hash_password


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
