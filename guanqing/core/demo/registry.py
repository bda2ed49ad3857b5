"""The demo builders the apps register, like the daily jobs of `guanqing.core.daily`.

A builder is named by a dotted path ("guanqing.wishes.demo:build"): the app's demo module is
imported only when the demo is built, never at start-up. `build(ctx)` gets the `DemoContext` and
returns what it built: an object with `as_changes()` (counts for the audit event), `describe()`
(one line for `guanqing demo`, in the language of the process) and, optionally, `note()` (a short
text for the audit event's message, in the site language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module
from typing import Any

from django.utils.functional import Promise

DEMO_PASSWORD = "Guanqing2026"  # of every demo account that signs in; printed and documented


@dataclass(frozen=True)
class DemoAccount:
    """An account the demo makes to sign in with, printed by `guanqing demo`."""

    username: str
    role: str
    scope: str | Promise
    can_reveal: bool = False
    # The base32 secret of the account's authenticator (TOTP, RFC 6238), fixed and documented so
    # that a tester computes its codes; set for the accounts whose role needs a second factor.
    otp_secret: str = ""


def _resolve(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


@dataclass(frozen=True)
class DemoBuilder:
    name: str
    path: str  # "package.module:function"
    order: int
    label: str | Promise
    accounts_path: str | None = None  # "package.module:LIST" of DemoAccount

    @cached_property
    def build(self) -> Callable[[Any], Any]:
        return _resolve(self.path)

    @cached_property
    def volume(self) -> Any:
        """The app's `PROVINCE` (a `province.Volume`) from its demo module, or None."""
        module = self.path.partition(":")[0]
        return getattr(import_module(module), "PROVINCE", None)

    @cached_property
    def accounts(self) -> list[DemoAccount]:
        return list(_resolve(self.accounts_path)) if self.accounts_path else []


_builders: dict[str, DemoBuilder] = {}


def register(
    name: str,
    build: str,
    *,
    order: int,
    label: str | Promise,
    accounts: str | None = None,
) -> None:
    """Register (or replace, when an app is loaded again) the builder called `name`: `build` is
    the dotted path of its function, `label` the progress line printed before it runs, `accounts`
    the dotted path of the list of `DemoAccount`s it makes."""
    if ":" not in build or (accounts is not None and ":" not in accounts):
        raise ValueError(f"{name}: give the builder as 'package.module:name'")
    _builders[name] = DemoBuilder(
        name=name, path=build, order=order, label=label, accounts_path=accounts
    )


def builders() -> list[DemoBuilder]:
    """The registered builders in their order (registry 10, pairing 20, wishes 30, …)."""
    return sorted(_builders.values(), key=lambda b: (b.order, b.name))


def demo_accounts() -> list[DemoAccount]:
    """Every builder's demo accounts, in the builders' order."""
    return [account for builder in builders() for account in builder.accounts]
