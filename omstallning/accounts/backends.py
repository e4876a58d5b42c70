"""Authentication backends of the portal."""

from axes.backends import AxesStandaloneBackend


class AxesBackendAllowingTestClientLogin(AxesStandaloneBackend):
    """For the test settings only: Django's test client ``Client.login()`` authenticates without a
    request, which the strict axes backend refuses. Every real log-in (the log-in view, the admin)
    passes the request and is counted and locked out exactly as in production."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
