"""Who logs in: local demo accounts (the embedded default) or OpenID Connect.

One setting switches: ``KIMED_AUTH=oidc`` (default ``local``). For OIDC the provider is
named by ``KIMED_OIDC_ISSUER`` (its ``/.well-known/openid-configuration`` supplies the
endpoints), ``KIMED_OIDC_CLIENT_ID`` and ``KIMED_OIDC_CLIENT_SECRET``. Groups come from
the provider's ``groups`` claim (Keycloak group paths lose their leading "/") and are
managed by the hub (``manage_groups``); allowed and admin groups come from
``policies/roles.yaml``. Auth state (tokens) is encrypted with ``JUPYTERHUB_CRYPT_KEY``,
generated into the hub data folder when not given, and refreshed every
``identity.refresh_age`` seconds (``policies/sessions.yaml``): an account disabled at the
provider loses access at its next refresh.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.request
from pathlib import Path

from oauthenticator.generic import GenericOAuthenticator
from tornado import web

from .accounts import ensure_demo_accounts
from .policies import RolesPolicy, SessionsPolicy
from .settings import Settings, SettingsError


class KimedOIDCAuthenticator(GenericOAuthenticator):
    """GenericOAuthenticator with Keycloak's group paths normalised (``/a/b`` → ``a/b``)
    and a missing groups claim read as no groups (Keycloak omits it then)."""

    async def get_user_groups(self, auth_model):
        groups = await super().get_user_groups(auth_model) or set()
        return {g.lstrip("/") for g in groups}

    async def check_allowed(self, username, auth_model):
        """Refuse with a page that says why and what to do, not a bare 403."""
        if await super().check_allowed(username, auth_model):
            return True
        raise web.HTTPError(
            403,
            f"Your account {username!r} signed in, but it is in none of the groups that may "
            f"use the KIMed Workbench ({', '.join(sorted(self.allowed_groups))}). Ask your "
            "institution's identity administrator to add you to the group for your role.",
        )


def configure_identity(c, settings: Settings, roles: RolesPolicy, sessions: SessionsPolicy) -> None:
    """Local accounts or OIDC, per ``KIMED_AUTH``."""
    c.Authenticator.auth_refresh_age = sessions.refresh_age
    c.Authenticator.refresh_pre_spawn = True
    mode = os.environ.get("KIMED_AUTH", "local")
    if mode == "local":
        configure_local_accounts(c, settings, roles)
    elif mode == "oidc":
        configure_oidc(c, settings, roles)
    else:
        raise SettingsError(f"KIMED_AUTH={mode!r}: use 'local' (demo accounts) or 'oidc'.")


def configure_local_accounts(c, settings: Settings, roles: RolesPolicy) -> None:
    """Demo accounts from policies/demo-accounts.yaml with their groups; admins by group."""
    accounts = ensure_demo_accounts(settings.state)
    c.JupyterHub.authenticator_class = "kimed-local"
    c.LocalAccountsAuthenticator.accounts_file = str(settings.state / "accounts.json")
    c.Authenticator.allowed_users = set(accounts)
    c.Authenticator.admin_users = {
        name for name, account in accounts.items() if set(account["groups"]) & roles.admin_groups
    }
    groups: dict[str, list[str]] = {}
    for name, account in sorted(accounts.items()):
        for group in account["groups"]:
            groups.setdefault(group, []).append(name)
    c.JupyterHub.load_groups = {group: {"users": users} for group, users in groups.items()}


def configure_oidc(c, settings: Settings, roles: RolesPolicy) -> None:
    """GenericOAuthenticator against the issuer's discovered endpoints."""
    issuer = _required("KIMED_OIDC_ISSUER").rstrip("/")
    endpoints = discover(issuer)
    c.JupyterHub.authenticator_class = KimedOIDCAuthenticator
    auth = c.KimedOIDCAuthenticator
    auth.client_id = _required("KIMED_OIDC_CLIENT_ID")
    auth.client_secret = _required("KIMED_OIDC_CLIENT_SECRET")
    auth.oauth_callback_url = f"{settings.public_url}/hub/oauth_callback"
    auth.authorize_url = endpoints["authorization_endpoint"]
    auth.token_url = endpoints["token_endpoint"]
    auth.userdata_url = endpoints["userinfo_endpoint"]
    auth.scope = ["openid", "profile", "email"]
    auth.username_claim = os.environ.get("KIMED_OIDC_USERNAME_CLAIM", "preferred_username")
    auth.manage_groups = True  # required for groups from the claim (and allowed/admin groups)
    auth.auth_state_groups_key = "oauth_user.groups"
    auth.allowed_groups = set(roles.allowed_groups)
    auth.admin_groups = set(roles.admin_groups)
    auth.enable_auth_state = True
    if endpoints.get("end_session_endpoint"):
        auth.logout_redirect_url = (
            f"{endpoints['end_session_endpoint']}?client_id={auth.client_id}"
            f"&post_logout_redirect_uri={settings.public_url}/hub/login"
        )
    os.environ.setdefault("JUPYTERHUB_CRYPT_KEY", _crypt_key(settings.state))


def discover(issuer: str) -> dict[str, str]:
    """The provider's OpenID configuration (one request at hub start-up)."""
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (operator URL)
            return json.load(response)
    except OSError as exc:
        raise SettingsError(
            f"KIMED_OIDC_ISSUER={issuer}: could not read {url} ({exc}). Check the issuer URL "
            "(Keycloak: https://HOST/realms/REALM) and that the hub can reach it."
        ) from exc


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise SettingsError(f"KIMED_AUTH=oidc needs {name}; see docs/operators.md (OIDC).")
    return value


def _crypt_key(state: Path) -> str:
    """The auth-state encryption key, generated once into the hub data folder (mode 600)."""
    path = state / "crypt_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
