"""Safe defaults: DEBUG off unless asked for, a 500 page in both languages."""

import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import path

from daodi import urls as project_urls


def broken_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("broken/", broken_view), *project_urls.urlpatterns]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_our_page_in_chinese_and_english_and_no_traceback():
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html and "Something went wrong" in html
    assert 'data-testid="server-error"' in html
    assert "RuntimeError" not in html and "Traceback" not in html


def _debug_in_a_fresh_process(**env) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    clean = {k: v for k, v in __import__("os").environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "daodi.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_debug_is_off_unless_asked_for():
    assert _debug_in_a_fresh_process() == "False"
    assert _debug_in_a_fresh_process(DEBUG="1") == "True"
