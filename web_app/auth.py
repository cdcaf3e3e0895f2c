"""FastAPI adapter of the pure identity rules in :mod:`privsyn_platform.auth`.

Routes declare ``principal: CurrentPrincipal``. The dependency passes the request headers and the
peer address to :func:`~privsyn_platform.auth.principal_from_headers` with the settings from
:func:`~privsyn_platform.settings.get_settings` (overridable in tests through
``app.dependency_overrides``). It raises :class:`~privsyn_platform.errors.AuthenticationError`; the
app's error handler turns that into a 401.
"""

from typing import Annotated

from fastapi import Depends, Request

from privsyn_platform.auth import Principal, principal_from_headers
from privsyn_platform.settings import Settings, get_settings

__all__ = ["CurrentPrincipal", "Principal", "get_current_principal"]


_SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_current_principal(request: Request, settings: _SettingsDep) -> Principal:
    """The caller of this request (see ``privsyn_platform.auth`` for the trust rules).

    Raises:
        AuthenticationError: No trustworthy identity came with the request.
    """
    client_host = request.client.host if request.client else None
    return principal_from_headers(request.headers, client_host, settings)


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]
