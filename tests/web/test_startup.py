"""A web process freezes what it holds once started (decision 060): the garbage collector's
full passes then skip the ~140,000 objects of the modules; GAOXIN_GC_FREEZE=0 turns it off."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

from gaoxin.web import startup


def test_settle_freezes_what_the_process_holds_unless_the_setting_is_off(settings):
    gc.unfreeze()
    try:
        settings.GC_FREEZE = False
        assert startup.settle() is False
        assert gc.get_freeze_count() == 0
        settings.GC_FREEZE = True
        assert startup.settle() is True
        assert gc.get_freeze_count() > 10_000  # the modules, Django's and gaoxin's
    finally:
        gc.unfreeze()


def test_the_wsgi_application_freezes_unless_gaoxin_gc_freeze_is_0(tmp_path):
    code = "import gc, gaoxin.web.wsgi; print(gc.get_freeze_count())"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOXIN_", "DJANGO_"))}
    env["GAOXIN_HOME"] = str(tmp_path)
    frozen = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert frozen.returncode == 0, frozen.stderr
    assert int(frozen.stdout) > 10_000
    env["GAOXIN_GC_FREEZE"] = "0"
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert off.returncode == 0, off.stderr
    assert int(off.stdout) == 0
