"""The demo data set, built by the apps: each registers a builder from its `AppConfig.ready()`
(`register`), and `load_demo()` runs them in their order in one transaction, from one seed, then
records one audit event and runs the daily jobs. `guanqing demo` prepares and serves it.

What more than one app's builder needs lives in `shared`; no app imports another's demo. A builder
reads what the earlier ones built from the database, through the models.
"""

from guanqing.core.demo.context import SEED, DemoContext
from guanqing.core.demo.load import (
    DEMO_ACTOR,
    DemoDatabaseNotEmpty,
    DemoSummary,
    demo_loaded,
    load_demo,
)
from guanqing.core.demo.registry import (
    DEMO_PASSWORD,
    DemoAccount,
    DemoBuilder,
    builders,
    demo_accounts,
    register,
)

__all__ = [
    "DEMO_ACTOR",
    "DEMO_PASSWORD",
    "SEED",
    "DemoAccount",
    "DemoBuilder",
    "DemoContext",
    "DemoDatabaseNotEmpty",
    "DemoSummary",
    "builders",
    "demo_accounts",
    "demo_loaded",
    "load_demo",
    "register",
]
