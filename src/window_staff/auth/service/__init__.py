"""The account service: users, login and sessions (``accounts``), login throttling (``throttle``), passwords (``passwords``)."""

from window_staff.auth.service.accounts import (  # noqa: F401 (the package's face)
    ISSUER,
    active_user_ids_of_staff,
    active_user_ids_with_role,
    create_user,
    display_names,
    get_me,
    get_user,
    importer_for,
    list_users,
    login,
    logout,
    me,
    principal_for,
    reset_totp,
    resolve_session,
    seal_clear_totp_secrets,
    set_totp_secret,
    totp_secret_of,
    totp_uri,
    update_user,
    user_names,
)
from window_staff.auth.service.links import link_staff  # noqa: F401
from window_staff.auth.service.passwords import change_password, check_reset, issue_reset, reset_password  # noqa: F401
from window_staff.auth.service.throttle import on_repeated_failures  # noqa: F401
