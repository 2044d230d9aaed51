"""Settings from the environment: the trusted reverse proxies."""

from __future__ import annotations

import pytest

from window_staff.settings import load_settings


def test_by_default_no_proxy_is_trusted():
    assert load_settings({}).trusted_proxies == ()


def test_trusted_proxies_are_a_comma_separated_list_of_addresses_and_networks():
    settings = load_settings({"WINDOW_STAFF_TRUSTED_PROXIES": " 172.18.0.0/16, ::1,127.0.0.1 ,"})
    assert settings.trusted_proxies == ("172.18.0.0/16", "::1", "127.0.0.1")


@pytest.mark.parametrize("value", ["proxy.internal", "10.0.0.1/8", "172.18.0.0/16, 300.1.1.1"])
def test_an_entry_that_is_no_address_or_network_refuses_start_up_naming_the_variable(value):
    with pytest.raises(SystemExit, match="WINDOW_STAFF_TRUSTED_PROXIES"):
        load_settings({"WINDOW_STAFF_TRUSTED_PROXIES": value})
