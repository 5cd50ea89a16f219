"""SIP tests run on the whole stack: their app's settings point at the session's Kamailio, started first."""

import pytest


@pytest.fixture
def settings(stack_env):
    """Settings for an app on the session's stack, Kamailio included."""
    return stack_env.settings()
