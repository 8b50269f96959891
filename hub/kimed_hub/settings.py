"""Deployment settings of one workbench: ports, prefix, state folder, site overrides.

Layers, later wins: built-in defaults → environment variables (``KIMED_*``) → the
optional site file named by ``KIMED_SITE_CONFIG`` (YAML, traitlets sections, the escape
hatch for operators). Config code only sets values; it never appends or mutates.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .paths import dataset_root, hub_data_dir


class SettingsError(ValueError):
    """A setting is malformed; the message names it and the accepted values."""


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"{name}={raw!r} is not a TCP port (1-65535).")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Everything ``jupyterhub_config.py`` needs to know about this deployment."""

    public_port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    prefix: str = "kimed"
    state: Path = field(default_factory=hub_data_dir)
    site_config: dict[str, Any] = field(default_factory=dict)
    dataset_root: Path = field(default_factory=dataset_root)
    #: Load the shipped fictional catalogue into the portal at start (KIMED_PORTAL_DEMO).
    portal_demo: bool = True
    #: ``production`` or ``development`` (KIMED_MODE); production/mode.py says what changes.
    mode: str = "development"
    #: The site's certificate (chain) and key for TLS on the public port (KIMED_TLS_CERT,
    #: KIMED_TLS_KEY); both or neither.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    #: Demo accounts and the demo catalogue in production, explicitly (KIMED_ALLOW_DEMO).
    allow_demo: bool = False
    #: Address the public port listens on (KIMED_BIND_IP) and the host name people use
    #: (KIMED_PUBLIC_NAME, the certificate's name; default: the address).
    bind_ip: str = "127.0.0.1"
    public_name: str = ""

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def public_url(self) -> str:
        scheme = "https" if self.tls_cert else "http"
        return f"{scheme}://{self.public_name or self.bind_ip}:{self.public_port}"

    @property
    def bind_url(self) -> str:
        """Where the proxy listens (may differ from :attr:`public_url`'s host name)."""
        scheme = "https" if self.tls_cert else "http"
        return f"{scheme}://{self.bind_ip}:{self.public_port}"

    @property
    def portal_db_url(self) -> str:
        """The portal's database, shared by the portal service and the spawner (grants):
        ``KIMED_PORTAL_DB_URL``, else SQLite beside the hub's database."""
        from .database import default_url  # local import: SQLAlchemy only when needed

        return default_url()

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``KIMED_PUBLIC_PORT``, ``KIMED_HUB_PORT``, ``KIMED_PROXY_API_PORT``,
        ``KIMED_PREFIX``, ``KIMED_DATA_DIR`` (dataset folders), ``KIMED_PORTAL_DEMO`` (``1``:
        load the fictional demo catalogue, the default in development; ``0``: start with the
        catalogue as it is), ``KIMED_SITE_CONFIG``, and for production (docs/operators.md)
        ``KIMED_MODE``, ``KIMED_TLS_CERT``/``KIMED_TLS_KEY``, ``KIMED_ALLOW_DEMO``,
        ``KIMED_BIND_IP`` and ``KIMED_PUBLIC_NAME``."""
        prefix = os.environ.get("KIMED_PREFIX", "kimed")
        if not prefix.replace("-", "").isalnum() or not prefix.islower():
            raise SettingsError(f"KIMED_PREFIX={prefix!r}: use lower-case letters, digits, '-'.")
        mode = os.environ.get("KIMED_MODE", "development")
        if mode not in ("development", "production"):
            raise SettingsError(f"KIMED_MODE={mode!r}: use 'development' or 'production'.")
        cert, key = _tls_files()
        return cls(
            public_port=_port("KIMED_PUBLIC_PORT", 8000),
            hub_port=_port("KIMED_HUB_PORT", 8081),
            proxy_api_port=_port("KIMED_PROXY_API_PORT", 8001),
            prefix=prefix,
            # the demo catalogue is on by default for development only
            portal_demo=_flag("KIMED_PORTAL_DEMO", mode == "development"),
            site_config=_site_config(os.environ.get("KIMED_SITE_CONFIG")),
            mode=mode,
            tls_cert=cert,
            tls_key=key,
            allow_demo=_flag("KIMED_ALLOW_DEMO", False),
            bind_ip=os.environ.get("KIMED_BIND_IP", "127.0.0.1"),
            public_name=os.environ.get("KIMED_PUBLIC_NAME", ""),
        )


def _tls_files() -> tuple[Path | None, Path | None]:
    """``KIMED_TLS_CERT`` and ``KIMED_TLS_KEY``: both readable files, or neither set."""
    cert, key = os.environ.get("KIMED_TLS_CERT", ""), os.environ.get("KIMED_TLS_KEY", "")
    if bool(cert) != bool(key):
        raise SettingsError("Set both KIMED_TLS_CERT and KIMED_TLS_KEY (PEM files), or neither.")
    for name, value in (("KIMED_TLS_CERT", cert), ("KIMED_TLS_KEY", key)):
        if value and not Path(value).is_file():
            raise SettingsError(f"{name}={value}: no such file (the site's PEM certificate/key).")
    return (Path(cert), Path(key)) if cert else (None, None)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "1" if default else "0")
    if raw not in ("0", "1"):
        raise SettingsError(f"{name}={raw!r}: use 1 (on) or 0 (off).")
    return raw == "1"


def _site_config(path: str | None) -> dict[str, Any]:
    """The site YAML: ``{ClassName: {trait: value}}``, or {} when not set."""
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise SettingsError(f"KIMED_SITE_CONFIG={path} does not exist.")
    data = yaml.safe_load(file.read_text()) or {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise SettingsError(
            f"{path}: expected sections like 'WorkbenchSpawner: {{trait: value}}' at the top level."
        )
    return data
