"""bench at a tiny size: runs on SQLite and on PostgreSQL and writes well-formed JSON (the
figures themselves are not asserted: these machines are noisy)."""

import importlib
import json
import os
import subprocess
import sys
import time

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from correspondence import benchmark, services
from correspondence.models import Correspondent, Mail, MailKind

# Registration is measured from threads with their own connections: they must see committed
# rows, hence a transactional database, which the flush of an earlier transactional test may
# have left without the reference lists the migrations seeded: put them back. (Not
# serialized_rollback: after a flush that re-ran post_migrate, restoring the serialized
# content types collides with the ones post_migrate re-created.)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_lists(transactional_db):
    for migration in ("correspondence.migrations.0003_seed_kinds_and_channels",
                      "delegations.migrations.0002_seed_act_categories"):  # fmt: skip
        importlib.import_module(migration).seed(django_apps, None)


def test_bench_at_a_tiny_size_writes_well_formed_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    call_command("bench", sizes="150", runs=2, warmup=1, per_client=3, audiences=6, json_file=str(out))
    printed = capsys.readouterr().out
    if connection.vendor != "postgresql":
        assert "ne valent que sur PostgreSQL" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["meaningful"] is (connection.vendor == "postgresql")
    assert data["machine"]["cpus"] >= 1
    [size] = data["sizes"]
    assert size["size"] == 150 and size["mails"] == 150
    pages = {page["name"]: page for page in size["pages"]}
    assert {"register_list", "register_list_deep", "register_list_filtered", "search_common", "search_rare",
            "mail_detail", "my_work", "dashboard", "audience_week"} <= set(pages)  # fmt: skip
    for page in pages.values():
        assert page["status"] == 200, page
        assert page["queries"] > 0
        assert page["p95_ms"] >= page["p50_ms"] > 0
        assert page["bare_p95_ms"] is not None
        # After a write the navigation's counts are computed again: more statements, not fewer.
        assert page["cold_p95_ms"] >= page["cold_p50_ms"] > 0
        assert page["cold_queries"] >= page["queries"]
    # The deep page as reached through the links (a position), and as typed (an offset).
    assert "after=" in pages["register_list_deep"]["url"]
    assert "after=" not in pages["register_list_deep_offset"]["url"]
    assert data["machine"]["cache"]
    assert size["admin_changelist"]["status"] == 200
    # The floor: an empty page behind the same middleware (session and person read, no view).
    floor = size["floor"]
    assert floor["status"] == 200 and floor["url"] == "/__bench/vide/"
    assert 1 <= floor["queries"] < min(page["queries"] for page in pages.values())
    assert floor["p95_ms"] >= floor["p50_ms"] > 0 and floor["bare_p95_ms"] is not None
    # Each ratio to bare SQL says what the view may take beyond that floor, and what it takes.
    ratios = [check for check in data["verdicts"] if "SQL nu" in check["check"]]
    assert len(ratios) == len(pages)
    for check in ratios:
        assert check["view_taken_ms"] > check["view_allowed_ms"] or check["ok"]
    registration = size["registration"]
    assert registration["letters"] == registration["clients"] * 3
    assert registration["gap_free_and_chained"] is True
    assert registration["errors"] == []
    assert {"check", "value", "ok"} <= set(data["verdicts"][0])
    # The load's rate is a budget too, judged at the largest size loaded.
    [seed] = [check for check in data["verdicts"] if check["check"].startswith("seed_volume")]
    assert seed["value"] == size["seed_rate"] and seed["ok"] is (size["seed_rate"] >= 20_000)
    # The table is printed too.
    assert "Registre, page 1" in printed
    assert "Page vide signée (plancher)" in printed
    # What other processes took of the CPU just before the load is kept beside the figures.
    assert 0 <= size["busy_before_percent"] <= 100


def test_bench_refuses_a_database_holding_real_letters(people):
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]
    services.mail_register_incoming(
        registered_by=people.outsider, correspondent=Correspondent.objects.create(name="Ambassade du Maroc"),
        subject="Lettre réelle", kind=kind, arrival_date=timezone.localdate(),
    )  # fmt: skip
    with pytest.raises(CommandError, match="base dédiée"):
        call_command("bench", sizes="10", runs=1)
    # Not even measuring in place: the registration measure would write into the register.
    with pytest.raises(CommandError, match="base dédiée"):
        call_command("bench", keep=True, runs=1)
    assert Mail.objects.count() == 1


def test_bench_keep_measures_the_data_in_place_without_reloading(tmp_path, monkeypatch, capsys):
    call_command("seed_volume", mails=90, contacts=30, seed=4)
    before = set(Mail.objects.values_list("reference", flat=True))
    out = tmp_path / "keep.json"
    # A machine busy with other work is said to be (its figures would be inflated).
    monkeypatch.setattr(benchmark, "busy_percent", lambda seconds=1.0: 62.0)
    call_command("bench", keep=True, runs=1, warmup=0, per_client=2, json_file=str(out))
    assert "d'autres processus occupent 62 % du processeur" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    [size] = data["sizes"]
    assert size["size"] == 90 and size["seed_seconds"] is None and size["busy_before_percent"] == 62.0
    assert not [check for check in data["verdicts"] if check["check"].startswith("seed_volume")]  # nothing loaded
    # The letters loaded are still there; only the measured registrations were added.
    after = set(Mail.objects.values_list("reference", flat=True))
    assert before < after
    assert len(after - before) == size["registration"]["letters"]


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="Linux's /proc/stat")
def test_busy_percent_is_the_share_of_the_machine_others_use():
    """Another process spinning on one core shows as (at least most of) that core's share."""
    spin = "import time\nstart = time.monotonic()\nwhile time.monotonic() - start < 2: pass"
    spinner = subprocess.Popen([sys.executable, "-c", spin])
    try:
        time.sleep(0.3)  # started
        share = benchmark.busy_percent(0.5)
    finally:
        spinner.wait()
    assert 0.6 * 100 / os.cpu_count() <= share <= 100
