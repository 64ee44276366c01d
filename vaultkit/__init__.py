"""vaultkit: a command-line companion and linter for Obsidian vaults.

The commands' jobs, for Python. Each takes a path inside a vault (default: the current
folder) and raises `ConfigError` or `VaultError` for what a user can fix:

    import vaultkit

    progress = vaultkit.status("example-vault")  # every note's progress
    findings = vaultkit.lint("example-vault/Skills")  # what `vaultkit lint` reports there
    report = vaultkit.sync("example-vault", write=False)  # `vaultkit sync --check`
    groups = vaultkit.forecast("example-vault")  # each phase's pace and projected finish

Anything not in `__all__` may change between versions.
"""

# `vaultkit.forecast` names a module too: imported first, so that importing it later (a
# command does) cannot put the module where the function is.
from vaultkit import forecast as _forecast_module  # noqa: F401
from vaultkit.api import VaultError, forecast, lint, status, sync
from vaultkit.config import Config, ConfigError
from vaultkit.model import Diagnostic

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "VaultError",
    "forecast",
    "lint",
    "status",
    "sync",
]
