"""Storage on every backend: schema creation, versioning, migrations, UTC times."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlmodel import select

import wenming.storage as storage_mod
from wenming.errors import StorageError
from wenming.storage import SCHEMA_VERSION, Storage
from wenming.storage.tables import Meta, Pairing, ResourceRow, Site


def test_create_records_the_schema_version(wenming_database_url):
    storage = Storage(wenming_database_url)
    assert storage.schema_version() is None
    with pytest.raises(StorageError, match="no wenming schema; run 'wenming init'"):
        storage.check()
    storage.create()
    assert storage.check() == SCHEMA_VERSION
    storage.create()  # idempotent
    assert storage.schema_version() == SCHEMA_VERSION
    storage.dispose()


def test_rows_round_trip_with_json_and_utc_times(wenming_storage):
    with wenming_storage.session() as s:
        s.add(Site(code="320585", name="太仓市", level="center", site_type="core.center"))
        s.add(
            ResourceRow(
                key="emergency.blue_sky",
                kind="team",
                name="蓝天救援队",
                place_code="3205",
                categories=["core.emergency_rescue"],
                months=[7, 8],
            )
        )
        s.add(
            Pairing(
                industry_code="water.p1",
                territorial_code="320585",
                created_at=dt.datetime(2023, 3, 30, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            )
        )
    with wenming_storage.session() as s:
        site = s.get(Site, 1)
        row = s.exec(select(ResourceRow)).one()
        pairing = s.exec(select(Pairing)).one()
    assert site.name == "太仓市"
    assert row.categories == ["core.emergency_rescue"] and row.months == [7, 8]
    assert pairing.created_at == dt.datetime(2023, 3, 30, 0, tzinfo=dt.UTC)
    assert pairing.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(wenming_storage):
    with pytest.raises(Exception, match="naive datetime"), wenming_storage.session() as s:
        s.add(Pairing(industry_code="a", territorial_code="b", created_at=dt.datetime(2023, 1, 1)))
        s.flush()


def test_session_rolls_back_on_error(wenming_storage):
    with pytest.raises(RuntimeError), wenming_storage.session() as s:
        s.add(Site(code="x", name="x", level="station", site_type="core.station"))
        s.flush()
        raise RuntimeError("abort")
    with wenming_storage.session() as s:
        assert s.exec(select(Site)).all() == []


def test_migrations_upgrade_an_older_database(wenming_database_url, monkeypatch):
    storage = Storage(wenming_database_url)
    storage.create()

    def add_column(conn):
        conn.execute(text("ALTER TABLE wm_site ADD COLUMN note VARCHAR"))

    monkeypatch.setattr(storage_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(storage_mod.MIGRATIONS, SCHEMA_VERSION, add_column)
    with pytest.raises(StorageError, match=f"schema version {SCHEMA_VERSION}, this wenming needs"):
        storage.check()
    assert storage.upgrade() == SCHEMA_VERSION + 1
    assert storage.check() == SCHEMA_VERSION + 1
    with storage.engine.connect() as conn:
        conn.execute(text("SELECT note FROM wm_site"))
    storage.dispose()


def test_newer_database_is_refused(wenming_storage):
    with wenming_storage.session() as s:
        s.get(Meta, "schema_version").value = str(SCHEMA_VERSION + 5)
    with pytest.raises(StorageError, match="newer than this wenming"):
        wenming_storage.upgrade()


def test_bad_urls_are_clear():
    with pytest.raises(StorageError, match="not a database URL"):
        Storage("nonsense")
    with pytest.raises(StorageError, match="unsupported database 'mysql'"):
        Storage("mysql://localhost/x")
