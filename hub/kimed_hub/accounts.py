"""Local demo accounts: the embedded default when no identity provider is configured.

Accounts (names and groups) come from ``policies/demo-accounts.yaml``. At first
start each gets a random password; only a salted PBKDF2 hash is kept in the state folder
(``accounts.json``, mode 600), and the plain passwords are written once to
``demo-passwords.txt`` (mode 600) so that ``kimed up`` can print how to log in. Deleting
both files makes the next start issue new passwords. Failed logins are throttled per
username (growing delay, then a temporary lock-out: ``login_throttle.py``).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Unicode

from .login_throttle import LoginRefused, LoginThrottle
from .policies import load_policy, sessions_policy

_ITERATIONS = 200_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` for ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Constant-time comparison of ``password`` against a :func:`hash_password` string."""
    _, iterations, salt, digest = stored.split("$")
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
    )
    return hmac.compare_digest(candidate.hex(), digest)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, atomically."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    tmp.replace(path)


def ensure_demo_accounts(state: Path, policies: Path | None = None) -> dict[str, dict]:
    """Create missing accounts' passwords; return {username: {groups, description}}.

    Existing passwords are kept, so a restart does not log anybody out of their password.
    """
    declared = {a["username"]: a for a in load_policy("demo-accounts", policies)["accounts"]}
    store_path, plain_path = state / "accounts.json", state / "demo-passwords.txt"
    store = json.loads(store_path.read_text()) if store_path.exists() else {}
    new = {name: secrets.token_urlsafe(9) for name in declared if name not in store}
    if new:
        store.update({name: hash_password(pw) for name, pw in new.items()})
        _write_private(store_path, json.dumps(store, indent=1))
        known = _read_plain(plain_path)
        known.update(new)
        _write_private(plain_path, "".join(f"{u} {p}\n" for u, p in sorted(known.items())))
    return declared


@contextmanager
def _locked_store(store_path: Path) -> Iterator[dict[str, str]]:
    """accounts.json's {username: hash}, held under an exclusive lock and written back
    (atomically) when the block ends without error: the portal adds and removes
    workshop accounts while the hub may be starting."""
    lock = store_path.with_suffix(".lock")
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        store = json.loads(store_path.read_text()) if store_path.exists() else {}
        yield store
        _write_private(store_path, json.dumps(store, indent=1))


def add_accounts(store_path: Path, passwords: dict[str, str]) -> None:
    """Add (or reset) local accounts ``{username: password}``; only hashes are kept."""
    with _locked_store(store_path) as store:
        store.update({name: hash_password(pw) for name, pw in passwords.items()})


def remove_accounts(store_path: Path, usernames: list[str]) -> None:
    """Remove local accounts (their passwords stop working at once)."""
    with _locked_store(store_path) as store:
        for name in usernames:
            store.pop(name, None)


def _read_plain(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(line.split(" ", 1) for line in path.read_text().split("\n") if " " in line)


def demo_passwords(state: Path) -> dict[str, str]:
    """The generated plain passwords, for printing at start-up."""
    return _read_plain(state / "demo-passwords.txt")


class LocalAccountsAuthenticator(Authenticator):
    """Username + password against the hashed store written by :func:`ensure_demo_accounts`,
    throttled per username (``policies/sessions.yaml``, ``local_login``)."""

    accounts_file = Unicode(
        config=True, help="Path of accounts.json (hashed passwords) in the state folder."
    )
    _throttle: LoginThrottle | None = None

    @property
    def throttle(self) -> LoginThrottle:
        """The hub process's failed-login counts (made at the first login)."""
        if self._throttle is None:
            self._throttle = LoginThrottle(sessions_policy().local_login)
        return self._throttle

    async def authenticate(self, handler, data):
        """Return the username when the password matches, else None (JupyterHub shows
        'Invalid username or password'). A throttled or locked account gets a 429 page
        that says why and until when, whatever the password."""
        username = (data.get("username") or "").strip().lower()
        password = data.get("password") or ""
        try:
            self.throttle.check(username)
        except LoginRefused as refused:
            self.log.warning("local login for %r refused (throttled): %s", username, refused)
            raise web.HTTPError(429, "%s", refused.message) from None
        store = json.loads(Path(self.accounts_file).read_text())
        stored = store.get(username)
        if stored is not None and check_password(password, stored):
            self.throttle.succeeded(username)
            return username
        delay = self.throttle.failed(username)
        self.log.warning("failed local login for %r", username)
        if self.throttle.locked(username):
            self.log.warning(
                "local account %r locked for %g s after repeated failed logins",
                username,
                self.throttle.policy.lockout_seconds,
            )
        await asyncio.sleep(delay)  # the next try may come no sooner (see LoginThrottle)
        return None
