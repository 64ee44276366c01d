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
