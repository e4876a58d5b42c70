"""Helpers shared by the trust tests."""

import re

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

LOGIN_URL = "/konto/logga-in/"
VERIFY_URL = "/konto/tvastegsverifiering/"
ENROL_URL = "/konto/tvastegsverifiering/koppla-app/"


def password_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def code_from_secret(secret_b32: str) -> str:
    import base64

    padded = secret_b32 + "=" * (-len(secret_b32) % 8)
    totp = TOTP(base64.b32decode(padded), 30, 0, 6)
    return f"{totp.token():06d}"


def secret_on_page(html: str) -> str:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html)
    assert match, "the enrolment page shows the key"
    return match.group(1)
